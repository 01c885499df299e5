"""`flask seed-demo`: a small, believable marketplace to click through.

Every complaint is filed and moved through the real services (filing, lifecycle) while a frozen
clock walks forward over the last sixty days, so timelines, timestamps, reference numbers and
hash chains are exactly what the application itself would have written. The random seed is
fixed: two empty databases seeded on the same day hold the same story.
"""

from __future__ import annotations

import heapq
import os
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import func, select

from complaints import timekeeping as clocks
from complaints.extensions import db
from complaints.models import Category, Complaint, MediationOrganisation, Merchant, Role, SlaClock, User
from complaints.participants import get_visible_complaint
from complaints.seed import demo_desk, texts
from complaints.seed.pledge_names import declare_demo_holidays, name_the_shipped_pledge
from complaints.seed.stories import (
    OPEN_OFFER,
    Story,
    money,
    referrals_await_consent,
    shop_takes_part,
    write_route,
)
from complaints.services.accounts import check_password_rules, create_user
from complaints.services.filing import ComplaintDraft, file_complaint
from complaints.services.lifecycle import apply_action
from complaints.services.pledge_keeping import sweep
from complaints.services.settlements import offers_of
from complaints.workflow import Action, State

DEMO_DOMAIN = "pledgedesk.example"
DEFAULT_PASSWORD = "pledge-demo-2026"
PASSWORD_ENV = "DEMO_PASSWORD"
RANDOM_SEED = 20260302
DAYS = 60
OTHER_CONSUMERS = 40

# (key, role, name): the accounts a visitor signs in with; the email is key@DEMO_DOMAIN.
DEMO_ACCOUNTS = (
    ("consumer", Role.CONSUMER, "林晓"),
    ("agent1", Role.AGENT, "陈静"),
    ("agent2", Role.AGENT, "Daniel Wu"),
    ("supervisor", Role.SUPERVISOR, "周敏"),
    ("mediator1", Role.MEDIATOR, "王建国"),
    ("mediator2", Role.MEDIATOR, "Sarah Li"),
    ("admin", Role.ADMIN, "赵磊"),
)
# (key, name): staff of the shop most demo complaints are about (known once the stories are written).
DEMO_SHOP_STAFF = (("shop", "刘洋"),)
EVERY_DEMO_ACCOUNT = DEMO_ACCOUNTS + tuple((key, Role.MERCHANT, name) for key, name in DEMO_SHOP_STAFF)

# How many complaints end in each state: (all of them, those of the demo consumer).
STATE_PLAN = {
    State.RECEIVED: (30, 2),
    State.VERIFIED: (28, 2),
    State.MEDIATED: (20, 2),
    State.RESOLVED: (24, 2),
    State.REJECTED: (16, 2),
    State.WITHDRAWN: (12, 1),
    State.CLOSED: (70, 4),
}

# When a story's last step happened, in days before now. Decisions stay inside the appeal
# window (15 days by default), otherwise the closing job would already have closed them.
LAST_STEP_DAYS_AGO = {
    State.RECEIVED: (0.02, 4),
    State.VERIFIED: (0.05, 6),
    State.MEDIATED: (0.1, 8),
    State.RESOLVED: (0.1, 13),
    State.REJECTED: (0.1, 13),
    State.WITHDRAWN: (0.1, 13),
    State.CLOSED: (0.5, 40),
}


def demo_email(key: str) -> str:
    return f"{key}@{DEMO_DOMAIN}"


def demo_password() -> str:
    return os.environ.get(PASSWORD_ENV) or DEFAULT_PASSWORD


@dataclass
class DemoResult:
    """What seed_demo did: either created everything, or found data and left it alone."""

    created: bool
    password: str | None = None
    logins: list[tuple[str, str]] = field(default_factory=list)  # (role, email)
    existing_emails: list[str] = field(default_factory=list)
    complaints: int = 0


