"""The participant policy: one answer to "what is this person to this complaint?", everywhere.

Pages, the scoped queries, the workflow and act_on_complaint all ask complaints/participants.py;
these tests hold them to it, role by role.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from complaints import participants
from complaints.extensions import db
from complaints.models import Complaint, Message, MessageKind, Role
from complaints.services.errors import ComplaintNotFound, StaleComplaint
from complaints.services.lifecycle import act_on_complaint
from complaints.workflow import Action, Actor, Refusal, State
from tests.support import PASSWORD

PHONE = "13812345678"
PEOPLE = (
    "consumer",
    "other_consumer",
    "agent",
    "supervisor",
    "mediator",
    "other_mediator",
    "merchant",
    "admin",
)


@pytest.fixture
def cases(world):
    """Three complaints: the consumer's against shop A (referred to the mediator's organisation),
    the consumer's against shop B, and another consumer's against shop A."""
    refs = {
        "mine_a": world.file(),
        "mine_b": world.file(merchant_id=world.merchant_ids[1]),
        "theirs_a": world.file("other_consumer"),
    }
    world.complaint(refs["mine_a"]).mediation_org_id = world.org_id
    world.user("consumer").phone = PHONE
    db.session.commit()
    return refs


EXPECTED_SCOPE = {
    "consumer": {"mine_a", "mine_b"},
    "other_consumer": {"theirs_a"},
    "agent": {"mine_a", "mine_b", "theirs_a"},
    "supervisor": {"mine_a", "mine_b", "theirs_a"},
    "mediator": {"mine_a"},
    "other_mediator": set(),
    "merchant": {"mine_a", "theirs_a"},
    "admin": set(),
}


@pytest.mark.parametrize("who", PEOPLE)
def test_each_role_sees_exactly_its_complaints_and_is_party_to_exactly_those(world, cases, who):
    user = world.user(who)
    seen = {c.reference for c in db.session.scalars(participants.visible_complaints(user))}
    assert seen == {cases[key] for key in EXPECTED_SCOPE[who]}
    for key, ref in cases.items():
        assert participants.is_party(user, world.complaint(ref)) is (key in EXPECTED_SCOPE[who]), key


@pytest.mark.parametrize(
    ("who", "email", "phone"),
    [
        ("consumer", "consumer@example.com", PHONE),  # their own details
        ("agent", "consumer@example.com", PHONE),
        ("supervisor", "consumer@example.com", PHONE),
        ("admin", "consumer@example.com", "138****5678"),
        ("mediator", "c***@example.com", "138****5678"),
        ("merchant", "c***@example.com", "138****5678"),
    ],
)
def test_contact_details_follow_the_policy(world, who, email, phone):
    from complaints.services.privacy import contact_for

    world.user("consumer").phone = PHONE
    db.session.commit()
    contact = contact_for(world.user(who), world.user("consumer"))
    assert (contact["email"], contact["phone"]) == (email, phone)


@pytest.mark.parametrize("who", ["agent", "supervisor"])
def test_staff_see_the_consumers_contact_details_in_full_on_the_desk_page(client, world, cases, who):
    client.post("/login", data={"email": getattr(world, who).email, "password": PASSWORD})
    html = client.get(f"/desk/complaints/{cases['mine_a']}").get_data(as_text=True)
    assert 'href="mailto:consumer@example.com"' in html
    assert f'href="tel:{PHONE}"' in html


def test_a_mediator_sees_the_consumers_contact_details_masked_on_the_case_page(client, world, cases):
    world.complaint(cases["mine_a"]).state = State.MEDIATED
    db.session.commit()
    client.post("/login", data={"email": world.mediator.email, "password": PASSWORD})
    html = client.get(f"/mediation/cases/{cases['mine_a']}").get_data(as_text=True)
    assert "c***@example.com" in html and "138****5678" in html
    assert "consumer@example.com" not in html and PHONE not in html


@pytest.mark.parametrize(
    ("role", "actor"),
    [
        (Role.CONSUMER, Actor.CONSUMER),
        (Role.AGENT, Actor.AGENT),
        (Role.SUPERVISOR, Actor.SUPERVISOR),
        (Role.MEDIATOR, Actor.MEDIATOR),
        (Role.MERCHANT, Actor.MERCHANT),
        (Role.ADMIN, None),
    ],
)
def test_each_role_acts_as_its_workflow_actor(role, actor):
    assert participants.PARTICIPANTS[role].actor is actor


def test_the_system_acts_on_every_complaint_and_an_anonymous_visitor_on_none(world, cases):
    from flask_login import AnonymousUserMixin

    assert participants.workflow_actor(None) is Actor.SYSTEM
    assert participants.of(AnonymousUserMixin()).actor is None
    assert db.session.scalars(participants.visible_complaints(AnonymousUserMixin())).all() == []


def test_home_pages_and_complaint_urls_come_from_the_policy(app, world):
    with app.test_request_context():
        assert participants.home_url(world.user("agent")) == "/desk/"
        assert participants.home_url(world.user("mediator")) == "/mediation/"
        assert participants.complaint_url(world.user("consumer"), "C-1") == "/portal/complaints/C-1"
        assert participants.complaint_url(world.user("supervisor"), "C-1") == "/desk/complaints/C-1"
        assert participants.complaint_url(world.user("admin"), "C-1") is None


def test_staff_names_are_kept_from_the_shop(app, world, cases):
    agent = world.user("agent")
    assert participants.sees_staff_names(world.user("consumer"))
    assert not participants.sees_staff_names(world.user("merchant"))
    assert participants.is_platform_staff(agent) and not participants.is_platform_staff(
        world.user("mediator")
    )


# --- act_on_complaint: the one way to act ------------------------------------------------------


def test_acting_on_a_complaint_one_may_not_see_is_not_found(world, cases):
    with pytest.raises(ComplaintNotFound):
        act_on_complaint(world.user("other_consumer"), cases["mine_a"], Action.WITHDRAW)
    with pytest.raises(ComplaintNotFound):
        act_on_complaint(world.user("merchant"), cases["mine_b"], Action.MERCHANT_ANSWER, body="不是我们的单")


def test_a_refused_action_changes_nothing(world, cases):
    ref = cases["mine_a"]
    before = world.complaint(ref).version
    with pytest.raises(Refusal):
        act_on_complaint(world.user("consumer"), ref, Action.VERIFY)
    with pytest.raises(StaleComplaint):
        act_on_complaint(world.user("agent"), ref, Action.REPLY, before - 1, body="旧页面")
    db.session.expire_all()
    assert world.complaint(ref).version == before
    assert db.session.scalars(select(Message).where(Message.body == "旧页面")).all() == []


def test_an_allowed_action_is_committed(world, cases):
    complaint = act_on_complaint(world.user("agent"), cases["mine_a"], Action.VERIFY)
    db.session.expire_all()
    assert db.session.get(Complaint, complaint.id).state is State.VERIFIED


def test_the_shop_answers_the_platforms_question_itself(world, cases):
    ref = cases["mine_a"]
    act_on_complaint(world.user("agent"), ref, Action.REQUEST_INFO, party="merchant", body="请提供发货记录。")
    act_on_complaint(world.user("merchant"), ref, Action.MERCHANT_ANSWER, body="三月一日已发货,单号SF123。")

    complaint = world.complaint(ref)
    assert complaint.waiting == ()
    answer = db.session.scalars(select(Message).where(Message.kind == MessageKind.MERCHANT)).one()
    assert answer.author_id == world.merchant.id
    # The shop also writes to the consumer in the complaint's public thread (issue 10).
    act_on_complaint(world.user("merchant"), ref, Action.REPLY, body="您好，我们已安排补发。")
    public = db.session.scalars(select(Message).where(Message.kind == MessageKind.PUBLIC)).all()
    assert [(m.author_id, m.body) for m in public][-1] == (world.merchant.id, "您好，我们已安排补发。")
