"""Who is who on a complaint: the participant policy, one entry per role.

Every question of the form "what is this person to this complaint?" is answered here and
nowhere else:

| role | complaints seen | workflow actor | internal notes | mediation notes | contact details | staff names |
|---|---|---|---|---|---|---|
| consumer | their own | consumer | no | no | their own in full | yes |
| agent | all | agent | yes | by setting¹ | full | yes |
| supervisor | all | supervisor | yes | by setting¹ | full | yes |
| mediator | referred to their organisation | mediator | no | yes | masked | yes |
| merchant | against their shop | merchant | no | no | masked | no ("Platform support") |
| admin | none | none | no | no | email in full, phone masked | yes |
| system | all | system | yes | yes | full | yes |

Views, template helpers, exports, notifications and (later) the API ask this module; nothing
else tests a role for visibility. A new kind of participant is one entry in PARTICIPANTS.

Why the contact rule is so: staff contact the consumer about the complaint; an admin manages
sign-in identities (emails) but never calls consumers; mediators arrange sessions through the
platform's staff, and shops answer through PledgeDesk, never around it. Mediation session notes
are the mediation organisation's own: independent mediation is confidential, so neither the parties
nor the platform's staff read them unless (¹) the platform's agreement with the organisations
says so (the setting MEDIATION_NOTES_TO_PLATFORM); the sessions' times and channels are on every
party's page.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, false, select, true

from complaints.extensions import db
from complaints.models import Complaint, Role, User
from complaints.workflow import Actor


class Contact(enum.StrEnum):
    """How much of a consumer's contact details a participant sees."""

    FULL = "full"  # email and phone
    EMAIL = "email"  # email in full, phone masked
    MASKED = "masked"  # both masked


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object  # a lazy translation


# The public pledge scorecard: in the footer of every page, and the navigation of a visitor.
PLEDGE_SCORECARD = NavItem("scorecard.pledge", _l("Our pledge"))


@dataclass(frozen=True)
class Participant:
    """What one role is to complaints. See the table in the module docstring."""

    role: Role | None  # None: the system (the scheduler)
    actor: Actor | None  # how the workflow sees it; None: never acts on complaints
    scope: Callable[[User | None], ColumnElement[bool]]  # the complaints it sees, as a WHERE clause
    takes_part: Callable[[User | None, Complaint], bool]  # the same rule, for one loaded complaint
    platform_staff: bool = False  # the platform's own agents and supervisors
    supervises: bool = False  # reassigns, takes over others' complaints, sees the pledge views
    data_subject: bool = False  # downloads the personal data held about them, deletes their account
    internal_notes: bool = False
    mediation_notes: bool = False
    contact: Contact = Contact.MASKED
    staff_names: bool = True
    party: str = "platform_staff"  # what it is called, as a party, in a consumer's data export
    home: str | None = None  # endpoint of its home page
    complaint_endpoint: str | None = None  # endpoint of a complaint page for it (takes `reference`)
    nav: tuple[NavItem, ...] = ()
    footer: tuple[NavItem, ...] = (PLEDGE_SCORECARD,)  # the public pages, linked under every page
    # The shops' guarantee deposits: whose ledgers it reads ("none", "own_shop", "every_shop"),
    # whether it tops up and adjusts them, whether it asks for payouts to consumers (approving
    # one is for those who supervise, and never the requester).
    deposits: str = "none"
    keeps_deposits: bool = False
    requests_payouts: bool = False
    reads_reports: bool = False  # the supervisors' dashboard and the quarterly service reports


def _everything(user: User | None) -> ColumnElement[bool]:
    return true()


def _nothing(user: User | None) -> ColumnElement[bool]:
    return false()


def _own(user: User | None) -> ColumnElement[bool]:
    return Complaint.consumer_id == user.id


def _organisations(user: User | None) -> ColumnElement[bool]:
    if user.mediation_org_id is None:
        return false()
    return Complaint.mediation_org_id == user.mediation_org_id


def _shops(user: User | None) -> ColumnElement[bool]:
    if user.merchant_id is None:
        return false()
    return Complaint.merchant_id == user.merchant_id


def _always(user: User | None, complaint: Complaint) -> bool:
    return True


def _never(user: User | None, complaint: Complaint) -> bool:
    return False


def _is_own(user: User | None, complaint: Complaint) -> bool:
    return complaint.consumer_id == user.id


def _is_organisations(user: User | None, complaint: Complaint) -> bool:
    return complaint.mediation_org_id is not None and complaint.mediation_org_id == user.mediation_org_id


def _is_shops(user: User | None, complaint: Complaint) -> bool:
    return user.merchant_id is not None and complaint.merchant_id == user.merchant_id