def seed_demo(password: str | None = None) -> DemoResult:
    """Fill an empty database with the demo marketplace; leave a database with users alone.

    password: the one password of every demo account (default: $DEMO_PASSWORD or
    DEFAULT_PASSWORD). Raises Refusal if that password is too weak. Commits as it goes; the
    app's clock is restored afterwards.
    """
    if db.session.scalar(select(func.count()).select_from(User)):
        emails = [demo_email(key) for key, _, _ in EVERY_DEMO_ACCOUNT]
        existing = db.session.scalars(select(User.email).where(User.email.in_(emails)).order_by(User.id))
        return DemoResult(created=False, existing_emails=list(existing))
    password = password or demo_password()
    check_password_rules(password)  # refuse a weak $DEMO_PASSWORD before writing anything
    app = current_app._get_current_object()
    previous = clocks.current_clock(app)
    end = clocks.now()
    clock = clocks.FrozenClock(end - timedelta(days=DAYS + 5))
    clocks.install_clock(app, clock)
    try:
        rng = random.Random(RANDOM_SEED)
        cast = _Cast.build(rng, password)
        declare_demo_holidays(db.session.get(User, cast.people["admin"]), end.year + 1)
        stories = _write_stories(rng, cast, end)
        shop_id = _add_shop_staff(cast, stories, password)
        shop_takes_part(stories, shop_id, DEMO_SHOP_STAFF[0][0], end)
        referrals_await_consent(stories, shop_id, end)
        _play(stories, clock, end)
        demo_desk.set_up(cast.people["supervisor"], cast.merchants, end)
    finally:
        clocks.install_clock(app, previous)
    logins = [(role.value, demo_email(key)) for key, role, _ in EVERY_DEMO_ACCOUNT]
    return DemoResult(created=True, password=password, logins=logins, complaints=len(stories))


@dataclass
class _Cast:
    """Everyone and everything the stories need, by id."""

    people: dict[str, int]
    consumers: list[int]
    merchants: list[int]
    categories: dict[str, int]
    org_id: int

    @classmethod
    def build(cls, rng: random.Random, password: str) -> _Cast:
        at = clocks.now()
        orgs = [
            MediationOrganisation(name=chinese, name_en=english, active=True, capacity=200, created_at=at)
            for chinese, english in texts.MEDIATION_ORGANISATIONS
        ]
        name_the_shipped_pledge()  # the policies and calendars migration 0002 named in English
        merchants = [
            Merchant(shop_code=code, name=name, contact_email=email, active=True, created_at=at)
            for code, name, email in texts.DEMO_MERCHANTS
        ]
        categories = [Category(code=c, name_zh=zh, name_en=en, active=True) for c, zh, en in texts.CATEGORIES]
        db.session.add_all(orgs + merchants + categories)
        db.session.flush()
        people = {}
        affiliations = {Role.MEDIATOR: {"mediation_org_id": orgs[0].id}}  # whom each account works for
        for key, role, name in DEMO_ACCOUNTS:
            user = create_user(
                email=demo_email(key),
                name=name,
                password=password,
                role=role,
                locale="en" if name.isascii() else "zh_CN",
                **affiliations.get(role, {}),
            )
            people[key] = user.id
        consumers = _other_consumers(rng, db.session.get(User, people["consumer"]).password_hash)
        db.session.commit()
        return cls(
            people, consumers, [m.id for m in merchants], {c.code: c.id for c in categories}, orgs[0].id
        )


def _other_consumers(rng: random.Random, password_hash: str) -> list[int]:
    # They share the demo password; one hash for all keeps seeding fast (Argon2 is slow on purpose).
    users = []
    for n in range(1, OTHER_CONSUMERS + 1):
        name, local = texts.person_name(rng, english=rng.random() < 0.2)
        users.append(
            User(
                email=f"{local}{n}@mail.example",
                name=name,
                password_hash=password_hash,
                role=Role.CONSUMER,
                active=True,
                created_at=clocks.now(),
            )
        )
    db.session.add_all(users)
    db.session.flush()
    return [u.id for u in users]


def _write_stories(rng: random.Random, cast: _Cast, end: datetime) -> list[Story]:
    """Every complaint's story, placed in time so that its last step is where its state says."""
    plan = [(state, True) for state, (_, mine) in STATE_PLAN.items() for _ in range(mine)]
    plan += [(state, False) for state, (total, mine) in STATE_PLAN.items() for _ in range(total - mine)]
    codes = [code for code, _, _ in texts.CATEGORIES]
    stories = []
    for state, mine in plan:
        consumer_id = cast.people["consumer"] if mine else rng.choice(cast.consumers)
        story = Story(rng, cast, consumer_id, lang="zh" if rng.random() < (0.95 if mine else 0.9) else "en")
        story.appeal_window_hours = current_app.config["APPEAL_WINDOW_DAYS"] * 24
        story.agent = rng.choices(("agent1", "agent2", "supervisor"), (45, 45, 10))[0]
        story.mediator = rng.choice(("mediator1", "mediator2"))
        story.draft = _draft(rng, cast, rng.choices(codes, texts.CATEGORY_WEIGHTS)[0], story.lang)
        write_route(story, state)
        story.state = state
        lo, hi = LAST_STEP_DAYS_AGO[state]
        last = end - timedelta(days=rng.uniform(lo, hi))
        earliest = end - timedelta(days=DAYS)
        filed_at = max(last - timedelta(hours=story.hours), earliest + timedelta(hours=rng.uniform(0, 30)))
        # A long story clamped to the window must still end before now.
        story.filed_at = min(filed_at, end - timedelta(hours=story.hours + 0.1))
        stories.append(story)
    return stories


