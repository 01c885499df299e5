"""A mediator works the cases referred to their organisation: sessions, outcome, messages."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from complaints.extensions import db
from complaints.models import MediationSession, Message, MessageKind, Outcome
from complaints.services.lifecycle import apply_action
from complaints.workflow import Action, State
from tests.support import act, mediation_accepted

INTERNAL_NOTE = "内部备注:该商家本月第三次被投诉"


def refer_to_mediation(world, **overrides) -> str:
    """File a complaint, verify it, leave an internal note, and refer it to world.org_id."""
    ref = world.file(**overrides)
    agent = world.user("agent")
    apply_action(world.complaint(ref), agent, Action.VERIFY)
    apply_action(world.complaint(ref), agent, Action.NOTE, body=INTERNAL_NOTE)
    apply_action(world.complaint(ref), agent, Action.ESCALATE, mediation_org_id=world.org_id)
    db.session.commit()
    mediation_accepted(world.complaint(ref))
    return ref


@pytest.fixture
def ref(app, world):
    with app.app_context():
        return refer_to_mediation(world)


def sessions_of(app, world, ref) -> list[MediationSession]:
    with app.app_context():
        complaint = world.complaint(ref)
        return list(
            db.session.scalars(select(MediationSession).where(MediationSession.complaint_id == complaint.id))
        )


def version_of(app, world, ref) -> int:
    with app.app_context():
        return world.complaint(ref).version


def test_referred_case_is_in_the_mediators_open_list_and_not_in_decided(client, auth, world, ref):
    auth.login(world.mediator.email)
    open_list = client.get("/mediation/")
    assert open_list.status_code == 200
    assert ref in open_list.text
    assert ref not in client.get("/mediation/?tab=decided").text


def test_another_organisations_mediator_neither_lists_nor_opens_the_case(client, auth, world, ref):
    auth.login(world.other_mediator.email)
    assert ref not in client.get("/mediation/").text
    assert client.get(f"/mediation/cases/{ref}").status_code == 404
    response = client.post(
        f"/mediation/cases/{ref}/session",
        data={"held_at": "2026-03-02T09:00", "channel": "phone", "session_notes": "x"},
    )
    assert response.status_code == 404


def test_mediator_sees_the_public_history_but_never_internal_notes(client, auth, world, ref):
    auth.login(world.mediator.email)
    page = client.get(f"/mediation/cases/{ref}")
    assert page.status_code == 200
    assert "收到的耳机左耳没有声音" in page.text  # the consumer's description and title
    assert "Referred to mediation" in page.text
    assert INTERNAL_NOTE not in page.text
    assert "Internal note" not in page.text


def test_mediator_records_a_session_held_earlier_in_their_time_zone(app, client, auth, world, ref):
    auth.login(world.mediator.email)
    # 09:30 in Shanghai is 01:30 UTC, half an hour before the frozen "now".
    response = client.post(
        f"/mediation/cases/{ref}/session",
        data={"held_at": "2026-03-02T09:30", "channel": "video", "session_notes": "双方同意退货退款"},
    )
    assert response.status_code == 302
    [session] = sessions_of(app, world, ref)
    assert session.held_at == datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
    assert session.channel == "video"
    page = client.get(f"/mediation/cases/{ref}")
    assert "The session was recorded." in page.text
    assert "双方同意退货退款" in page.text
    assert "Video call" in page.text


def test_a_session_in_the_future_is_refused_with_a_reason(app, client, auth, world, ref):
    auth.login(world.mediator.email)
    response = client.post(
        f"/mediation/cases/{ref}/session",
        data={"held_at": "2026-03-02T11:00", "channel": "phone", "session_notes": "tomorrow's call"},
    )
    assert response.status_code == 400  # a time still to come is refused beside the field
    assert "A session cannot be recorded before it is held." in response.text
    assert "tomorrow&#39;s call" in response.text  # what the mediator typed is kept
    assert sessions_of(app, world, ref) == []


def test_a_session_without_notes_is_a_form_error(app, client, auth, world, ref):
    auth.login(world.mediator.email)
    response = client.post(
        f"/mediation/cases/{ref}/session",
        data={"held_at": "2026-03-02T09:00", "channel": "phone", "session_notes": ""},
    )
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.text
    assert sessions_of(app, world, ref) == []


def test_settled_outcome_resolves_the_case_and_the_consumer_sees_it(app, client, auth, world, ref):
    auth.login(world.mediator.email)
    response = act(
        client,
        "mediation",
        ref,
        "outcome",
        outcome="settled",
        outcome_note="商家退款150元,消费者保留商品",
        compensation_amount="150.00",
        payer="shop",
        perform_by="2026-03-20",
        confirm="1",
    )
    assert response.status_code == 302
    with app.app_context():
        complaint = world.complaint(ref)
        assert complaint.state is State.RESOLVED
        assert complaint.outcome is Outcome.SETTLED
        assert complaint.compensation_amount == Decimal("150.00")
    assert ref not in client.get("/mediation/").text
    assert ref in client.get("/mediation/?tab=decided").text

    auth.logout()
    auth.login(world.consumer.email)
    page = client.get(f"/portal/complaints/{ref}")
    assert page.status_code == 200
    assert "Settled in mediation" in page.text
    assert "商家退款150元,消费者保留商品" in page.text


def test_not_settled_without_a_reason_is_refused_and_nothing_changes(app, client, auth, world, ref):
    auth.login(world.mediator.email)
    before = version_of(app, world, ref)
    response = act(
        client,
        "mediation",
        ref,
        "outcome",
        outcome="not_settled",
        outcome_note="  ",
        not_settled_reason="party_refused",
        confirm="1",
    )
    assert response.status_code == 409  # the outcome's rule, refused by the service like any other
    assert "Write down why the parties did not settle." in response.text
    with app.app_context():
        complaint = world.complaint(ref)
        assert complaint.state is State.MEDIATED
        assert complaint.outcome is None
        assert complaint.version == before


def test_not_settled_with_a_reason_resolves_without_an_amount(app, client, auth, world, ref):
    auth.login(world.mediator.email)
    response = act(
        client,
        "mediation",
        ref,
        "outcome",
        outcome="not_settled",
        outcome_note="商家拒绝任何退款",
        compensation_amount="20",
        not_settled_reason="party_refused",
        confirm="1",
    )
    assert response.status_code == 302
    with app.app_context():
        complaint = world.complaint(ref)
        assert complaint.outcome is Outcome.NOT_SETTLED
        assert complaint.compensation_amount is None


def test_an_outcome_from_an_outdated_page_is_refused(app, client, auth, world, ref, clock):
    auth.login(world.mediator.email)
    stale = version_of(app, world, ref)
    clock.advance(minutes=5)
    with app.app_context():
        apply_action(world.complaint(ref), world.user("agent"), Action.MERCHANT_ANSWER, body="愿意退一半")
        db.session.commit()
    response = client.post(
        f"/mediation/cases/{ref}/outcome",
        data={
            "version": stale,
            "outcome": "settled",
            "outcome_note": "half refund",
            "payer": "shop",
            "perform_by": "2026-03-20",
        },
    )
    assert response.status_code == 409
    assert "This complaint changed while you were looking at it." in response.text
    with app.app_context():
        assert world.complaint(ref).state is State.MEDIATED


def test_mediator_message_reaches_the_consumer(app, client, auth, world, ref):
    auth.login(world.mediator.email)
    response = client.post(
        f"/mediation/cases/{ref}/reply", data={"reply_body": "请双方于周三上午参加电话调解"}
    )
    assert response.status_code == 302
    with app.app_context():
        complaint = world.complaint(ref)
        kinds = db.session.scalars(
            select(Message.kind).where(
                Message.complaint_id == complaint.id, Message.author_id == world.mediator.id
            )
        ).all()
    assert kinds == [MessageKind.PUBLIC]


def test_the_decided_case_can_no_longer_take_sessions_or_outcomes(app, client, auth, world, ref):
    with app.app_context():
        apply_action(
            world.complaint(ref),
            world.user("mediator"),
            Action.RECORD_OUTCOME,
            outcome="settled",
            note="退款",
            payer="shop",
            perform_by=date(2026, 3, 20),
        )
        db.session.commit()
    auth.login(world.mediator.email)
    page = client.get(f"/mediation/cases/{ref}")
    assert "Record a session" not in page.text
    response = client.post(
        f"/mediation/cases/{ref}/session",
        data={"held_at": "2026-03-02T09:00", "channel": "phone", "session_notes": "late"},
    )
    assert response.status_code == 409
    assert sessions_of(app, world, ref) == []


def test_case_list_pages_by_most_recent_change(app, client, auth, world, clock):
    app.config["QUEUE_PAGE_SIZE"] = 1
    with app.app_context():
        older = refer_to_mediation(world)
        clock.advance(hours=1)
        newer = refer_to_mediation(world, order_reference="ORD-20260301-0002")
    auth.login(world.mediator.email)
    first = client.get("/mediation/")
    assert newer in first.text and older not in first.text
    next_link = first.text.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    second = client.get(next_link)
    assert older in second.text and newer not in second.text


@pytest.mark.parametrize("who", ["consumer", "agent", "supervisor", "admin"])
def test_only_mediators_open_the_mediation_area(client, auth, world, ref, who):
    auth.login(getattr(world, who).email)
    assert client.get("/mediation/").status_code == 403
    assert client.get(f"/mediation/cases/{ref}").status_code == 403


def test_anonymous_visitor_is_sent_to_sign_in(client, ref):
    response = client.get("/mediation/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
