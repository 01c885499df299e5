"""A referral to mediation end to end through the pages: the proposal, both consents, a decline, a
lapse, the organisation's answer, sessions both parties see, questions, notes nobody else reads,
and the measures."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import event, func, select

from complaints import participants
from complaints.extensions import db
from complaints.models import (
    Category,
    ClockKind,
    Complaint,
    MediationOrganisation,
    Referral,
    ReferralConsent,
    ReferralStatus,
    SlaClock,
)
from complaints.services import mediation_measures, referral_choice
from complaints.services.complaint_view import load_complaint_view
from complaints.services.referrals import lapse_overdue_consents
from complaints.sla.facts import facts_for
from complaints.workflow import Action, Refusal, State, allowed_actions
from tests.support import act_as, csrf_token_from, mediation_accepted, referred_to, shanghai

NOTES = "MEDIATION-NOTES 商家同意考虑退款"


@pytest.fixture
def ref(app, world):
    """A verified complaint the agent referred to world.org_id: waiting for both consents."""
    reference = world.file()
    act_as(world, reference, "agent", Action.VERIFY)
    act_as(world, reference, "agent", Action.ESCALATE, mediation_org_id=world.org_id, reason="金额分歧")
    return reference


def post_form(client, page_url: str, action_url: str, **fields):
    page = client.get(page_url)
    assert page.status_code == 200, page_url
    return client.post(action_url, data={"csrf_token": csrf_token_from(page.text), **fields})


def consent(client, area: str, reference: str, **fields):
    base = f"/{area}/complaints/{reference}/referral"
    return post_form(client, base, f"{base}/consent", **({"referral_consent": "y"} | fields))


def login(client, auth, world, who: str):
    """Sign in as `who`; the zone and language the last person's requests chose are forgotten (the
    test's app context, which the client's requests share, keeps Flask-Babel's choice)."""
    from flask import g

    auth.logout()
    g.pop("_flask_babel", None)
    auth.login(world.people[who].email)


# --- The proposal: by category and open load ---------------------------------------------------


def test_the_proposal_is_the_organisation_taking_the_category_with_the_most_room(world, ref):
    first, other = (
        db.session.get(MediationOrganisation, world.org_id),
        db.session.get(MediationOrganisation, world.other_org_id),
    )
    first.capacity, other.capacity = 2, 2  # the first has one referral open already: one place left
    db.session.commit()
    assert referral_choice.propose(world.category_ids[0]).id == world.other_org_id
    # The other organisation takes only the second category: for the first, the first is proposed.
    other.categories = [db.session.get(Category, world.category_ids[1])]
    db.session.commit()
    assert referral_choice.propose(world.category_ids[0]).id == world.org_id
    assert [o.id for o in referral_choice.organisations_for(world.category_ids[0])] == [world.org_id]


def test_loads_are_counted_up_to_each_capacity_from_both_kinds_of_case(world, ref):
    first = db.session.get(MediationOrganisation, world.org_id)
    other = db.session.get(MediationOrganisation, world.other_org_id)
    # `ref` waits for consent with the first organisation; two more go into mediation with it.
    for _ in range(2):
        reference = world.file()
        act_as(world, reference, "agent", Action.VERIFY)
        act_as(world, reference, "agent", Action.ESCALATE, mediation_org_id=world.org_id)
    first.capacity, other.capacity = 10, 10
    db.session.commit()
    assert referral_choice.open_loads([first, other]) == {world.org_id: 3, world.other_org_id: 0}
    first.capacity = 2  # past its capacity: full, and counted no further
    db.session.commit()
    assert referral_choice.open_loads([first, other]) == {world.org_id: 2, world.other_org_id: 0}
    assert referral_choice.spare_capacity(first, referral_choice.open_loads([first])) == 0
    first.capacity = 0
    db.session.commit()
    assert referral_choice.open_loads([first]) == {world.org_id: 0}  # no room at all
    assert referral_choice.propose(world.category_ids[0]).id == world.other_org_id
    assert referral_choice.open_loads([]) == {}


