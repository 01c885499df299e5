"""The bench's rows: complaints, events, messages, pledge clocks, notifications and search
documents, in chunks.

Pure computation (no database), so it can run in a second process while the first one writes.
Every value is what the application itself would have stored: clocks kept as the lifecycle and
the sweep keep them (seed/pledge_clocks.py), events hashed by Event.content_hash over the same
payload timeline.append_event builds, search documents equal to services.search.document_text,
timestamps in UTCDateTime's storage format.
"""

from __future__ import annotations

import json
import random
from collections import namedtuple
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

from complaints.models import GENESIS_HASH, Event
from complaints.seed import agreements, texts
from complaints.seed.histories import ComplaintHistory, invent_history
from complaints.seed.pledge_clocks import Outcome, PledgeKeeper
from complaints.services import announcement_rules as rules
from complaints.services.search import document_text
from complaints.workflow import Action

COMPLAINT_COLUMNS = (
    "id", "reference", "consumer_id", "merchant_id", "category_id", "order_reference", "title",
    "description", "desired_outcome", "claimed_amount", "is_major", "priority", "state",
    "waiting_on_consumer", "waiting_on_merchant",    "assignee_id", "mediation_org_id", "policy_version_id", "was_mediated", "appeal_used",
    "rejection_reason", "outcome", "outcome_note", "compensation_amount", "rating", "rating_comment",
    "created_at", "updated_at", "first_response_at", "decided_at", "closed_at", "version",
)  # fmt: skip
EVENT_COLUMNS = (
    "id", "complaint_id", "actor_id", "action", "from_state", "to_state", "public", "detail",
    "created_at", "prev_hash", "hash",
)  # fmt: skip
MESSAGE_COLUMNS = ("id", "complaint_id", "author_id", "kind", "body", "created_at")
NOTIFICATION_COLUMNS = (
    "user_id", "complaint_id", "kind", "detail", "created_at", "read_at", "email_status", "email_attempts",
)  # fmt: skip
# A notification is read this long after it was sent, unless it was sent in the last UNREAD_FOR.
READ_AFTER, UNREAD_FOR = 3 * 3600, 3 * 86400

# Event.content_hash reads these attributes; a namedtuple carries them without an ORM object.
EventFacts = namedtuple(
    "EventFacts", "complaint_id actor_id action from_state to_state public detail created_at prev_hash"
)


@dataclass
class Cast:
    """The people and shops complaints are drawn from, by id (plain data: it crosses processes)."""

    consumers: list[int]
    merchants: list[int]
    categories: list[int]  # ids in texts.CATEGORIES order
    agents: list[int]
    orgs: list[tuple[int, tuple[str, str], list[int]]]  # (id, (Chinese name, English name), mediator ids)
    policy_versions: dict[tuple[int, bool], int | None]  # (category id, major) -> pledge version
    targets: dict[int, dict] = field(default_factory=dict)  # version id -> {ClockKind: BenchTarget}
    shop_staff: dict[int, int] = field(default_factory=dict)  # shop id -> its staff member's user id
    supervisors: list[int] = field(default_factory=list)  # (among `agents`)


@dataclass
class Plan:
    """Everything needed to make the rows, so that a child process can make them."""

    cast: Cast
    count: int
    start: int  # seconds since the epoch
    end: int
    seed: int
    major_from: Decimal
    text_timestamps: bool  # SQLite stores naive-UTC text; other databases take datetimes
    appeal_window: int = 15 * 86400  # seconds
    sweep_seconds: int = 60  # how often the application's SLA sweep runs
    chunk: int = 10_000


@dataclass
class Chunk:
    complaints: list[tuple] = field(default_factory=list)
    events: list[tuple] = field(default_factory=list)
    messages: list[tuple] = field(default_factory=list)
    documents: list[tuple] = field(default_factory=list)  # (complaint id, indexed terms)
    clocks: list[tuple] = field(default_factory=list)
    agreements: list[tuple] = field(default_factory=list)
    notifications: list[tuple] = field(default_factory=list)
    done: int = 0  # complaints made so far, this chunk included
    counters: dict[int, int] = field(default_factory=dict)  # year -> last sequence so far