_DESK_NAV = (NavItem("desk.queue", _l("Queues")), NavItem("desk.search", _l("Search")))
_DEPOSITS_NAV = NavItem("deposits.shops", _l("Guarantee deposits"))
_REPUTATION_NAV = NavItem("reputation.shops", _l("Shop reputation"))
_REPORTS_NAV = NavItem("reports.dashboard", _l("Reports"))

_staff = dict(
    scope=_everything,
    takes_part=_always,
    platform_staff=True,
    internal_notes=True,
    contact=Contact.FULL,
    home="desk.queue",
    complaint_endpoint="desk.complaint",
    deposits="every_shop",
    requests_payouts=True,
)

PARTICIPANTS: dict[Role | None, Participant] = {
    Role.CONSUMER: Participant(
        role=Role.CONSUMER,
        actor=Actor.CONSUMER,
        scope=_own,
        takes_part=_is_own,
        party="consumer",
        data_subject=True,
        contact=Contact.MASKED,  # their own details are theirs: see contact_level()
        home="portal.my_complaints",
        complaint_endpoint="portal.complaint",
        nav=(
            NavItem("portal.my_complaints", _l("My complaints")),
            NavItem("portal.new_complaint", _l("File a complaint")),
        ),
    ),
    Role.AGENT: Participant(
        role=Role.AGENT, actor=Actor.AGENT, nav=(*_DESK_NAV, _DEPOSITS_NAV, _REPUTATION_NAV), **_staff
    ),
    Role.SUPERVISOR: Participant(
        role=Role.SUPERVISOR,
        actor=Actor.SUPERVISOR,
        supervises=True,
        keeps_deposits=True,
        reads_reports=True,
        nav=(*_DESK_NAV, _DEPOSITS_NAV, _REPUTATION_NAV, _REPORTS_NAV),
        **_staff,
    ),
    Role.MEDIATOR: Participant(
        role=Role.MEDIATOR,
        actor=Actor.MEDIATOR,
        scope=_organisations,
        takes_part=_is_organisations,
        party="mediator",
        mediation_notes=True,
        contact=Contact.MASKED,
        home="mediation.cases",
        complaint_endpoint="mediation.case",
        nav=(NavItem("mediation.cases", _l("Cases")),),
    ),
    Role.MERCHANT: Participant(
        role=Role.MERCHANT,
        actor=Actor.MERCHANT,
        scope=_shops,
        takes_part=_is_shops,
        party="merchant",
        contact=Contact.MASKED,
        staff_names=False,
        home="merchant.complaints",
        complaint_endpoint="merchant.complaint",
        nav=(
            NavItem("merchant.complaints", _l("Complaints about my shop")),
            NavItem("merchant.search", _l("Search")),
            NavItem("merchant.deposit", _l("Guarantee deposit")),
            NavItem("reputation.my_shop", _l("Reputation")),
        ),
        deposits="own_shop",
    ),
    Role.ADMIN: Participant(
        role=Role.ADMIN,
        actor=None,
        scope=_nothing,
        takes_part=_never,
        contact=Contact.EMAIL,
        home="admin.users",
        nav=(
            NavItem("admin.users", _l("Users")),
            NavItem("admin.merchants", _l("Merchants")),
            NavItem("admin.categories", _l("Categories")),
            NavItem("admin.organisations", _l("Mediation organisations")),
            NavItem("admin.policies", _l("Pledge policies")),
            NavItem("admin.calendars", _l("Calendars")),
            NavItem("admin.audit", _l("Audit log")),
            NavItem("admin.api_client_list", _l("API clients")),
            _DEPOSITS_NAV,
            _REPUTATION_NAV,
            _REPORTS_NAV,
        ),
        deposits="every_shop",
        keeps_deposits=True,
        reads_reports=True,
    ),
    None: Participant(
        role=None,
        actor=Actor.SYSTEM,
        scope=_everything,
        takes_part=_always,
        party="system",
        internal_notes=True,
        mediation_notes=True,
        contact=Contact.FULL,
    ),
}

# An account whose role has no entry (none today) is nobody: it sees and does nothing.
_NOBODY = Participant(role=None, actor=None, scope=_nothing, takes_part=_never, nav=(PLEDGE_SCORECARD,))

SYSTEM = PARTICIPANTS[None]


def of(user: User | None) -> Participant:
    """The policy entry of `user` (None: the system; an anonymous visitor: nobody)."""
    if user is None:
        return SYSTEM
    role = getattr(user, "role", None)  # an anonymous visitor has none
    return PARTICIPANTS.get(role, _NOBODY) if role is not None else _NOBODY