def _add_shop_staff(cast: _Cast, stories: list[Story], password: str) -> int:
    """The demo shop accounts: staff of the shop with the most complaints among those the demo consumer
    has open (the first of equals).

    Chosen from the written stories rather than by drawing from `rng`, so the stories stay the same.
    """
    filed = Counter(story.draft.merchant_id for story in stories)
    # Among the shops of the demo consumer's open complaints, so that the consumer can answer the
    # demo shop's offer (seed.stories.shop_takes_part).
    open_ones = (State.RECEIVED, State.VERIFIED)
    theirs = {
        s.draft.merchant_id
        for s in stories
        if s.consumer_id == cast.people["consumer"] and s.state in open_ones
    }
    busiest = min(theirs or filed, key=lambda merchant_id: (-filed[merchant_id], merchant_id))
    for key, name in DEMO_SHOP_STAFF:
        cast.people[key] = create_user(
            email=demo_email(key),
            name=name,
            password=password,
            role=Role.MERCHANT,
            locale="zh_CN",
            merchant_id=busiest,
        ).id
    db.session.commit()
    return busiest


def _draft(rng: random.Random, cast: _Cast, category: str, lang: str) -> ComplaintDraft:
    shop = rng.randrange(len(cast.merchants))  # cast.merchants follow texts.DEMO_MERCHANTS
    products = texts.SHOP_PRODUCTS[texts.DEMO_MERCHANTS[shop][0]]  # what that shop sells
    title, description = texts.complaint_text(rng, category, lang, products)
    amount = money(Decimal(str(round(rng.lognormvariate(6.2, 1.2), 2))))
    return ComplaintDraft(
        merchant_id=cast.merchants[shop],
        category_id=cast.categories[category],
        order_reference=f"{rng.randrange(10**17, 10**18)}",
        title=title,
        description=description,
        desired_outcome=rng.choice(texts.DESIRED[category]),
        claimed_amount=min(amount, Decimal("30000.00")),
    )


def _play(stories: list[Story], clock: clocks.FrozenClock, end: datetime) -> None:
    """Run every step of every story in time order, each as its own committed transaction.

    The SLA sweep runs whenever a pledged window warns or runs out, as the scheduler would.
    """
    agenda = [(story.filed_at, index, -1) for index, story in enumerate(stories)]
    heapq.heapify(agenda)
    while agenda:
        at, index, step = heapq.heappop(agenda)
        story = stories[index]
        _sweep_until(clock, at)
        clock.set(at)
        if step < 0:
            consumer = db.session.get(User, story.consumer_id)
            story.reference = file_complaint(consumer, story.draft).reference
        else:
            _, who, action, params = story.steps[step]
            _act(story, who, action, params)
        db.session.commit()
        if step + 1 < len(story.steps):
            heapq.heappush(
                agenda, (story.filed_at + timedelta(hours=story.steps[step + 1][0]), index, step + 1)
            )
    _sweep_until(clock, end)


def _sweep_until(clock: clocks.FrozenClock, until: datetime) -> None:
    """Run the SLA sweep at each minute in which a running clock warned or ran out, up to `until`."""
    running = (SlaClock.stopped_at.is_(None), SlaClock.paused_at.is_(None))
    swept_at = None
    while True:
        marks = [
            db.session.scalar(
                select(func.min(SlaClock.warn_at)).where(*running, SlaClock.warned_at.is_(None))
            ),
            db.session.scalar(
                select(func.min(SlaClock.due_at)).where(*running, SlaClock.breached_at.is_(None))
            ),
        ]
        due = min((mark for mark in marks if mark is not None), default=None)
        if due is None:
            return
        at = due.replace(second=0, microsecond=0) + timedelta(minutes=1)  # the scheduler runs each minute
        if at > until or at == swept_at:  # not yet due, or the last sweep could not record it
            return
        clock.set(at)
        sweep()
        swept_at = at


def _act(story: Story, who: str | None, action: Action, params: dict) -> None:
    if who is None:
        user = None
        complaint = db.session.scalar(select(Complaint).where(Complaint.reference == story.reference))
    else:
        user_id = story.consumer_id if who == "consumer" else story.cast.people[who]
        user = db.session.get(User, user_id)
        complaint = get_visible_complaint(user, story.reference)
    if isinstance(params.get("held_at"), timedelta):
        params = {**params, "held_at": clocks.now() - params["held_at"]}
    if isinstance(params.get("perform_by"), timedelta):
        params = {**params, "perform_by": clocks.now() + params["perform_by"]}
    if params.get("offer_id") == OPEN_OFFER:
        offer = next(o for o in offers_of(complaint.id) if o.is_open)
        params = {**params, "offer_id": offer.id}
    apply_action(complaint, user, action, **params)
