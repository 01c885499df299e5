"""The mediator's case opens with its deadline and the reason it came, and the outcome, which ends
the case, is recorded only once the mediator has seen it again and confirmed it."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from flask_babel import refresh
from sqlalchemy import select

from complaints.extensions import db
from complaints.models import ClockKind, SlaClock, User
from complaints.services.lifecycle import apply_action
from complaints.web.templating import when
from complaints.workflow import Action, State
from tests.support import act, csrf_token_from, mediation_accepted

REFERRAL_REASON = "商家与消费者对赔偿金额分歧较大"
DISPUTE_REASON = "退款一直没有到账,商家说已经处理"
TERMS = "商家七日内退还150元。\n消费者保留商品。"


@pytest.fixture
def ref(app, world):
    """A complaint an agent verified and referred to world.org_id, with a reason."""
    with app.app_context():
        reference = world.file()
        agent = world.user("agent")
        apply_action(world.complaint(reference), agent, Action.VERIFY)
        apply_action(
            world.complaint(reference),
            agent,
            Action.ESCALATE,
            mediation_org_id=world.org_id,
            reason=REFERRAL_REASON,
        )
        db.session.commit()
        mediation_accepted(world.complaint(reference))
        return reference


@pytest.fixture
def disputed(app, world):
    """A complaint an agent resolved and the consumer then disputed, sending it to world.org_id."""
    with app.app_context():
        reference = world.file()
        agent = world.user("agent")
        apply_action(world.complaint(reference), agent, Action.VERIFY)
        apply_action(world.complaint(reference), agent, Action.RESOLVE, outcome="not_upheld", note="不予支持")
        apply_action(
            world.complaint(reference),
            world.user("consumer"),
            Action.DISPUTE,
            mediation_org_id=world.org_id,
            reason=DISPUTE_REASON,
        )
        db.session.commit()
        mediation_accepted(world.complaint(reference))
        return reference


def mediation_due(app, world, reference: str) -> str:
    """The mediation clock's due instant as an English page shows it (Shanghai time)."""
    with app.app_context():
        complaint = world.complaint(reference)
        clock = db.session.scalars(
            select(SlaClock).where(
                SlaClock.complaint_id == complaint.id, SlaClock.kind == ClockKind.MEDIATION
            )
        ).one()
        with app.test_request_context():
            return when(clock.due_at)


def top_of(html: str) -> str:
    """The page above its details card: what a mediator sees first."""
    return html.split('id="facts-heading"')[0]


def outcome_form(**fields) -> dict:
    values = {
        "outcome": "settled",
        "outcome_note": TERMS,
        "compensation_amount": "150",
        "payer": "shop",
        "perform_by": "2026-03-20",
    }
    return {**values, **fields}


def state_of(app, world, reference: str) -> State:
    with app.app_context():
        return world.complaint(reference).state


def test_the_case_opens_with_the_mediation_deadline_and_the_referral_reason(app, client, auth, world, ref):
    auth.login(world.mediator.email)
    page = client.get(f"/mediation/cases/{ref}")
    assert page.status_code == 200
    top = top_of(page.text)
    assert "Mediation should conclude by" in top
    assert mediation_due(app, world, ref) in top
    assert "of working time left" in top
    assert "Running" in top
    assert "Why the case was referred" in top
    assert REFERRAL_REASON in top


def test_a_disputed_case_opens_with_the_consumers_reason_and_the_outcome_they_dispute(
    app, client, auth, world, disputed
):
    auth.login(world.mediator.email)
    top = top_of(client.get(f"/mediation/cases/{disputed}").text)
    assert "Why the consumer disputes the outcome" in top
    assert DISPUTE_REASON in top
    assert "Not upheld" in top
    assert mediation_due(app, world, disputed) in top


def test_the_cases_list_shows_each_cases_deadline(app, client, auth, world, ref):
    auth.login(world.mediator.email)
    page = client.get("/mediation/")
    assert "Mediation deadline" in page.text
    assert mediation_due(app, world, ref) in page.text
    assert "of working time left" in page.text