# --- Questions asked about people -----------------------------------------------------------


def roles_where(predicate: Callable[[Participant], bool]) -> tuple[Role, ...]:
    """The roles whose entry satisfies `predicate`, e.g. roles_where(lambda p: p.platform_staff)."""
    return tuple(role for role, entry in PARTICIPANTS.items() if role is not None and predicate(entry))


def platform_staff_roles() -> tuple[Role, ...]:
    """Roles of the platform's own staff: those who work the desk and can be assigned complaints."""
    return roles_where(lambda p: p.platform_staff)


def supervisor_roles() -> tuple[Role, ...]:
    """Roles told of every breach and allowed to reassign and override."""
    return roles_where(lambda p: p.supervises)


def is_platform_staff(user: User | None) -> bool:
    return user is not None and of(user).platform_staff


def supervises(user: User | None) -> bool:
    return user is not None and of(user).supervises


def workflow_actor(user: User | None) -> Actor | None:
    """How the workflow sees `user`; None for roles that never act on complaints."""
    return of(user).actor


# --- Complaints as a participant sees them --------------------------------------------------


def visible_complaints(user: User | None) -> Select:
    """A SELECT of the complaints `user` may see; nothing for a role without a scope."""
    return select(Complaint).where(of(user).scope(user))


def sees_every_complaint(user: User | None) -> bool:
    """Whether `user`'s scope is every complaint (no WHERE clause narrows what they see)."""
    return of(user).scope is _everything


def get_visible_complaint(user: User | None, reference: str, *, options=()) -> Complaint | None:
    """The complaint with `reference` if `user` may see it, else None (the caller answers 404)."""
    row = get_visible_complaint_with(user, reference, (), options=options)
    return row[0] if row is not None else None


def get_visible_complaint_with(user: User | None, reference: str, columns, *, options=()):
    """(the complaint, *columns) read in one statement, if `user` may see the complaint with
    `reference`; else None. columns: expressions of the complaint's row (correlated EXISTS)."""
    query = visible_complaints(user).where(Complaint.reference == reference).options(*options)
    return db.session.execute(query.add_columns(*columns)).first()


def is_party(user: User | None, complaint: Complaint) -> bool:
    """Whether `user` takes part in `complaint` (the scope rule, for one loaded complaint).
    Callers load complaints through scoped queries already; this keeps a mistake there from
    becoming an action on the wrong case."""
    return of(user).takes_part(user, complaint)


def sees_internal_notes(user: User | None) -> bool:
    """Internal notes (and the events only staff see) are for the platform's staff."""
    return of(user).internal_notes


def sees_mediation_notes(user: User | None) -> bool:
    """Mediation session notes: the mediation organisation's (and the system's) only, and the
    platform's staff too where the platform's mediation policy shares them with it
    (MEDIATION_NOTES_TO_PLATFORM, off by default). Never the parties."""
    entry = of(user)
    return entry.mediation_notes or (
        entry.platform_staff and current_app.config["MEDIATION_NOTES_TO_PLATFORM"]
    )


def sees_staff_names(user: User | None) -> bool:
    """Whether `user` sees which member of staff acted, or only "Platform support"."""
    return of(user).staff_names


def contact_level(viewer: User | None, consumer: User | None) -> Contact:
    """How much of `consumer`'s contact details `viewer` sees (their own: everything)."""
    if viewer is not None and consumer is not None and getattr(viewer, "id", None) == consumer.id:
        return Contact.FULL
    return of(viewer).contact


def home_url(user: User | None) -> str:
    """The page `user` starts from after signing in."""
    endpoint = of(user).home
    return url_for(endpoint) if endpoint else url_for("auth.index")


def complaint_url(user: User | None, reference: str) -> str | None:
    """The page of complaint `reference` in `user`'s own area; None when they have none."""
    endpoint = of(user).complaint_endpoint
    return url_for(endpoint, reference=reference) if endpoint else None


def nav_items(user: User | None) -> tuple[NavItem, ...]:
    """The main navigation of `user`'s area."""
    return of(user).nav


def footer_items(user: User | None) -> tuple[NavItem, ...]:
    """The links under every page for `user` (a visitor too): the public pages."""
    return of(user).footer


# The platform's own areas (deposits, reputation, reports) and the API clients: their questions
# read the entries above, and live beside them (complaints/participant_areas.py).
from complaints.participant_areas import (  # noqa: E402,F401
    api_client_acts_for,
    api_client_hears_of,
    deposit_roles,
    keeps_deposits,
    report_roles,
    reputation_roles,
    requests_payouts,
    sees_deposit_of,
    sees_every_deposit,
    sees_reputation_of,
)
