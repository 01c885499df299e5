"""Each mediation organisation's open cases, as the database keeps them (migration
0025_open_cases): every change that starts or ends a case moves the count in its own transaction,
whoever writes it, and the count always equals a recount of the cases."""

from __future__ import annotations

import importlib.util
from datetime import timedelta
from pathlib import Path

from sqlalchemy import delete, insert, select, text, update

from complaints.extensions import db
from complaints.models import Complaint, MediationOrganisation
from complaints.services import referral_choice
from complaints.timekeeping import now
from complaints.workflow import Action, State
from tests.support import act_as, mediation_accepted


def counted(world) -> dict[int, int]:
    """Each of the world's organisations: (the count kept, the recount)."""
    db.session.expire_all()
    kept = dict(db.session.execute(select(MediationOrganisation.id, MediationOrganisation.open_cases)).all())
    return {org: (kept[org], referral_choice.recount(org)) for org in (world.org_id, world.other_org_id)}


def kept(world) -> tuple[int, int]:
    both = counted(world)
    assert all(count == recount for count, recount in both.values()), both
    return both[world.org_id][0], both[world.other_org_id][0]


def referred(world, org_id: int) -> str:
    reference = world.file()
    act_as(world, reference, "agent", Action.VERIFY)
    act_as(world, reference, "agent", Action.ESCALATE, mediation_org_id=org_id, reason="金额分歧")
    return reference


def test_a_referral_is_one_case_from_the_referral_to_the_outcome(world):
    assert kept(world) == (0, 0)
    reference = referred(world, world.org_id)
    assert kept(world) == (1, 0)  # waiting for consent
    mediation_accepted(world.complaint(reference))  # both consent: in mediation, then accepted
    assert world.complaint(reference).state is State.MEDIATED
    assert kept(world) == (1, 0)
    settled = {"outcome": "settled", "note": "refund of 100 yuan agreed", "compensation_amount": "100"}
    act_as(
        world,
        reference,
        "mediator",
        Action.RECORD_OUTCOME,
        **settled,
        payer="shop",
        perform_by=(now() + timedelta(days=30)).date(),
    )
    assert world.complaint(reference).state is not State.MEDIATED
    assert kept(world) == (0, 0)


def test_a_declined_referral_frees_its_place_and_a_new_one_takes_another(world):
    reference = referred(world, world.org_id)
    referred(world, world.other_org_id)
    assert kept(world) == (1, 1)
    act_as(world, reference, "merchant", Action.DECLINE_REFERRAL, reason="我们不同意调解")
    assert kept(world) == (0, 1)


def test_a_change_rolled_back_moves_nothing(world):
    reference = referred(world, world.org_id)
    complaint = world.complaint(reference)
    complaint.mediation_org_id = world.other_org_id
    complaint.state = State.MEDIATED
    db.session.flush()
    assert counted(world)[world.other_org_id] == (1, 1)  # in this transaction
    db.session.rollback()
    assert kept(world) == (1, 0)


def test_rows_written_without_the_application_are_counted_too(world):
    """The seeders insert in bulk and an operator may fix a row by hand: the triggers see both."""
    reference = world.file()
    complaint_id = world.complaint(reference).id
    moved = update(Complaint).where(Complaint.id == complaint_id)
    db.session.execute(moved.values(state=State.MEDIATED, mediation_org_id=world.org_id))
    assert kept(world) == (1, 0)
    db.session.execute(moved.values(mediation_org_id=world.other_org_id))
    assert kept(world) == (0, 1)
    db.session.execute(moved.values(state=State.MEDIATED))  # no change: no count
    db.session.execute(moved.values(assignee_id=None))  # nor a column the count does not read
    assert kept(world) == (0, 1)
    db.session.execute(moved.values(mediation_org_id=None))
    assert kept(world) == (0, 0)
    row = db.session.execute(select(Complaint.__table__).where(Complaint.id == complaint_id)).mappings().one()
    copy = {column: value for column, value in row.items() if column != "id"}
    copy |= {"reference": row["reference"] + "X", "state": "mediated", "mediation_org_id": world.org_id}
    inserted = db.session.execute(
        insert(Complaint.__table__).values(copy).returning(Complaint.__table__.c.id)
    )
    copied_id = inserted.scalar_one()
    assert kept(world) == (1, 0)
    db.session.execute(delete(Complaint.__table__).where(Complaint.__table__.c.id == copied_id))
    assert kept(world) == (0, 0)
    db.session.rollback()


def test_the_upgrade_counts_the_cases_already_there(world):
    path = Path(__file__).parents[2] / "migrations" / "versions" / "0025_open_cases.py"
    spec = importlib.util.spec_from_file_location("open_cases_migration", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    first = referred(world, world.org_id)
    referred(world, world.org_id)
    referred(world, world.other_org_id)
    mediation_accepted(world.complaint(first))
    db.session.execute(update(MediationOrganisation).values(open_cases=0))
    db.session.execute(text(migration.BACKFILL))
    assert kept(world) == (2, 1)


def test_the_admin_sees_each_organisations_open_cases_beside_its_capacity(client, auth, world):
    referred(world, world.other_org_id)
    referred(world, world.other_org_id)
    auth.login(world.admin.email)
    page = client.get("/admin/organisations", headers={"Accept-Language": "en"}).text
    row = page[page.index(">Other Mediation Org<") :].split("</tr>")[0]
    assert '<td data-label="Open cases">2</td>' in row