def generate_chunks(plan: Plan) -> Iterator[Chunk]:
    """The rows of `plan.count` complaints filed between plan.start and plan.end, in filing order."""
    rng = random.Random(plan.seed)
    filed = sorted(rng.randrange(plan.start, plan.end - 60) for _ in range(plan.count))
    maker = _RowMaker(plan)
    for first in range(0, plan.count, plan.chunk):
        chunk = Chunk()
        for index in range(first, min(plan.count, first + plan.chunk)):
            maker.add(chunk, rng, index + 1, filed[index])
        chunk.done, chunk.counters = first + len(chunk.complaints), dict(maker.counters)
        yield chunk


class _RowMaker:
    def __init__(self, plan: Plan):
        self.plan = plan
        self.counters: dict[int, int] = {}
        self.event_id = self.message_id = self.agreement_id = 0
        self.terms_cache: dict[str, str] = {}
        self.detail_cache: dict[tuple, str] = {}
        self.stamp = _text_stamp if plan.text_timestamps else _aware
        self.keeper = PledgeKeeper(plan.cast.targets, set(plan.cast.agents), plan.sweep_seconds)
        self.told = Recipients(plan.cast)

    def add(self, chunk: Chunk, rng: random.Random, complaint_id: int, created: int) -> None:
        plan, stamp = self.plan, self.stamp
        year = datetime.fromtimestamp(created, UTC).year
        self.counters[year] = seq = self.counters.get(year, 0) + 1
        h = invent_history(rng, plan.cast, created, plan.end, plan.major_from, plan.appeal_window)
        title, sentences = texts.complaint_parts(rng, h.category_code, h.lang)
        description = texts.join_sentences(sentences, h.lang)
        reference = f"C-{year}-{seq:06d}"
        version = plan.cast.policy_versions.get((h.category_id, h.is_major))
        kept = self.keeper.keep(h, reference, version, plan.end)
        chunk.documents.append((complaint_id, self.terms(title, description)))
        chunk.complaints.append(
            self.complaint_row(h, kept, version, complaint_id, reference, title, description)
        )
        for at, author, kind, body in h.messages:
            self.message_id += 1
            chunk.messages.append((self.message_id, complaint_id, author, kind, body, stamp(_moment(at))))
        chunk.clocks.extend(clock.row(complaint_id, stamp) for clock in kept.clocks)
        if h.agreement is not None:
            self.agreement_id += 1
            agreements.number(h.agreement, self.agreement_id, reference, kept.events)
            chunk.agreements.append(agreements.row(h.agreement, complaint_id, stamp))
        self.add_events(chunk.events, kept.events, complaint_id)
        self.add_notifications(chunk.notifications, h, kept.events, complaint_id, reference)

    def add_notifications(
        self, rows: list, h, events: list[tuple], complaint_id: int, reference: str
    ) -> None:
        """What each of the complaint's actions told its parties (services.announcement_rules),
        read a few hours later unless recent, and e-mailed."""
        stamp, end = self.stamp, self.plan.end
        assignee = None  # as it was at each step (h.assignee_id is the last)
        for at, actor_id, action, _, to_state, public, detail in events:
            if action in ("claim", "assign"):
                assignee = detail["assignee_id"]
            elif action == "verify" and assignee is None:
                assignee = actor_id
            heard = self.told.of(h, assignee, actor_id, action, public, detail)
            if not heard:
                continue
            moment = _moment(at)
            read = None if at > end - UNREAD_FOR else stamp(_moment(at + READ_AFTER))
            for user_id, kind, actor_party in heard:
                facts = json.dumps(
                    {"reference": reference, "action": action, "actor_party": actor_party, "state": to_state}
                )
                rows.append((user_id, complaint_id, kind, facts, stamp(moment), read, "sent", 1))

    def terms(self, title: str, description: str) -> str:
        """services.search.document_text of a complaint, remembered: the corpus repeats."""
        key = (title, description)
        terms = self.terms_cache.get(key)
        if terms is None:
            if len(self.terms_cache) > 200_000:
                self.terms_cache.clear()
            terms = self.terms_cache[key] = document_text(title, description)
        return terms

    def complaint_row(
        self,
        h: ComplaintHistory,
        kept: Outcome,
        version,
        complaint_id: int,
        reference: str,
        title,
        description,
    ) -> tuple:
        stamp = self.stamp
        priority = "urgent" if kept.urgent else "high" if h.is_major else "normal"
        optional = lambda seconds: None if seconds is None else stamp(_moment(seconds))  # noqa: E731
        return (
            complaint_id, reference, h.consumer_id, h.merchant_id, h.category_id, h.order_reference,
            title, description, h.desired_outcome, h.claimed_amount, h.is_major,
            priority, h.state, "consumer" in h.waiting, "merchant" in h.waiting, h.assignee_id, h.mediation_org_id,
            version, h.was_mediated, h.appeal_used, h.rejection_reason, h.outcome, h.outcome_note,
            h.compensation_amount, h.rating, h.rating_comment, stamp(_moment(h.created)),
            stamp(_moment(max(h.events[-1][0], kept.last_change))), optional(kept.first_response_at),
            optional(h.decided_at), optional(h.closed_at), len(h.events) + kept.sweep_marks,
        )  # fmt: skip

    def add_events(self, rows: list, events: list[tuple], complaint_id: int) -> None:
        """The complaint's events, each hashing the one before, as timeline.append_event does."""
        prev_hash, content_hash, stamp = GENESIS_HASH, Event.content_hash, self.stamp
        for at, actor_id, action, from_state, to_state, public, detail in events:
            moment = _moment(at)
            facts = EventFacts(
                complaint_id, actor_id, action, from_state, to_state, public, detail, moment, prev_hash
            )
            digest = content_hash(facts)
            self.event_id += 1
            rows.append(
                (self.event_id, complaint_id, actor_id, action, from_state, to_state, public,
                 self.detail_json(detail), stamp(moment), prev_hash, digest)
            )  # fmt: skip
            prev_hash = digest

    def detail_json(self, detail: dict) -> str:
        """The detail as the JSON column stores it; the same few details recur, so remember them."""
        if "compensation_amount" in detail or "due_at" in detail:  # amounts and instants hardly repeat
            return json.dumps(detail)
        key = tuple(detail.items())
        stored = self.detail_cache.get(key)
        if stored is None:
            stored = self.detail_cache[key] = json.dumps(detail)
        return stored


