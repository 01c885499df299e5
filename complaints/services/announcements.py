"""Telling people what happens on a complaint, by the rule tables of announcement_rules.py.

`announce` is called by `lifecycle.apply_action` once an action, its event and the clocks' moves
are recorded; `announce_deposit` by the deposit payouts. The person who acted is never told. An
event the consumer does not see on their timeline (an internal note) is never told to anyone
outside the platform's staff, and nobody is told of a complaint the participant policy does not
let them take part in.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import and_, func, or_, select

from complaints import participants
from complaints.extensions import db
from complaints.models import ClockKind, Complaint, Event, NotificationKind, User, WaitingOn
from complaints.services import notifications
from complaints.services.announcement_rules import (
    CONSUMER,
    DATE_MOVES,
    DEPOSIT_RULES,
    MEDIATOR,
    PARTY_CLOCKS,
    RULES,
    SHOP_STAFF,
    SWEEP_KINDS,
    K,
    P,
    Party,
    applicable,
)
from complaints.sla.clocks import running_clocks
from complaints.workflow import Action, transition_for


def announce(
    complaint: Complaint, user: User | None, action: Action, detail: dict, asked: WaitingOn | None = None
) -> int:
    """Tell the parties who hear `action` on `complaint`, as RULES says; returns how many were told.

    complaint: the complaint, after the action, its event and its clocks' moves.
    user: who acted (None: the system); never told.
    action: the workflow action taken.
    detail: the facts its effect reported (the event's detail).
    asked: for a request for information, whom it was put to.
    The caller commits.
    """
    actor_party = participants.of(user).party
    rules = applicable(RULES.get(action, ()), actor_party, detail, asked)
    public = transition_for(action).public
    consumer_waits = public and complaint.consumer_id is not None and not _is(user, complaint.consumer_id)
    moved = _dates_moved(complaint, action) if consumer_waits else set()
    tell_consumer_dates = bool(moved & PARTY_CLOCKS[P.CONSUMER])
    if not rules and not tell_consumer_dates:
        return 0
    people = _people(complaint, {rule.party for rule in rules} | {P.CONSUMER})
    clocks = running_clocks(complaint)
    base = _facts(complaint, user, action, detail, asked)
    told: set[int] = {user.id} if user is not None else set()
    batch = []
    for rule in rules:
        heard = [
            person
            for person in people.get(rule.party, ())
            if person.id not in told and _may_hear(person, complaint, public)
        ]
        told.update(person.id for person in heard)
        batch.extend(_for_each_view(heard, rule.kind, complaint, user, base, _next_due(clocks, rule.party)))
    if tell_consumer_dates:
        consumer = [
            p for p in people.get(P.CONSUMER, ()) if p.id not in told and _may_hear(p, complaint, True)
        ]
        due = _next_due(clocks, P.CONSUMER)
        if due:
            batch.extend(_for_each_view(consumer, K.PLEDGE_DATE, complaint, user, base, due))
    return notifications.notify_many(batch) if batch else 0


def _is(user: User | None, user_id: int | None) -> bool:
    return user is not None and user.id == user_id


def _may_hear(person: User, complaint: Complaint, public: bool) -> bool:
    """Asked of the participant policy: only a party to the complaint hears of it, and only the
    platform's staff hear of what the consumer's timeline does not show."""
    return participants.is_party(person, complaint) and (public or participants.is_platform_staff(person))


def _facts(complaint: Complaint, user: User | None, action: Action, detail: dict, asked) -> dict:
    """What a message about `action` needs, for every recipient (see _for_each_view)."""
    facts = {
        "reference": complaint.reference,
        "action": action.value,
        "actor_party": participants.of(user).party,
        "state": complaint.state.value,
    }
    if asked is not None:
        facts["asked"] = asked.value
    for key in (
        "outcome",
        "compensation_amount",
        "kind",
        "amount",
        "perform_by",
        "organisation",
        "organisation_en",
        "duplicate_of",
        "binding",
        "side",
        "answer",
        "lapsed",
        "starts_at",
        "channel",
    ):
        if detail.get(key) is not None:
            facts[key] = detail[key]
    return facts


def _for_each_view(people, kind, complaint, user, base: dict, due) -> list:
    """One batch item per way of seeing the actor: the actor's name goes only to those the
    participant policy lets see staff names when the actor is staff (a shop reads "Platform
    support")."""
    if not people:
        return []
    facts = dict(base)
    if due is not None:
        facts["next_clock"], facts["next_due"] = due[0].value, due[1].isoformat()
    named = participants.is_platform_staff(user)
    with_name = [p.id for p in people if named and participants.sees_staff_names(p)]
    without = [p.id for p in people if p.id not in with_name]
    items = []
    if with_name:
        items.append((with_name, kind, complaint.id, {**facts, "actor_name": user.name}))
    if without:
        items.append((without, kind, complaint.id, facts))
    return items


def _next_due(clocks, party: Party) -> tuple[ClockKind, datetime] | None:
    """The nearest date pledged to `party`: the earliest due instant among the running (not
    paused) clocks it is told of."""
    counting = [c for c in clocks if c.kind in PARTY_CLOCKS[party] and c.running]
    if not counting:
        return None
    nearest = min(counting, key=lambda c: c.due_at)
    return nearest.kind, nearest.due_at


def _dates_moved(complaint: Complaint, action: Action) -> set[ClockKind]:
    """The clocks whose due date this action started or moved: the pledge engine's events that
    follow the action's own on the timeline (the caller holds the complaint's row, so nothing
    else appends to it meanwhile)."""
    action_event = (
        select(func.max(Event.id))
        .where(Event.complaint_id == complaint.id, Event.action == action.value)
        .scalar_subquery()
    )
    details = db.session.scalars(
        select(Event.detail).where(
            Event.complaint_id == complaint.id, Event.id > action_event, Event.action.in_(DATE_MOVES)
        )
    )
    kinds = {kind.value for kind in ClockKind}
    return {ClockKind(d["clock"]) for d in details if d.get("clock") in kinds}


def _people(complaint: Complaint, parties: Iterable[Party]) -> dict[Party, list[User]]:
    """The active accounts behind each of `parties` for `complaint`, read in one statement."""
    parties = set(parties)
    direct = {
        P.CONSUMER: complaint.consumer_id,
        P.ASSIGNEE: complaint.assignee_id,
    }
    wanted = []
    ids = [direct[p] for p in (P.CONSUMER, P.ASSIGNEE) if p in parties and direct[p] is not None]
    if ids:
        wanted.append(User.id.in_(ids))
    if P.SHOP in parties:
        wanted.append(shop_staff_clause([complaint.merchant_id]))
    if P.SUPERVISORS in parties:
        wanted.append(User.role.in_(participants.supervisor_roles()))
    if P.MEDIATORS in parties and complaint.mediation_org_id is not None:
        wanted.append(
            and_(User.mediation_org_id == complaint.mediation_org_id, User.role.in_(_roles_of(MEDIATOR)))
        )
    if not wanted:
        return {}
    users = db.session.scalars(
        select(User).where(or_(*wanted), User.active.is_(True)).order_by(User.id)
    ).all()
    found: dict[Party, list[User]] = {}
    for person in users:
        party = participants.of(person).party
        if person.id == complaint.consumer_id and P.CONSUMER in parties:
            found.setdefault(P.CONSUMER, []).append(person)
        if person.id == complaint.assignee_id and P.ASSIGNEE in parties:
            found.setdefault(P.ASSIGNEE, []).append(person)
        if party == SHOP_STAFF and person.merchant_id == complaint.merchant_id and P.SHOP in parties:
            found.setdefault(P.SHOP, []).append(person)
        if (
            party == MEDIATOR
            and person.mediation_org_id == complaint.mediation_org_id
            and P.MEDIATORS in parties
        ):
            found.setdefault(P.MEDIATORS, []).append(person)
        if P.SUPERVISORS in parties and participants.supervises(person):
            found.setdefault(P.SUPERVISORS, []).append(person)
    return found


def _roles_of(party: str):
    return participants.roles_where(lambda p: p.party == party)


def shop_staff_clause(merchant_ids: Iterable[int]):
    """WHERE clause for the staff accounts of the shops `merchant_ids` (roles whose participant
    entry is a shop's)."""
    return and_(User.merchant_id.in_(list(merchant_ids)), User.role.in_(_roles_of(SHOP_STAFF)))


def shop_staff_ids(merchant_ids: Iterable[int]) -> dict[int, list[int]]:
    """The active staff accounts of each shop of `merchant_ids`, in one statement."""
    merchant_ids = {m for m in merchant_ids if m is not None}
    if not merchant_ids:
        return {}
    rows = db.session.execute(
        select(User.merchant_id, User.id)
        .where(shop_staff_clause(merchant_ids), User.active.is_(True))
        .order_by(User.id)
    )
    staff: dict[int, list[int]] = {}
    for merchant_id, user_id in rows:
        staff.setdefault(merchant_id, []).append(user_id)
    return staff


def kinds_heard_by(user: User) -> list[NotificationKind]:
    """The kinds of notification `user` can receive, in the order of NotificationKind (for the
    e-mail preferences): those of the rule table's parties they can be, and the sweep's."""
    entry = participants.of(user)
    parties = {
        CONSUMER: (P.CONSUMER,),
        SHOP_STAFF: (P.SHOP,),
        MEDIATOR: (P.MEDIATORS,),
    }.get(entry.party, (P.ASSIGNEE,) if entry.platform_staff else ())
    if entry.supervises:
        parties = (*parties, P.SUPERVISORS)
    kinds = {rule.kind for rules in RULES.values() for rule in rules if rule.party in parties}
    kinds.update(kind for rules in DEPOSIT_RULES.values() for kind, party in rules if party in parties)
    kinds.update(kind for party in parties for kind in SWEEP_KINDS.get(party, ()))
    if parties == (P.CONSUMER,):
        kinds.add(K.PLEDGE_DATE)
    return [kind for kind in NotificationKind if kind in kinds]


def announce_deposit(complaint: Complaint, user: User, verb: str, detail: dict) -> int:
    """Tell whom DEPOSIT_RULES names of a payout step `verb` on `complaint` (never `user`, and
    only parties to the complaint); returns how many were told. The caller commits."""
    rules = DEPOSIT_RULES.get(verb, ())
    if not rules:
        return 0
    people = _people(complaint, {party for _, party in rules})
    base = {
        "reference": complaint.reference,
        "action": verb,
        "actor_party": participants.of(user).party,
        "state": complaint.state.value,
        "amount": detail.get("deposit_amount"),
    }
    told, batch = {user.id}, []
    for kind, party in rules:
        heard = [p for p in people.get(party, ()) if p.id not in told and _may_hear(p, complaint, True)]
        told.update(p.id for p in heard)
        batch.extend(_for_each_view(heard, kind, complaint, user, base, None))
    return notifications.notify_many(batch) if batch else 0
