"""Test helpers: a small marketplace with one person per role, and signing in as them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import event

from complaints.extensions import db
from complaints.models import Category, Complaint, MediationOrganisation, Merchant, Role, User
from complaints.services.accounts import create_user
from complaints.services.filing import ComplaintDraft, file_complaint
from complaints.timekeeping import now

PASSWORD = "correct-horse-9"


@dataclass
class Person:
    id: int
    email: str
    role: Role


@dataclass
class World:
    people: dict[str, Person] = field(default_factory=dict)
    merchant_ids: list[int] = field(default_factory=list)
    category_ids: list[int] = field(default_factory=list)
    org_id: int = 0
    other_org_id: int = 0

    def __getattr__(self, name: str) -> Person:
        try:
            return self.__dict__["people"][name]
        except KeyError as exc:
            raise AttributeError(name) from exc

    @classmethod
    def build(cls) -> World:
        world = cls()
        at = now()
        merchants = [
            Merchant(shop_code="SHOP-A", name="优品数码旗舰店", active=True, created_at=at),
            Merchant(shop_code="SHOP-B", name="Green Valley Foods", active=True, created_at=at),
        ]
        categories = [
            Category(code="quality", name_zh="商品质量", name_en="Product quality"),
            Category(code="delivery", name_zh="物流配送", name_en="Delivery"),
        ]
        orgs = [
            MediationOrganisation(name="上海消费纠纷调解中心", active=True, created_at=at),
            MediationOrganisation(name="Other Mediation Org", active=True, created_at=at),
        ]
        db.session.add_all(merchants + categories + orgs)
        db.session.flush()
        world.merchant_ids = [m.id for m in merchants]
        world.category_ids = [c.id for c in categories]
        world.org_id, world.other_org_id = orgs[0].id, orgs[1].id
        specs = {
            "consumer": (Role.CONSUMER, {}),
            "other_consumer": (Role.CONSUMER, {}),
            "agent": (Role.AGENT, {}),
            "agent2": (Role.AGENT, {}),
            "supervisor": (Role.SUPERVISOR, {}),
            "mediator": (Role.MEDIATOR, {"mediation_org_id": orgs[0].id}),
            "other_mediator": (Role.MEDIATOR, {"mediation_org_id": orgs[1].id}),
            "admin": (Role.ADMIN, {}),
            # Staff of the shop the complaints are filed against (merchant_ids[0]).
            "merchant": (Role.MERCHANT, {"merchant_id": merchants[0].id}),
        }
        for key, (role, extra) in specs.items():
            user = create_user(
                email=f"{key}@example.com",
                name=key.replace("_", " ").title(),
                password=PASSWORD,
                role=role,
                **extra,
            )
            world.people[key] = Person(user.id, user.email, role)
        db.session.commit()
        return world

    def file(self, consumer: str = "consumer", **overrides) -> str:
        """File a complaint as `consumer` through the service; return its reference."""
        values = dict(
            merchant_id=self.merchant_ids[0],
            category_id=self.category_ids[0],
            order_reference="ORD-20260301-0001",
            title="收到的耳机左耳没有声音",
            description="三月一日收到的蓝牙耳机左耳没有声音,联系客服要求退款,一直没有回复。",
            desired_outcome="refund",
            claimed_amount=Decimal("299.00"),
        )
        values.update(overrides)
        user = db.session.get(User, self.people[consumer].id)
        complaint = file_complaint(user, ComplaintDraft(**values))
        db.session.commit()
        return complaint.reference

    def complaint(self, reference: str) -> Complaint:
        db.session.expire_all()
        return db.session.query(Complaint).filter_by(reference=reference).one()

    def user(self, key: str) -> User:
        return db.session.get(User, self.people[key].id)


class AuthActions:
    """Sign in and out through the real login form."""

    def __init__(self, client):
        self.client = client

    def login(self, email: str, password: str = PASSWORD):
        return self.client.post("/login", data={"email": email, "password": password})

    def logout(self):
        return self.client.post("/logout")


# Where each area of the site shows a complaint; an action is posted to <page>/<action>.
COMPLAINT_PAGES = {
    "desk": "/desk/complaints",
    "portal": "/portal/complaints",
    "mediation": "/mediation/cases",
    "merchant": "/merchant/complaints",
}


def version_from(html: str) -> str:
    match = re.search(r'name="version" value="(\d+)"', html)
    assert match, "no version field in the page"
    return match.group(1)


def act(client, area: str, reference: str, action: str, **fields):
    """Take `action` on a complaint from its page in `area` ("desk", "portal", "mediation"), as a
    browser would: the form carries the CSRF token and the version that page shows. `fields` are
    what the person fills in, and may override either."""
    page = client.get(f"{COMPLAINT_PAGES[area]}/{reference}")
    assert page.status_code == 200, f"{area} page of {reference}: {page.status_code}"
    html = page.get_data(as_text=True)
    data = {"csrf_token": csrf_token_from(html), "version": version_from(html), **fields}
    return client.post(f"{COMPLAINT_PAGES[area]}/{reference}/{action}", data=data)


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "no CSRF token in the page"
    return match.group(1)


SHANGHAI = ZoneInfo("Asia/Shanghai")


def shanghai(*args) -> datetime:
    """A wall-clock instant in Shanghai, the platform's zone: shanghai(2026, 3, 2, 14, 30)."""
    return datetime(*args, tzinfo=SHANGHAI)