class Recipients:
    """Who hears an action of a bench complaint's history, by the application's rule table."""

    def __init__(self, cast: Cast):
        self.party = dict.fromkeys(cast.agents, rules.STAFF)
        self.party.update(dict.fromkeys(cast.shop_staff.values(), rules.SHOP_STAFF))
        self.mediators = {org_id: mediators for org_id, _, mediators in cast.orgs}
        self.party.update((mediator, rules.MEDIATOR) for ids in self.mediators.values() for mediator in ids)
        self.shop_staff, self.supervisors = cast.shop_staff, cast.supervisors

    def of(
        self, h: ComplaintHistory, assignee, actor_id, action: str, public: bool, detail: dict
    ) -> list[tuple]:
        """(user id, notification kind, the actor's party) of each person told of `action`, as
        services.announcements.announce tells them."""
        try:
            action = Action(action)
        except ValueError:  # the pledge engine's own events: the sweep's notices are not written
            return []
        actor = rules.CONSUMER if actor_id == h.consumer_id else self.party.get(actor_id, rules.SYSTEM)
        asked = rules.asked_of(action, detail)
        shop = self.shop_staff.get(h.merchant_id)
        people = {
            rules.Party.CONSUMER: [h.consumer_id],
            rules.Party.SHOP: [shop] if shop else [],
            rules.Party.ASSIGNEE: [assignee] if assignee else [],
            rules.Party.MEDIATORS: self.mediators.get(h.mediation_org_id, []),
            rules.Party.SUPERVISORS: self.supervisors,
        }
        told, heard = {actor_id}, []
        for rule in rules.applicable(rules.RULES.get(action, ()), actor, detail, asked):
            staff = rule.party in (rules.Party.ASSIGNEE, rules.Party.SUPERVISORS)
            for user_id in people[rule.party]:
                if user_id not in told and (public or staff):
                    told.add(user_id)
                    heard.append((user_id, rule.kind.value, actor))
        return heard


def _moment(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def _text_stamp(moment: datetime) -> str:
    """UTCDateTime's storage on SQLite: naive UTC, as SQLAlchemy writes DateTime values."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _aware(moment: datetime) -> datetime:
    return moment