def test_a_chinese_mediator_reads_the_deadline_and_the_confirmation_in_chinese(app, client, auth, world, ref):
    with app.app_context():
        db.session.get(User, world.mediator.id).locale = "zh_CN"
        db.session.commit()
    auth.login(world.mediator.email)
    refresh()  # the world fixture's app context outlives requests; Babel keeps its language there
    page = client.get(f"/mediation/cases/{ref}")
    top = top_of(page.text)
    assert "调解截止时间与原因" in top
    assert "转交调解的理由" in top
    assert REFERRAL_REASON in top
    refresh()
    confirmation = act(client, "mediation", ref, "outcome", **outcome_form())
    assert "确认并结案" in confirmation.text
    assert "返回修改" in confirmation.text
    assert "约定条款" in confirmation.text


def test_the_outcome_is_not_recorded_without_the_confirmation(app, client, auth, world, ref):
    auth.login(world.mediator.email)
    response = act(client, "mediation", ref, "outcome", **outcome_form())
    assert response.status_code == 200
    assert "Confirm the outcome of case" in response.text
    assert "Settled in mediation" in response.text
    assert "150.00" in response.text
    assert "商家七日内退还150元。" in response.text
    assert "Confirm and close the case" in response.text
    assert "Go back and change" in response.text
    assert state_of(app, world, ref) is State.MEDIATED


def test_confirming_records_the_outcome(app, client, auth, world, ref):
    auth.login(world.mediator.email)
    confirmation = act(client, "mediation", ref, "outcome", **outcome_form())
    assert confirmation.status_code == 200
    response = act(client, "mediation", ref, "outcome", **outcome_form(confirm="1"))
    assert response.status_code == 302
    with app.app_context():
        complaint = world.complaint(ref)
        assert complaint.state is State.RESOLVED
        assert complaint.outcome_note == TERMS  # the line break survived the hidden field
        assert complaint.compensation_amount == Decimal("150.00")
    assert "The outcome was recorded; the case is resolved." in client.get(f"/mediation/cases/{ref}").text


def test_going_back_keeps_what_was_typed_and_records_nothing(app, client, auth, world, ref):
    auth.login(world.mediator.email)
    response = act(client, "mediation", ref, "outcome", **outcome_form(back="1"))
    assert response.status_code == 200
    assert "Confirm the outcome of case" not in response.text
    assert f"Case {ref}" in response.text
    assert "商家七日内退还150元。\n消费者保留商品。" in response.text  # in the textarea again
    assert 'value="150"' in response.text
    assert re.search(r'<input checked [^>]*value="settled"', response.text)
    assert state_of(app, world, ref) is State.MEDIATED


def test_a_confirmation_from_a_page_that_went_stale_is_refused_with_the_text_kept(
    app, client, auth, world, ref, clock
):
    auth.login(world.mediator.email)
    confirmation = act(client, "mediation", ref, "outcome", **outcome_form())
    assert confirmation.status_code == 200
    clock.advance(minutes=5)
    with app.app_context():
        apply_action(world.complaint(ref), world.user("agent"), Action.MERCHANT_ANSWER, body="愿意退一半")
        db.session.commit()
    stale_version = confirmation.text.split('name="version" value="')[1].split('"')[0]
    response = act(client, "mediation", ref, "outcome", **outcome_form(confirm="1", version=stale_version))
    assert response.status_code == 409
    assert "This complaint changed while you were looking at it." in response.text
    assert "商家七日内退还150元。" in response.text
    assert state_of(app, world, ref) is State.MEDIATED


def test_the_confirmation_is_not_offered_on_a_case_already_decided(app, client, auth, world, ref):
    auth.login(world.mediator.email)
    page = client.get(f"/mediation/cases/{ref}")
    act(client, "mediation", ref, "outcome", **outcome_form(confirm="1"))
    with app.app_context():
        version = world.complaint(ref).version
    response = client.post(
        f"/mediation/cases/{ref}/outcome",
        data={"csrf_token": csrf_token_from(page.text), "version": str(version), **outcome_form()},
    )
    assert response.status_code == 409
    assert "Confirm and close the case" not in response.text
