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
    """The open load of each organisation (organisation id -> cases), counted up to its capacity,
    in one read.

    Whether an organisation has room, and how much, is all anyone asks of its load, and past its
    capacity it has none however far past. So each count stops at the capacity: at most that many
    index entries are read per organisation, not every complaint it mediates (a platform with
    10,000 complaints in mediation read them all for every referral form, 40 ms and more).
    """
    if not organisations:
        return {}
    counts = []
    for organisation in organisations:
        in_mediation = select(Complaint.id).where(
            Complaint.mediation_org_id == organisation.id, Complaint.state == State.MEDIATED
        )
        awaiting_consent = select(Referral.id).where(
            Referral.organisation_id == organisation.id,
            Referral.status == ReferralStatus.AWAITING_CONSENT,
        )
        for cases in (in_mediation, awaiting_consent):
            counted = cases.limit(organisation.capacity).subquery()
            counts.append(select(func.count()).select_from(counted).scalar_subquery())
    row = db.session.execute(select(*counts)).one()
    return {
        organisation.id: min(row[2 * i] + row[2 * i + 1], organisation.capacity)
        for i, organisation in enumerate(organisations)
    }


def organisations_for(category_id: int | None) -> list[MediationOrganisation]:
    """The active organisations that take `category_id`, by name (the referral forms' choices)."""
    active = db.session.scalars(
        select(MediationOrganisation)
        .where(MediationOrganisation.active.is_(True))
        .order_by(MediationOrganisation.name)
        .options(joinedload(MediationOrganisation.categories))  # with the organisations: one read
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
    if organisation is None or not organisation.active:
        raise Refusal(N_("Choose a mediation organisation that takes referrals."))
    if not takes_category(organisation, complaint.category_id):
        raise Refusal(N_("This mediation organisation does not take complaints of this category."))
    if spare_capacity(organisation, open_loads([organisation])) <= 0:
        raise Refusal(
            N_("This mediation organisation has no room for another case now: choose another."),
        )
    return organisation
