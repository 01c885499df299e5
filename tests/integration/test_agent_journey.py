"""An agent and a supervisor work complaints at the desk, through the real pages."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest

from complaints.extensions import db
from complaints.models import Event, MessageKind, Outcome, WaitingOn
from complaints.services.complaint_view import load_complaint_view
from complaints.workflow import State
from tests.files import png_bytes
from tests.support import AuthActions, World, act, referred_to


@pytest.fixture
def world(app):
    """The shared test world, built without leaving an app context pushed for the whole test:
    each request then gets its own context, so `g` (the signed-in user) and the database session
    are not shared between requests or test clients, as in production."""
    with app.app_context():
        return World.build()


@pytest.fixture(autouse=True)
def english(client):
    # Assertions read the English source strings, whatever catalogs exist.
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


def event_count(app, world, reference: str) -> int:
    with app.app_context():
        complaint = world.complaint(reference)
        return db.session.query(Event).filter_by(complaint_id=complaint.id).count()


def test_agent_takes_a_complaint_from_the_queue_and_resolves_it(app, client, auth, world):
    with app.app_context():
        reference = world.file()
    auth.login(world.agent.email)

    queue = client.get("/desk/?queue=unassigned")
    assert queue.status_code == 200
    assert reference in queue.get_data(as_text=True)

    assert act(client, "desk", reference, "claim").status_code == 302
    with app.app_context():
        assert world.complaint(reference).assignee_id == world.agent.id
    assert reference not in client.get("/desk/?queue=unassigned").get_data(as_text=True)
    assert reference in client.get("/desk/?queue=mine").get_data(as_text=True)

    reply = act(client, "desk", reference, "reply", reply_body="您好,我们已收到您的投诉,正在联系商家。")
    assert reply.status_code == 302
    with app.app_context():
        assert world.complaint(reference).first_response_at is not None

    act(client, "desk", reference, "note", note_body="商家客服电话已打过两次,无人接听。")
    staff_page = client.get(f"/desk/complaints/{reference}").get_data(as_text=True)
    assert "商家客服电话已打过两次" in staff_page
    assert 'class="message internal"' in staff_page

    act(
        client,
        "desk",
        reference,
        "request_info",
        party="consumer",
        request_body="请上传耳机的照片和订单截图。",
    )
    with app.app_context():
        assert world.complaint(reference).waiting == (WaitingOn.CONSUMER,)
    assert "Waiting on consumer" in client.get(f"/desk/complaints/{reference}").get_data(as_text=True)
    assert "Waiting on consumer" in client.get("/desk/?queue=mine").get_data(as_text=True)

    assert act(client, "desk", reference, "verify").status_code == 302
    resolved = act(
        client,
        "desk",
        reference,
        "resolve",
        outcome="upheld",
        compensation_amount="150.00",
        resolve_note="商家同意全额退款并补偿运费。",
    )
    assert resolved.status_code == 302
    page = client.get(resolved.headers["Location"]).get_data(as_text=True)
    assert "The complaint is resolved." in page
    with app.app_context():
        complaint = world.complaint(reference)
        assert complaint.state is State.RESOLVED
        assert complaint.outcome is Outcome.UPHELD
        assert complaint.compensation_amount == Decimal("150.00")
        assert complaint.waiting == ()


def test_consumer_never_sees_an_internal_note(app, client, auth, world):
    with app.app_context():
        reference = world.file()
    auth.login(world.agent.email)
    act(client, "desk", reference, "note", note_body="仅供内部参考:此用户曾多次投诉。")

    consumer = app.test_client()
    consumer.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    AuthActions(consumer).login(world.consumer.email)
    portal = consumer.get(f"/portal/complaints/{reference}")
    if portal.status_code == 200:  # the portal page may not be written yet
        assert "仅供内部参考" not in portal.get_data(as_text=True)
    with app.app_context():
        view = load_complaint_view(world.user("consumer"), reference)
        assert all(m.kind is not MessageKind.INTERNAL for m in view.messages)
        assert all(e.public for e in view.events)


def test_agent_asks_the_merchant_and_records_the_answer(app, client, auth, world):
    with app.app_context():
        reference = world.file()
    auth.login(world.agent.email)
    act(client, "desk", reference, "request_info", party="merchant", request_body="请提供发货记录。")
    assert "Waiting on merchant" in client.get(f"/desk/complaints/{reference}").get_data(as_text=True)
    assert (
        act(client, "desk", reference, "merchant_answer", answer_body="已于三月一日发货。").status_code == 302
    )
    with app.app_context():
        assert world.complaint(reference).waiting == ()


def test_agent_rejects_a_complaint_with_a_reason(app, client, auth, world):
    with app.app_context():
        reference = world.file()
    auth.login(world.agent.email)
    response = act(client, "desk", reference, "reject", reason="订单不在平台交易范围内。")
    assert response.status_code == 302
    with app.app_context():
        complaint = world.complaint(reference)
        assert complaint.state is State.REJECTED
        assert complaint.rejection_reason == "订单不在平台交易范围内。"


def test_rejecting_without_a_reason_is_refused_and_changes_nothing(app, client, auth, world):
    with app.app_context():
        reference = world.file()
    auth.login(world.agent.email)
    before = event_count(app, world, reference)
    response = act(client, "desk", reference, "reject", reason="   ")
    assert response.status_code == 400
    assert "This field is required." in response.get_data(as_text=True)
    with app.app_context():
        complaint = world.complaint(reference)
        assert complaint.state is State.RECEIVED
        assert complaint.rejection_reason is None
    assert event_count(app, world, reference) == before


def test_resolving_a_received_complaint_is_refused_with_an_explanation(app, client, auth, world):
    with app.app_context():
        reference = world.file()
    auth.login(world.agent.email)
    response = act(client, "desk", reference, "resolve", outcome="upheld")
    assert response.status_code == 409
    assert "This action is not possible while the complaint is received." in response.get_data(as_text=True)
    with app.app_context():
        assert world.complaint(reference).state is State.RECEIVED


def test_agent_refers_a_verified_complaint_to_mediation(app, client, auth, world):
    with app.app_context():
        reference = world.file()
    auth.login(world.agent.email)
    act(client, "desk", reference, "verify")
    response = act(
        client, "desk", reference, "escalate", mediation_org_id=world.org_id, escalate_reason="双方分歧较大。"
    )
    assert response.status_code == 302
    with app.app_context():
        complaint = world.complaint(reference)
        assert complaint.state is State.MEDIATED
        assert referred_to(complaint) == world.org_id


def test_supervisor_assigns_a_complaint_to_another_agent(app, client, auth, world):
    with app.app_context():
        reference = world.file()
    auth.login(world.agent.email)
    act(client, "desk", reference, "claim")
    auth.logout()

    auth.login(world.supervisor.email)
    page = client.get(f"/desk/complaints/{reference}").get_data(as_text=True)
    assert 'name="assignee_id"' in page
    # Someone handles it already: handing it over needs a reason, which staff read on the timeline.
    refused = act(client, "desk", reference, "assign", assignee_id=world.agent2.id)
    assert refused.status_code == 409
    assert "Say why you hand the complaint over" in refused.get_data(as_text=True)
    handed = act(client, "desk", reference, "assign", assignee_id=world.agent2.id, handover="陈静休假一周")
    assert handed.status_code == 302
    assert "陈静休假一周" in client.get(f"/desk/complaints/{reference}").get_data(as_text=True)
    auth.logout()
    auth.login(world.consumer.email)
    assert "陈静休假一周" not in client.get(f"/portal/complaints/{reference}").get_data(as_text=True)
    auth.logout()
    auth.login(world.supervisor.email)
    with app.app_context():
        assert world.complaint(reference).assignee_id == world.agent2.id
    assert reference in client.get(f"/desk/?assignee_id={world.agent2.id}").get_data(as_text=True)


def test_agent_may_not_assign_complaints(app, client, auth, world):
    with app.app_context():
        reference = world.file()
    auth.login(world.agent.email)
    assert 'name="assignee_id"' not in client.get(f"/desk/complaints/{reference}").get_data(as_text=True)
    response = act(client, "desk", reference, "assign", assignee_id=world.agent2.id)
    assert response.status_code == 409
    assert "Your role may not take this action." in response.get_data(as_text=True)
    with app.app_context():
        assert world.complaint(reference).assignee_id is None


def test_agent_cannot_take_a_complaint_another_agent_has(app, client, auth, world):
    with app.app_context():
        reference = world.file()
    auth.login(world.agent.email)
    act(client, "desk", reference, "claim")
    auth.logout()
    auth.login(world.agent2.email)
    response = act(client, "desk", reference, "claim")
    assert response.status_code == 409
    assert "ask a supervisor to reassign it" in response.get_data(as_text=True)
    with app.app_context():
        assert world.complaint(reference).assignee_id == world.agent.id


def test_unknown_action_and_unknown_complaint_are_not_found(app, client, auth, world):
    with app.app_context():
        reference = world.file()
    auth.login(world.agent.email)
    assert client.post(f"/desk/complaints/{reference}/withdraw", data={"version": 1}).status_code == 404
    assert client.post(f"/desk/complaints/{reference}/delete", data={"version": 1}).status_code == 404
    assert client.get("/desk/complaints/C-2026-999999").status_code == 404
    assert client.post("/desk/complaints/C-2026-999999/verify", data={"version": 1}).status_code == 404


@pytest.mark.parametrize("role", ["consumer", "mediator", "admin"])
def test_desk_is_closed_to_everyone_but_staff(app, client, auth, world, role):
    with app.app_context():
        reference = world.file()
    auth.login(getattr(world, role).email)
    assert client.get("/desk/").status_code == 403
    assert client.get("/desk/search?q=耳机").status_code == 403
    assert client.get(f"/desk/complaints/{reference}").status_code == 403
    assert client.post(f"/desk/complaints/{reference}/verify", data={"version": 1}).status_code == 403
    with app.app_context():
        assert world.complaint(reference).state is State.RECEIVED


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get("/desk/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_agent_replies_with_evidence_and_a_bad_file_is_refused(app, client, auth, world):
    with app.app_context():
        reference = world.file()
    auth.login(world.agent.email)
    refused = act(
        client,
        "desk",
        reference,
        "reply",
        reply_body="请看附件。",
        reply_files=[(io.BytesIO(b"just text"), "notes.txt")],
    )
    assert refused.status_code == 400
    assert "notes.txt is not a JPEG, PNG or PDF file." in refused.get_data(as_text=True)
    assert "请看附件。" in refused.get_data(as_text=True)  # what was typed is kept
    with app.app_context():
        assert world.complaint(reference).first_response_at is None

    sent = act(
        client,
        "desk",
        reference,
        "reply",
        reply_body="请看附件。",
        reply_files=[(io.BytesIO(png_bytes()), "退款凭证.png")],
    )
    assert sent.status_code == 302
    assert "退款凭证.png" in client.get(f"/desk/complaints/{reference}").get_data(as_text=True)