def test_an_organisation_not_taking_the_category_or_full_is_refused_with_a_reason(world):
    other = db.session.get(MediationOrganisation, world.other_org_id)
    other.categories = [db.session.get(Category, world.category_ids[1])]
    db.session.commit()
    reference = world.file()
    act_as(world, reference, "agent", Action.VERIFY)
    with pytest.raises(Refusal, match="does not take complaints of this category"):
        act_as(world, reference, "agent", Action.ESCALATE, mediation_org_id=world.other_org_id)
    db.session.rollback()
    db.session.get(MediationOrganisation, world.org_id).capacity = 1
    db.session.commit()
    act_as(world, world.file(), "agent", Action.VERIFY)  # (another complaint)
    first = world.file()
    act_as(world, first, "agent", Action.VERIFY)
    act_as(world, first, "agent", Action.ESCALATE, mediation_org_id=world.org_id)
    with pytest.raises(Refusal, match="no room"):
        act_as(world, reference, "agent", Action.ESCALATE, mediation_org_id=world.org_id)


def test_the_desk_form_offers_the_proposal_chosen(client, auth, world):
    db.session.get(MediationOrganisation, world.org_id).capacity = 1
    db.session.commit()
    reference = world.file()
    act_as(world, reference, "agent", Action.VERIFY)
    auth.login(world.agent.email)
    page = client.get(f"/desk/complaints/{reference}").text
    assert f'<option selected value="{world.other_org_id}">' in page
    assert "Proposed: Other Mediation Org" in page


def test_the_desk_page_reads_the_organisations_once_for_the_choices_and_the_proposal(
    app, client, auth, world
):
    reference = world.file()
    act_as(world, reference, "agent", Action.VERIFY)
    auth.login(world.agent.email)
    page, reads = page_and_reads(client, f"/desk/complaints/{reference}", "mediation_organisations")
    assert "Proposed: " in page
    assert reads == 1


def page_and_reads(client, url: str, table: str) -> tuple[str, int]:
    """The page at `url` (asked for once before, so the process's caches are filled) and how
    many SELECTs of `table`'s rows it sent."""
    client.get(url)
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        page = client.get(url).text
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return page, len([s for s in statements if s.lstrip().startswith(f"SELECT {table}.")])


# --- Consent -----------------------------------------------------------------------------------


def test_both_parties_consent_in_their_portals_and_the_organisation_then_sees_the_case(
    client, auth, world, ref
):
    auth.login(world.mediator.email)
    assert client.get(f"/mediation/cases/{ref}").status_code == 404  # not before both consented
    login(client, auth, world, "consumer")
    assert "Your consent is awaited." in client.get(f"/portal/complaints/{ref}").text
    assert consent(client, "portal", ref).status_code == 302
    again = consent(client, "portal", ref)
    assert again.status_code == 404 or "already answered" in again.text  # no second answer
    login(client, auth, world, "merchant")
    assert consent(client, "merchant", ref).status_code == 302
    referral = db.session.scalars(select(Referral)).one()
    assert referral.status is ReferralStatus.AWAITING_ORGANISATION
    answers = {c.party.value: (c.user_id, c.answered_at) for c in referral.consents}
    assert answers == {
        "consumer": (world.consumer.id, shanghai(2026, 3, 2, 10)),
        "shop": (world.merchant.id, shanghai(2026, 3, 2, 10)),
    }
    login(client, auth, world, "mediator")
    page = client.get(f"/mediation/cases/{ref}").text
    assert "Accept and begin mediation" in page


def test_a_second_consent_and_a_consent_for_anothers_complaint_are_refused(client, auth, world, ref):
    auth.login(world.consumer.email)
    consent(client, "portal", ref)
    base = f"/portal/complaints/{ref}/referral"
    token = csrf_token_from(client.get(f"/portal/complaints/{ref}").text)
    twice = client.post(f"{base}/consent", data={"csrf_token": token, "referral_consent": "y"})
    assert twice.status_code == 409 and "already answered" in twice.text
    login(client, auth, world, "other_consumer")
    token = csrf_token_from(client.get("/portal/").text)
    theirs = client.post(f"{base}/consent", data={"csrf_token": token, "referral_consent": "y"})
    assert theirs.status_code == 404
    assert db.session.scalar(select(func.count()).select_from(ReferralConsent)) == 1


