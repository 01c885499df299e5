"""Which mediation organisation a referral goes to: those that take the complaint's category and
have room, and the one the platform proposes (the most spare capacity).

An organisation's open load is what it mediates or is about to: complaints in mediation with it
(waiting for its acceptance, accepted, or referred before consent was asked) and referrals to it
still waiting for the parties' consent. Its capacity is the most it takes at once.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from complaints.bounds import find
from complaints.extensions import db
from complaints.models import Complaint, MediationOrganisation, Referral, ReferralStatus
from complaints.workflow import N_, Refusal, State


def takes_category(organisation: MediationOrganisation, category_id: int | None) -> bool:
    """Whether `organisation` takes complaints of `category_id` (one listing no category takes all)."""
    return not organisation.categories or category_id in organisation.category_ids


def open_loads(organisations: list[MediationOrganisation]) -> dict[int, int]:
    """The open load of each organisation (organisation id -> cases), up to its capacity: past it,
    an organisation has no room however far past.

    The count is `MediationOrganisation.open_cases`, which the database keeps as complaints and
    referrals change (counting the cases on every referral form cost 2.5 ms at a million
    complaints). `organisations` must have been read after this transaction's last change to a
    case, as organisations_for and chosen_organisation read them: an object read earlier holds the
    count of then. `recount` is the same count made from the cases themselves.
    """
    return {org.id: min(org.open_cases, org.capacity) for org in organisations}


def recount(organisation_id: int) -> int:
    """An organisation's open cases counted from the cases: its complaints in mediation and its
    referrals waiting for consent (what `open_cases` must always equal)."""
    in_mediation = select(func.count()).where(
        Complaint.mediation_org_id == organisation_id, Complaint.state == State.MEDIATED
    )
    awaiting_consent = select(func.count()).where(
        Referral.organisation_id == organisation_id, Referral.status == ReferralStatus.AWAITING_CONSENT
    )
    return db.session.scalar(select(in_mediation.scalar_subquery() + awaiting_consent.scalar_subquery()))


def organisations_for(category_id: int | None) -> list[MediationOrganisation]:
    """The active organisations that take `category_id`, by name (the referral forms' choices)."""
    active = db.session.scalars(
        select(MediationOrganisation)
        .where(MediationOrganisation.active.is_(True))
        .order_by(MediationOrganisation.name)
        .options(joinedload(MediationOrganisation.categories))  # with the organisations: one read
        .execution_options(populate_existing=True)  # open_cases as it is now (open_loads)
    ).unique()
    return [org for org in active if takes_category(org, category_id)]


def spare_capacity(organisation: MediationOrganisation, loads: dict[int, int]) -> int:
    return organisation.capacity - loads.get(organisation.id, 0)


def propose(
    category_id: int | None, candidates: list[MediationOrganisation] | None = None
) -> MediationOrganisation | None:
    """The organisation the platform proposes for a complaint of `category_id`: of the active ones
    that take the category and have room, the one with the most spare capacity (by name on a tie);
    None when none has room. candidates: organisations_for(category_id), when the caller has it."""
    if candidates is None:
        candidates = organisations_for(category_id)
    loads = open_loads(candidates)
    with_room = [org for org in candidates if spare_capacity(org, loads) > 0]
    if not with_room:
        return None
    return min(with_room, key=lambda org: (-spare_capacity(org, loads), org.name))


def chosen_organisation(complaint: Complaint, organisation_id) -> MediationOrganisation:
    """The organisation the referrer chose for `complaint`, if it may take it; else Refusal saying
    why (inactive or unknown, not taking the category, at capacity)."""
    organisation = find(MediationOrganisation, organisation_id)
    if organisation is not None:
        db.session.refresh(organisation)  # its count as it is now (open_loads), not when first read
    if organisation is None or not organisation.active:
        raise Refusal(N_("Choose a mediation organisation that takes referrals."))
    if not takes_category(organisation, complaint.category_id):
        raise Refusal(N_("This mediation organisation does not take complaints of this category."))
    if spare_capacity(organisation, open_loads([organisation])) <= 0:
        raise Refusal(
            N_("This mediation organisation has no room for another case now: choose another."),
        )
    return organisation