def act_as(world: World, ref: str, who: str | None, action, **params) -> Complaint:
    """Take `action` on complaint `ref` as `who` (None: the system) through the lifecycle service and
    commit, as a view would; return the complaint as it now is. Refusal propagates, nothing changed."""
    from complaints.services.lifecycle import apply_action

    apply_action(world.complaint(ref), world.user(who) if who else None, action, **params)
    db.session.commit()
    return world.complaint(ref)


# The events the pledge engine writes on a complaint's timeline (sla/clocks.py, sla/sweep.py).
PLEDGE_VERBS = frozenset(
    {
        "clock_started",
        "clock_stopped",
        "clock_paused",
        "clock_resumed",
        "clock_retargeted",
        "sla_warning",
        "sla_breach",
    }
)


def consent_and_accept(world: World, ref: str, *, consumer: bool = True, shop: bool = True) -> Complaint:
    """Take a referred complaint through the parties' consents and the organisation's acceptance,
    through the lifecycle service as the portals would (a party that referred has consented)."""
    from complaints.services.lifecycle import apply_action
    from complaints.workflow import Action

    steps = []
    if consumer:
        steps.append(("consumer", Action.CONSENT_REFERRAL))
    if shop:
        steps.append(("merchant", Action.CONSENT_REFERRAL))
    steps.append(("mediator", Action.ACCEPT_REFERRAL))
    for who, action in steps:
        apply_action(world.complaint(ref), world.user(who), action)
        db.session.commit()
    return world.complaint(ref)


def refer_to_mediation(world: World, ref: str, who: str = "agent", **params) -> Complaint:
    """Escalate `ref` as `who` to the world's organisation; both parties consent and the
    organisation accepts: mediation is underway."""
    from complaints.workflow import Action

    params.setdefault("mediation_org_id", world.org_id)
    action = Action.DISPUTE if who == "consumer" and "reason" in params else Action.ESCALATE
    act_as(world, ref, who, action, **params)
    return consent_and_accept(world, ref, consumer=who != "consumer")


def mediation_accepted(complaint: Complaint) -> Complaint:
    """Take a complaint just referred through the consents and the organisation's acceptance, as
    its people would: its consumer consents (unless they referred), an agent records the shop's
    consent, a mediator of the organisation accepts. Commits each step."""
    from sqlalchemy import select

    from complaints.models import ConsentParty
    from complaints.services.lifecycle import apply_action
    from complaints.sla.facts import latest_referral
    from complaints.workflow import Action

    referral = latest_referral(complaint.id)
    agent = db.session.scalars(select(User).where(User.role == Role.AGENT).order_by(User.id)).first()
    mediator = db.session.scalars(
        select(User)
        .where(User.role == Role.MEDIATOR, User.mediation_org_id == referral.organisation_id)
        .order_by(User.id)
    ).first()
    steps = [(agent, Action.CONSENT_REFERRAL), (mediator, Action.ACCEPT_REFERRAL)]
    if referral.answer_of(ConsentParty.CONSUMER) is None:
        steps.insert(0, (db.session.get(User, complaint.consumer_id), Action.CONSENT_REFERRAL))
    for user, action in steps:
        apply_action(db.session.get(Complaint, complaint.id), user, action)
        db.session.commit()
    return db.session.get(Complaint, complaint.id)


def referred_to(complaint: Complaint) -> int | None:
    """The organisation `complaint`'s latest referral to mediation names (its mediators see the
    case once both parties consented; until then complaint.mediation_org_id is unset)."""
    from complaints.sla.facts import latest_referral

    referral = latest_referral(complaint.id)
    return referral.organisation_id if referral is not None else None


def statements_during(fn) -> tuple[object, list[str]]:
    """What `fn()` returns and the SQL statements it sent, whitespace folded (run it in an app
    context; a test client's request in an app context of its own gets a fresh `g` and session,
    as a served request does)."""
    seen: list[str] = []

    def note(conn, cursor, statement, *args):
        seen.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        return fn(), seen
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