def test_an_unticked_consent_or_an_empty_decline_is_a_form_error(client, auth, world, ref):
    auth.login(world.consumer.email)
    unticked = consent(client, "portal", ref, referral_consent="")
    assert unticked.status_code == 400 and "Tick the box to consent" in unticked.text
    base = f"/portal/complaints/{ref}/referral"
    empty = post_form(client, base, f"{base}/decline", referral_decline_reason="  ")
    assert empty.status_code == 400 and "Give your reason." in empty.text
    assert world.complaint(ref).state is State.MEDIATED


def test_a_decline_ends_the_referral_with_its_reason_shown_to_the_other_party(client, auth, world, ref):
    auth.login(world.merchant.email)
    base = f"/merchant/complaints/{ref}/referral"
    declined = post_form(client, base, f"{base}/decline", referral_decline_reason="我们愿意直接全额退款。")
    assert declined.status_code == 302
    complaint = world.complaint(ref)
    assert complaint.state is State.VERIFIED and complaint.mediation_org_id is None
    assert not complaint.was_mediated
    login(client, auth, world, "consumer")
    page = client.get(f"/portal/complaints/{ref}").text
    assert "我们愿意直接全额退款。" in page and "Declined: the platform decides the complaint" in page
    # The platform decides again, held to a resolution window that starts at the decline.
    running = db.session.scalars(
        select(SlaClock.kind).where(SlaClock.complaint_id == complaint.id, SlaClock.stopped_at.is_(None))
    ).all()
    assert running == [ClockKind.RESOLUTION]


def test_a_consent_that_does_not_come_in_five_working_days_lapses(app, client, auth, world, ref, clock):
    # Referred Monday 2 March 10:00 in Shanghai: five working days end Monday 9 March 18:00.
    referral = db.session.scalars(select(Referral)).one()
    assert referral.consent_due_at == shanghai(2026, 3, 9, 18)
    auth.login(world.consumer.email)
    consent(client, "portal", ref)
    clock.set(shanghai(2026, 3, 9, 18, 1))
    login(client, auth, world, "merchant")
    page = client.get(f"/merchant/complaints/{ref}").text
    assert "Lapsed: consent did not come in time" in page  # before the job ran
    assert world.complaint(ref).state is State.MEDIATED  # reading it changed nothing
    late = consent(client, "merchant", ref)
    assert late.status_code == 404 or "counts as declined" in late.text
    with app.app_context():
        assert lapse_overdue_consents() == 1
        assert lapse_overdue_consents() == 0
    complaint = world.complaint(ref)
    assert complaint.state is State.VERIFIED
    shop = db.session.scalars(select(ReferralConsent).where(ReferralConsent.party == "shop")).one()
    assert shop.answer.value == "lapsed" and shop.user_id is None


# --- The organisation and mediation underway ---------------------------------------------------


def test_the_mediation_clock_starts_at_the_organisations_acceptance(world, ref, clock):
    act_as(world, ref, "consumer", Action.CONSENT_REFERRAL)
    act_as(world, ref, "merchant", Action.CONSENT_REFERRAL)
    assert not db.session.scalars(select(SlaClock).where(SlaClock.kind == ClockKind.MEDIATION)).all()
    clock.set(shanghai(2026, 3, 4, 11))
    act_as(world, ref, "mediator", Action.ACCEPT_REFERRAL)
    mediation = db.session.scalars(select(SlaClock).where(SlaClock.kind == ClockKind.MEDIATION)).one()
    assert mediation.started_at == shanghai(2026, 3, 4, 11)


