"""Two people act on one complaint at once: the second is told to reload, and nothing is lost."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from complaints.extensions import db
from complaints.models import Event
from complaints.participants import get_visible_complaint
from complaints.services.errors import StaleComplaint
from complaints.services.lifecycle import apply_action
from complaints.workflow import Action, State
from tests.support import AuthActions, World, act, version_from


@pytest.fixture
def world(app):
    """The shared test world, built without leaving an app context pushed for the whole test:
    each request then gets its own context, so `g` (the signed-in user) and the database session
    are not shared between requests or test clients, as in production."""
    with app.app_context():
        return World.build()


CHANGED = "This complaint changed while you were looking at it. Reload it and try again."


def signed_in(app, email: str):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    AuthActions(client).login(email)
    return client


def open_page(client, reference: str) -> int:
    """Open the complaint page and return the version it shows."""
    response = client.get(f"/desk/complaints/{reference}")
    assert response.status_code == 200
    return int(version_from(response.get_data(as_text=True)))


def test_second_agent_acting_on_an_old_page_is_told_to_reload(app, world):
    with app.app_context():
        reference = world.file()
    first, second = signed_in(app, world.agent.email), signed_in(app, world.agent2.email)
    seen_by_first, seen_by_second = open_page(first, reference), open_page(second, reference)
    assert seen_by_first == seen_by_second

    verified = first.post(f"/desk/complaints/{reference}/verify", data={"version": seen_by_first})
    assert verified.status_code == 302

    rejected = second.post(
        f"/desk/complaints/{reference}/reject",
        data={"version": seen_by_second, "reason": "不属于平台受理范围。"},
    )
    assert rejected.status_code == 409
    assert CHANGED in rejected.get_data(as_text=True)
    with app.app_context():
        complaint = world.complaint(reference)
        assert complaint.state is State.VERIFIED
        assert complaint.rejection_reason is None
        assert complaint.assignee_id == world.agent.id
        actions = [e.action for e in db.session.query(Event).filter_by(complaint_id=complaint.id)]
        assert actions.count("verify") == 1
        assert "reject" not in actions

    # Reloaded, the page shows the new state and no longer offers the rejection.
    reloaded = second.get(f"/desk/complaints/{reference}").get_data(as_text=True)
    assert f'action="/desk/complaints/{reference}/reject"' not in reloaded
    assert open_page(second, reference) > seen_by_second


def test_old_page_keeps_what_was_typed_after_the_refusal(app, world):
    with app.app_context():
        reference = world.file()
    first, second = signed_in(app, world.agent.email), signed_in(app, world.supervisor.email)
    old = open_page(second, reference)
    act(first, "desk", reference, "claim")
    response = second.post(
        f"/desk/complaints/{reference}/assign", data={"version": old, "assignee_id": world.agent2.id}
    )
    assert response.status_code == 409
    assert CHANGED in response.get_data(as_text=True)
    with app.app_context():
        assert world.complaint(reference).assignee_id == world.agent.id


def test_update_that_lands_between_loading_and_saving_is_reported_as_stale(app, world):
    with app.app_context():
        reference = world.file()
        agent = world.user("agent")
        complaint = get_visible_complaint(agent, reference)
        loaded_version = complaint.version
        events_before = db.session.query(Event).filter_by(complaint_id=complaint.id).count()
        # Another process changes the complaint after we loaded it and before we save.
        with db.engine.begin() as other:
            other.execute(
                text("UPDATE complaints SET version = version + 1 WHERE id = :id"), {"id": complaint.id}
            )
        with pytest.raises(StaleComplaint) as refused:
            apply_action(complaint, agent, Action.VERIFY, expected_version=loaded_version)
        assert refused.value.template == CHANGED
        db.session.rollback()

        fresh = world.complaint(reference)
        assert fresh.state is State.RECEIVED
        assert fresh.version == loaded_version + 1
        assert db.session.query(Event).filter_by(complaint_id=fresh.id).count() == events_before
