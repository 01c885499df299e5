"""Measures against shops below the line: proposed by the month's grade, decided by a supervisor
with a reason, in force from a date, lifted; on the shop's timeline; public without personal
data; listed for regulators."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from complaints.extensions import db
from complaints.models import Sanction, ShopEvent
from complaints.services import sanctions
from complaints.services.reputation import Month, compute_month, record_orders
from complaints.workflow import Action, Refusal
from tests.support import act_as

MARCH, APRIL = Month.parse("2026-03"), Month.parse("2026-04")


@pytest.fixture
def below_the_line(world):
    """The first shop's March: 2 complaints in 100 orders (-30), both upheld (-25): 45, grade E."""
    shop = world.merchant_ids[0]
    for _ in range(2):
        ref = world.file(merchant_id=shop)
        act_as(world, ref, "agent", Action.VERIFY)
        act_as(world, ref, "agent", Action.RESOLVE, outcome="upheld")
    record_orders(world.user("admin"), shop, MARCH, 100)
    compute_month(MARCH)
    return shop


def measures(shop) -> list[Sanction]:
    db.session.expire_all()
    return list(
        db.session.scalars(select(Sanction).where(Sanction.merchant_id == shop).order_by(Sanction.id))
    )


def test_a_grade_below_the_line_proposes_a_warning_once(below_the_line):
    [proposal] = measures(below_the_line)
    assert (proposal.step.value, proposal.status.value) == ("warning", "proposed")
    compute_month(MARCH)  # the month scored again proposes nothing twice
    assert len(measures(below_the_line)) == 1
    kinds = db.session.scalars(select(ShopEvent.kind).where(ShopEvent.merchant_id == below_the_line)).all()
    assert kinds == ["sanction_proposed"]


def test_the_ladder_climbs_from_what_was_approved(world, below_the_line, clock):
    supervisor = world.user("supervisor")
    [proposal] = measures(below_the_line)
    today = sanctions.today()
    with pytest.raises(Refusal, match="today or later"):
        sanctions.approve(supervisor, proposal.id, "warning", today - timedelta(days=1), "理由")
    with pytest.raises(Refusal, match="Give the reason"):
        sanctions.approve(supervisor, proposal.id, "warning", today, " ")
    approved = sanctions.approve(supervisor, proposal.id, "interview", today, "连续两月投诉成立率过高")
    assert (approved.step.value, approved.proposed_step.value, approved.status.value) == (
        "interview",
        "warning",
        "in_force",
    )
    with pytest.raises(Refusal, match="changed meanwhile"):
        sanctions.dismiss(supervisor, proposal.id, "too late")  # decided already
    sanctions.record_interview(supervisor, proposal.id, "店铺承诺改进发货流程。")
    sanctions.lift(supervisor, proposal.id, "店铺已整改")
    assert (
        sanctions.next_step(below_the_line, today) == sanctions.LADDER[2]
    )  # traffic limit after an interview
    kinds = db.session.scalars(
        select(ShopEvent.kind).where(ShopEvent.merchant_id == below_the_line).order_by(ShopEvent.id)
    ).all()
    assert kinds == ["sanction_proposed", "sanction_changed", "interview_recorded", "sanction_lifted"]


def test_a_dismissed_proposal_leaves_the_ladder_where_it_was(world, below_the_line):
    [proposal] = measures(below_the_line)
    sanctions.dismiss(world.user("supervisor"), proposal.id, "数据有误，已核实")
    assert sanctions.next_step(below_the_line, sanctions.today()).value == "warning"


def test_the_pages_decide_publish_and_export(client, auth, world, below_the_line, app):
    [proposal] = measures(below_the_line)
    auth.login(world.agent.email)
    assert client.get("/reputation/sanctions").status_code == 200
    assert (
        client.post(f"/reputation/sanctions/{proposal.id}/dismiss", data={"dismiss_reason": "x"}).status_code
        == 403
    )
    auth.logout()
    auth.login(world.supervisor.email)
    page = client.get("/reputation/sanctions").text
    assert "Approve the measure" in page
    empty = client.post(f"/reputation/sanctions/{proposal.id}/dismiss", data={"dismiss_reason": ""})
    assert empty.status_code == 400 and "Give the reason for dismissing it." in empty.text
    today = sanctions.today().isoformat()
    done = client.post(
        f"/reputation/sanctions/{proposal.id}/approve",
        data={"measure_step": "warning", "effective_from": today, "approve_reason": "投诉成立率过高"},
    )
    assert done.status_code == 302
    again = client.post(
        f"/reputation/sanctions/{proposal.id}/approve",
        data={"measure_step": "warning", "effective_from": today, "approve_reason": "again"},
    )
    assert again.status_code == 409
    exported = client.get("/reputation/sanctions.csv")
    rows = list(csv.reader(io.StringIO(exported.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["shop_code", "shop_name", "measure"] and rows[1][2:5] == [
        "warning",
        "in_force",
        today,
    ]
    auth.logout()
    notice = client.get("/reputation/notices")  # no sign-in
    assert notice.status_code == 200 and "投诉成立率过高" in notice.text and "Formal warning" in notice.text
    for person in ("consumer", "other_consumer"):
        user = world.user(person)
        for private in (user.name, user.email, user.phone):
            assert not private or private not in notice.text
    assert world.user("supervisor").name not in notice.text


def test_the_command_exports_the_list_for_regulators(app, world, below_the_line):
    [proposal] = measures(below_the_line)
    sanctions.approve(world.user("supervisor"), proposal.id, "removal", sanctions.today(), "严重违规")
    result = app.test_cli_runner().invoke(args=["reputation", "export-sanctions", "--format", "csv"])
    assert result.exit_code == 0 and "removal,in_force" in result.output
    assert (
        app.test_cli_runner().invoke(args=["reputation", "export-sanctions", "--format", "xml"]).exit_code
        == 2
    )