def test_the_organisation_returns_a_case_with_its_reason(client, auth, world, ref):
    act_as(world, ref, "consumer", Action.CONSENT_REFERRAL)
    act_as(world, ref, "merchant", Action.CONSENT_REFERRAL)
    auth.login(world.mediator.email)
    url = f"/mediation/cases/{ref}"
    empty = post_form(client, url, f"{url}/referral/return", return_reason="")
    assert empty.status_code == 400
    returned = post_form(client, url, f"{url}/referral/return", return_reason="与一方存在利益冲突。")
    assert returned.status_code == 302 and returned.location.endswith("/mediation/")
    assert client.get(url).status_code == 404
    assert world.complaint(ref).state is State.VERIFIED
    login(client, auth, world, "consumer")
    assert "与一方存在利益冲突。" in client.get(f"/portal/complaints/{ref}").text


def test_a_scheduled_session_shows_to_both_parties_in_their_own_zone_and_notes_to_nobody_else(
    client, auth, world, ref
):
    mediation_accepted(world.complaint(ref))
    merchant = world.user("merchant")
    merchant.timezone = "Europe/London"
    db.session.commit()
    auth.login(world.mediator.email)
    url = f"/mediation/cases/{ref}"
    past = post_form(
        client, url, f"{url}/referral/schedule", starts_at="2026-03-01T10:00", session_channel="video"
    )
    assert past.status_code == 400 and "a time still to come" in past.text
    scheduled = post_form(
        client, url, f"{url}/referral/schedule", starts_at="2026-03-05T15:00", session_channel="video"
    )
    assert scheduled.status_code == 302
    held = post_form(
        client, url, f"{url}/session", held_at="2026-03-02T09:00", channel="phone", session_notes=NOTES
    )
    assert held.status_code == 302
    assert NOTES in client.get(url).text
    login(client, auth, world, "consumer")
    consumer_page = client.get(f"/portal/complaints/{ref}").text
    assert 'datetime="2026-03-05T07:00:00+00:00"' in consumer_page and "Video call" in consumer_page
    assert "March 5, 2026, 3:00:00\u202fPM China Standard Time" in consumer_page
    login(client, auth, world, "merchant")
    shop_page = client.get(f"/merchant/complaints/{ref}").text
    assert (
        "March 5, 2026, 7:00:00\u202fAM Greenwich Mean Time" in shop_page
    )  # the shop's staff member is in London
    for who, area in (
        ("consumer", "portal"),
        ("merchant", "merchant"),
        ("agent", "desk"),
        ("supervisor", "desk"),
    ):
        login(client, auth, world, who)
        assert NOTES not in client.get(f"/{area}/complaints/{ref}").text, who


def test_a_sessions_documents_are_read_like_its_notes(client, auth, world, ref):
    import io

    from complaints.models import Attachment
    from tests.files import html_bytes, pdf_bytes

    mediation_accepted(world.complaint(ref))
    auth.login(world.mediator.email)
    url = f"/mediation/cases/{ref}"
    page = client.get(url)
    form = {
        "csrf_token": csrf_token_from(page.text),
        "held_at": "2026-03-02T09:00",
        "channel": "phone",
        "session_notes": NOTES,
    }
    bad = client.post(f"{url}/session", data={**form, "session_files": [(io.BytesIO(html_bytes()), "x.pdf")]})
    assert bad.status_code == 400 and db.session.scalar(select(func.count()).select_from(Attachment)) == 0
    sent = client.post(
        f"{url}/session", data={**form, "session_files": [(io.BytesIO(pdf_bytes()), "笔录.pdf")]}
    )
    assert sent.status_code == 302
    document = db.session.scalars(select(Attachment)).one()
    assert document.session_id is not None
    download = f"/complaints/{ref}/attachments/{document.id}"
    case = client.get(url).text
    assert "笔录.pdf" in case and client.get(download).status_code == 200
    for who, area in (("consumer", "portal"), ("merchant", "merchant"), ("agent", "desk")):
        login(client, auth, world, who)
        assert "笔录.pdf" not in client.get(f"/{area}/complaints/{ref}").text, who
        assert client.get(download).status_code == 404, who


