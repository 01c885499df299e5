"""Automatic assignment (AUTO_ASSIGN): a new complaint goes to the active agent with the fewest
open complaints, lowest id among equals, through the workflow's assign action (on the timeline,
the agent told); never to a supervisor or an inactive account; off by default."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from complaints.extensions import db
from complaints.models import Complaint, Event, Notification, Role, User
from complaints.services.accounts import create_user
from complaints.services.assignment import least_loaded_agent
from complaints.workflow import Action
from tests.support import PASSWORD, World, act_as


@pytest.fixture
def world(app):
    with app.app_context():
        return World.build()


@pytest.fixture
def auto(app):
    app.config["AUTO_ASSIGN"] = True


def _assignee(world, reference: str) -> int | None:
    return world.complaint(reference).assignee_id


def test_off_by_default_a_new_complaint_waits_unassigned(app, world):
    with app.app_context():
        assert app.config["AUTO_ASSIGN"] is False
        assert _assignee(world, world.file()) is None


def test_a_new_complaint_goes_to_the_agent_with_the_least_open_work(app, world, auto):
    with app.app_context():
        agent, agent2 = world.user("agent"), world.user("agent2")
        assert agent.id < agent2.id
        first = world.file()
        assert _assignee(world, first) == agent.id  # both have none: the lowest id
        assert _assignee(world, world.file()) == agent2.id  # agent has one now
        assert _assignee(world, world.file()) == agent.id  # one each: the lowest id again
        # closed work does not count: agent's first complaint is rejected, agent has one open
        act_as(world, first, "agent", Action.REJECT, reason="不属于受理范围")
        assert _assignee(world, world.file()) == agent.id


def test_the_assignment_is_the_workflows_on_the_timeline_and_the_agent_is_told(app, world, auto):
    with app.app_context():
        reference = world.file()
        complaint = world.complaint(reference)
        events = db.session.scalars(
            select(Event).where(Event.complaint_id == complaint.id).order_by(Event.id)
        ).all()
        assigned = [e for e in events if e.action == Action.ASSIGN.value]
        assert len(assigned) == 1
        assert assigned[0].actor_id is None  # the system
        assert assigned[0].detail["assignee_id"] == world.agent.id
        assert [e.action for e in events].index("filed") < [e.action for e in events].index("assign")
        told = db.session.scalars(
            select(Notification.user_id).where(Notification.complaint_id == complaint.id)
        ).all()
        assert world.agent.id in told


def test_inactive_agents_supervisors_and_others_are_never_chosen(app, world, auto):
    with app.app_context():
        db.session.execute(
            update(User).where(User.id.in_([world.agent.id, world.agent2.id])).values(active=False)
        )
        db.session.commit()
        assert least_loaded_agent() is None
        reference = world.file()  # nobody to take it: it waits in the unassigned queue
        assert _assignee(world, reference) is None
        newcomer = create_user(
            email="new-agent@example.com", name="New Agent", password=PASSWORD, role=Role.AGENT
        )
        db.session.commit()
        assert least_loaded_agent().id == newcomer.id
        assert _assignee(world, world.file()) == newcomer.id


def test_a_busy_agent_waits_while_others_catch_up(app, world, auto):
    with app.app_context():
        app.config["AUTO_ASSIGN"] = False
        backlog = [world.file() for _ in range(3)]
        for reference in backlog:
            act_as(world, reference, "agent", Action.CLAIM)
        app.config["AUTO_ASSIGN"] = True
        chosen = [_assignee(world, world.file()) for _ in range(4)]
        assert chosen == [world.agent2.id] * 3 + [world.agent.id]
        open_counts = dict(
            db.session.execute(
                select(Complaint.assignee_id, db.func.count()).group_by(Complaint.assignee_id)
            ).all()
        )
        assert open_counts == {world.agent.id: 4, world.agent2.id: 3}


def test_one_query_counts_the_open_work(app, world, auto):
    from sqlalchemy import event

    with app.app_context():
        statements = []
        listen = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listen)
        try:
            least_loaded_agent()
        finally:
            event.remove(db.engine, "before_cursor_execute", listen)
        assert len(statements) == 1
