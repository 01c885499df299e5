"""Bulk actions from the queue: each ticked complaint is acted on by itself, and the page says what
happened to each; a refusal on one never stops or undoes the others."""

from __future__ import annotations

from complaints.workflow import Action, State
from tests.support import PASSWORD, act_as


def signed_in(app, email):
    client = app.test_client()
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
    return client


def test_an_agent_takes_several_complaints_and_is_told_which_were_not_taken(app, world):
    free, theirs = world.file(), world.file()
    act_as(world, theirs, "agent2", Action.CLAIM)
    agent = signed_in(app, "agent@example.com")
    page = agent.post("/desk/bulk", data={"bulk_action": "claim", "ref": [free, theirs, "C-2026-999999"]})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "1 complaint done." in html
    assert "Another agent has this complaint" in html
    assert "No such complaint, or not yours to see." in html
    assert world.complaint(free).assignee_id == world.people["agent"].id
    assert world.complaint(theirs).assignee_id == world.people["agent2"].id


def test_a_supervisor_assigns_and_closes_in_bulk(app, world):
    first, second, rejected = world.file(), world.file(), world.file()
    act_as(world, rejected, "agent", Action.REJECT, reason="订单号无法核实")
    supervisor = signed_in(app, "supervisor@example.com")
    agent2 = str(world.people["agent2"].id)
    page = supervisor.post(
        "/desk/bulk", data={"bulk_action": "assign", "bulk_assignee_id": agent2, "ref": [first, second]}
    )
    assert "2 complaints done." in page.get_data(as_text=True)
    assert {world.complaint(r).assignee_id for r in (first, second)} == {world.people["agent2"].id}
    page = supervisor.post("/desk/bulk", data={"bulk_action": "close", "ref": [rejected, first]})
    html = page.get_data(as_text=True)
    assert "1 complaint done." in html
    assert world.complaint(rejected).state is State.CLOSED
    assert world.complaint(first).state is State.RECEIVED


def test_agents_may_not_assign_or_close_in_bulk_and_bad_input_changes_nothing(app, world):
    ref = world.file()
    agent = signed_in(app, "agent@example.com")
    version = world.complaint(ref).version
    for data in (
        {"bulk_action": "assign", "bulk_assignee_id": str(world.people["agent2"].id), "ref": [ref]},
        {"bulk_action": "close", "ref": [ref]},
        {"bulk_action": "claim"},  # nothing ticked
        {"bulk_action": "delete", "ref": [ref]},
        {"bulk_action": "claim", "ref": [f"C-2026-{n:06d}" for n in range(101)]},  # too many
    ):
        response = agent.post("/desk/bulk", data=data)
        assert response.status_code == 400, data
        assert "Nothing was done." in response.get_data(as_text=True)
    supervisor = signed_in(app, "supervisor@example.com")
    missing = supervisor.post("/desk/bulk", data={"bulk_action": "assign", "ref": [ref]})
    assert missing.status_code == 400
    assert "Choose whom to assign them to." in missing.get_data(as_text=True)
    assert world.complaint(ref).version == version


def test_the_queue_offers_the_bulk_form_with_a_box_per_row(app, world):
    ref = world.file()
    agent = signed_in(app, "agent@example.com")
    html = agent.get("/desk/?queue=open").get_data(as_text=True)
    assert f'name="ref" value="{ref}" form="bulk-form"' in html
    assert 'value="assign"' not in html  # an agent is not offered what only supervisors may do
    supervisor = signed_in(app, "supervisor@example.com")
    assert 'value="assign"' in supervisor.get("/desk/?queue=open").get_data(as_text=True)