def test_the_platforms_staff_read_session_notes_only_where_the_policy_shares_them(
    app, client, auth, world, ref
):
    mediation_accepted(world.complaint(ref))
    act_as(world, ref, "mediator", Action.RECORD_SESSION, notes=NOTES, held_at=shanghai(2026, 3, 2, 9))
    app.config["MEDIATION_NOTES_TO_PLATFORM"] = True
    try:
        for who, area, shown in (
            ("agent", "desk", True),
            ("supervisor", "desk", True),
            ("consumer", "portal", False),
            ("merchant", "merchant", False),
        ):
            login(client, auth, world, who)
            assert (NOTES in client.get(f"/{area}/complaints/{ref}").text) is shown, who
    finally:
        app.config["MEDIATION_NOTES_TO_PLATFORM"] = False


def test_the_mediator_asks_a_party_and_the_clocks_it_names_wait(client, auth, world, ref):
    mediation_accepted(world.complaint(ref))
    auth.login(world.mediator.email)
    url = f"/mediation/cases/{ref}"
    nobody = post_form(client, url, f"{url}/referral/ask", ask_party="nobody", ask_body="?")
    assert nobody.status_code == 400
    asked = post_form(client, url, f"{url}/referral/ask", ask_party="consumer", ask_body="请提供付款截图。")
    assert asked.status_code == 302
    assert world.complaint(ref).waiting_on_consumer
    login(client, auth, world, "consumer")
    assert "请提供付款截图。" in client.get(f"/portal/complaints/{ref}").text


def test_a_mediator_of_another_organisation_can_do_nothing(client, auth, world, ref):
    act_as(world, ref, "consumer", Action.CONSENT_REFERRAL)
    act_as(world, ref, "merchant", Action.CONSENT_REFERRAL)
    auth.login(world.other_mediator.email)
    token = csrf_token_from(client.get("/mediation/").text)
    refused = client.post(f"/mediation/cases/{ref}/referral/accept", data={"csrf_token": token})
    assert refused.status_code == 404
    assert world.complaint(ref).version == db.session.get(Complaint, world.complaint(ref).id).version


# --- Measures ----------------------------------------------------------------------------------


def test_the_measures_count_settled_of_concluded_and_working_days_per_organisation_and_mediator(
    client, auth, world, ref, clock
):
    mediation_accepted(world.complaint(ref))  # accepted Monday 2 March
    clock.set(shanghai(2026, 3, 6, 15))  # Friday: Tuesday to Friday are four working days
    act_as(world, ref, "mediator", Action.RECORD_OUTCOME, outcome="not_settled", note="双方无法达成一致。")
    auth.login(world.mediator.email)
    page = client.get("/mediation/").text
    assert "Mediation measures" in page
    assert "0.0 %" in page and "Below the floor" in page and "0 / 1" in page
    assert "4.0 working days" in page and "Mediator" in page  # the mediator's own row
    assert "the pledged floor is 80 %" in page


def test_a_mediation_withdrawn_from_counts_in_neither_side_of_the_rate_and_its_clock_ends_void(
    client, auth, world, ref, clock
):
    mediation_accepted(world.complaint(ref))
    clock.set(shanghai(2026, 3, 6, 15))
    complaint = act_as(
        world,
        ref,
        "mediator",
        Action.RECORD_OUTCOME,
        outcome="mediation_withdrawn",
        note="消费者撤回调解申请。",
    )
    assert complaint.state is State.RESOLVED and complaint.compensation_amount is None
    mediation = db.session.scalar(
        select(SlaClock).where(SlaClock.complaint_id == complaint.id, SlaClock.kind == ClockKind.MEDIATION)
    )
    assert mediation.result.value == "void"
    auth.login(world.mediator.email)
    page = client.get("/mediation/").text
    assert "0 / 1" not in page and "1 / 1" not in page  # nothing concluded: no rate to count
    assert mediation_measures.concluded_counts("stopped") == []
    with pytest.raises(Refusal, match="who withdrew"):
        other = world.file()
        act_as(world, other, "agent", Action.VERIFY)
        act_as(world, other, "agent", Action.ESCALATE, mediation_org_id=world.org_id, reason="r")
        mediation_accepted(world.complaint(other))
        act_as(world, other, "mediator", Action.RECORD_OUTCOME, outcome="mediation_withdrawn", note=" ")


def test_working_days_between_any_two_days_asked_in_any_order_match_counting_them_one_by_one(world):
    from datetime import date

    from complaints.models import WorkCalendar
    from complaints.services.scorecard_counts import day_of
    from complaints.sla import calendar as wt
    from complaints.sla import policy

    calendar_id = db.session.scalar(select(WorkCalendar.id).limit(1))
    counter = mediation_measures._WorkingDays()
    epoch = date(1970, 1, 1)
    numbers = [
        (date(2026, m, d) - epoch).days for m, d in ((5, 6), (4, 29), (10, 9), (9, 27), (1, 2), (2, 20))
    ]

    def one_by_one(a: int, b: int) -> int:  # working days after a up to and including b
        days = [day_of(n) for n in range(a + 1, b + 1)]
        return sum(
            wt.is_working_day(policy.calendar_of(calendar_id, shanghai(d.year, 6, 1)), d) for d in days
        )

    for a in numbers:  # the first day asked is in the middle: later ones count back and forth
        for b in numbers:
            if a <= b:
                assert counter.through(calendar_id, b) - counter.through(calendar_id, a) == one_by_one(
                    a, b
                ), (
                    day_of(a),
                    day_of(b),
                )


def test_the_measures_are_kept_for_a_few_minutes_then_computed_again(app, world, ref, clock):
    app.config["SCORECARD_CACHE_SECONDS"] = 300
    mediation_accepted(world.complaint(ref))
    first = mediation_measures.measures_for(world.org_id)
    assert first.overall.concluded == 0
    act_as(world, ref, "mediator", Action.RECORD_OUTCOME, outcome="not_settled", note="双方无法达成一致。")
    assert mediation_measures.measures_for(world.org_id) is first  # as computed a moment ago
    clock.advance(seconds=301)
    assert mediation_measures.measures_for(world.org_id).overall.concluded == 1


def test_reading_the_referral_pages_changes_nothing(client, auth, world, ref, clock):
    clock.set(datetime(2026, 3, 20, 2, tzinfo=shanghai(2026, 1, 1).tzinfo))
    before = db.session.scalar(select(func.count()).select_from(ReferralConsent))
    for who, url in (
        ("consumer", f"/portal/complaints/{ref}/referral"),
        ("merchant", f"/merchant/complaints/{ref}/referral"),
        ("agent", f"/desk/complaints/{ref}/referral"),
    ):
        auth.logout()
        auth.login(world.people[who].email)
        assert client.get(url).status_code == 200
    assert db.session.scalar(select(func.count()).select_from(ReferralConsent)) == before
    assert world.complaint(ref).state is State.MEDIATED
    assert referred_to(world.complaint(ref)) == world.org_id


def test_a_referred_complaints_page_reads_its_referral_once_for_the_panel_and_the_actions(
    app, client, auth, world, ref
):
    """The latest referral decides the workflow's facts in mediation and is shown in the panel:
    one read. What the page offers is what facts read afresh allow, for each party."""
    assert world.complaint(ref).state == State.MEDIATED
    for who in ("consumer", "merchant", "agent"):
        user = world.user(who)
        view = load_complaint_view(user, ref)
        assert view.referral is not None and view.referral.organisation_id == world.org_id
        fresh = allowed_actions(participants.workflow_actor(user), facts_for(world.complaint(ref)))
        assert view.actions == fresh, who
    auth.login(world.agent.email)
    page, reads = page_and_reads(client, f"/desk/complaints/{ref}", "mediation_referrals")
    assert "Mediation" in page
    assert reads == 1
