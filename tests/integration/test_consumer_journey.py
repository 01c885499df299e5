"""A consumer files a complaint in the portal and follows it to the end."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from flask_babel import refresh
from sqlalchemy import func, select

from complaints.extensions import db
from complaints.models import Attachment, Complaint, MediationOrganisation, Merchant, Message
from complaints.participants import get_visible_complaint
from complaints.services.lifecycle import apply_action
from complaints.services.pledge_keeping import sweep
from complaints.workflow import Action, State
from tests.files import pdf_bytes, png_bytes
from tests.support import PASSWORD, act, referred_to


def filing(world, **overrides) -> dict:
    """What a consumer types into the filing form."""
    data = {
        "merchant_id": str(world.merchant_ids[0]),
        "order_reference": "ORD-20260301-0042",
        "category_id": str(world.category_ids[0]),
        "title": "Headphones arrived without sound on the left",
        "description": "The left earpiece is silent. The shop has not answered for a week.",
        "desired_outcome": "refund",
        "claimed_amount": "299.00",
    }
    data.update(overrides)
    return data


def post_filing(client, world, files=(), **overrides):
    data = filing(world, **overrides)
    data["evidence"] = [(io.BytesIO(content), name) for name, content in files]
    return client.post("/portal/complaints/new", data=data, content_type="multipart/form-data")


def complaint_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Complaint))


def staff_does(app, world, reference: str, action: Action, who: str = "agent", **params) -> None:
    """An agent (or another staff member) acts on a complaint through the service."""
    with app.app_context():
        user = world.user(who)
        complaint = get_visible_complaint(user, reference)
        apply_action(complaint, user, action, **params)
        db.session.commit()


def version_of(app, world, reference: str) -> int:
    with app.app_context():
        return world.complaint(reference).version


def resolved_complaint(app, world) -> str:
    with app.app_context():
        reference = world.file()
    staff_does(app, world, reference, Action.VERIFY)
    staff_does(app, world, reference, Action.RESOLVE, outcome="upheld", compensation_amount="299.00")
    return reference


def test_consumer_registers_files_with_evidence_follows_replies_adds_evidence_and_withdraws(
    app, client, world
):
    registered = client.post(
        "/register",
        data={"name": "Li Lei", "email": "lilei@example.com", "password": PASSWORD, "confirm": PASSWORD},
    )
    assert registered.status_code == 302

    form_page = client.get("/portal/complaints/new")
    assert form_page.status_code == 200
    assert "shop code, as shown on your order" in form_page.text
    assert 'accept=".jpg,.jpeg,.png,.pdf"' in form_page.text

    filed = post_filing(client, world, files=[("receipt.png", png_bytes()), ("order.pdf", pdf_bytes())])
    assert filed.status_code == 302
    assert filed.headers["Location"].endswith("/portal/complaints/C-2026-000001/filed")

    confirmation = client.get(filed.headers["Location"])
    assert confirmation.status_code == 200
    assert "C-2026-000001" in confirmation.text
    assert "What happens next" in confirmation.text

    listing = client.get("/portal/complaints")
    assert "C-2026-000001" in listing.text
    assert "Headphones arrived without sound on the left" in listing.text
    assert "Received" in listing.text

    page = client.get("/portal/complaints/C-2026-000001")
    assert page.status_code == 200
    assert "Complaint filed" in page.text
    assert "We will verify your complaint by" in page.text  # the pledge, as dates
    assert "receipt.png" in page.text and "order.pdf" in page.text

    replied = client.post(
        "/portal/complaints/C-2026-000001/reply", data={"body": "The shop still has not called me."}
    )
    assert replied.status_code == 302
    page = client.get("/portal/complaints/C-2026-000001")
    assert "Your message was sent." in page.text
    assert "The shop still has not called me." in page.text
    assert "Internal note" not in page.text

    added = client.post(
        "/portal/complaints/C-2026-000001/evidence",
        data={"evidence": [(io.BytesIO(png_bytes()), "photo-of-box.png")]},
        content_type="multipart/form-data",
    )
    assert added.status_code == 302
    assert "photo-of-box.png" in client.get("/portal/complaints/C-2026-000001").text

    withdrawn = act(client, "portal", "C-2026-000001", "withdraw", withdraw_reason="The shop refunded me.")
    assert withdrawn.status_code == 302
    page = client.get("/portal/complaints/C-2026-000001")
    assert "Your complaint was withdrawn." in page.text
    assert "Withdrawn by the consumer" in page.text
    with app.app_context():
        complaint = world.complaint("C-2026-000001")
        assert complaint.state is State.WITHDRAWN
        assert db.session.scalar(select(func.count()).select_from(Attachment)) == 3


def test_consumer_confirms_a_resolved_complaint_with_a_rating(app, client, auth, world):
    reference = resolved_complaint(app, world)
    auth.login(world.consumer.email)
    page = client.get(f"/portal/complaints/{reference}")
    assert "Accept the outcome" in page.text
    assert 'type="radio"' in page.text

    confirmed = act(client, "portal", reference, "confirm", rating="4", comment="Quick and fair.")
    assert confirmed.status_code == 302
    assert "Your complaint is now closed." in client.get(f"/portal/complaints/{reference}").text
    with app.app_context():
        complaint = world.complaint(reference)
        assert complaint.state is State.CLOSED
        assert complaint.rating == 4
        assert complaint.rating_comment == "Quick and fair."


def test_confirming_without_a_rating_is_explained_and_changes_nothing(app, client, auth, world):
    reference = resolved_complaint(app, world)
    auth.login(world.consumer.email)
    response = act(client, "portal", reference, "confirm")
    assert response.status_code == 400
    assert "Choose a rating from 1 to 5." in response.text
    with app.app_context():
        assert world.complaint(reference).state is State.RESOLVED


def test_consumer_disputes_an_outcome_and_it_goes_to_mediation(app, client, auth, world):
    reference = resolved_complaint(app, world)
    auth.login(world.consumer.email)
    page = client.get(f"/portal/complaints/{reference}")
    assert ">Other Mediation Org</option>" in page.text  # two organisations: the consumer chooses

    disputed = act(
        client,
        "portal",
        reference,
        "dispute",
        dispute_reason="The refund never arrived.",
        mediation_org_id=str(world.other_org_id),
    )
    assert disputed.status_code == 302
    page = client.get(f"/portal/complaints/{reference}")
    assert "Outcome disputed; referred to mediation" in page.text
    with app.app_context():
        complaint = world.complaint(reference)
        assert complaint.state is State.MEDIATED
        assert referred_to(complaint) == world.other_org_id


def test_with_one_mediation_organisation_a_dispute_goes_there_without_asking(app, client, auth, world):
    with app.app_context():
        db.session.get(MediationOrganisation, world.other_org_id).active = False
        db.session.commit()
    reference = resolved_complaint(app, world)
    auth.login(world.consumer.email)
    page = client.get(f"/portal/complaints/{reference}")
    assert f'<input type="hidden" name="mediation_org_id" value="{world.org_id}">' in page.text
    assert "<select" not in page.text

    disputed = act(
        client,
        "portal",
        reference,
        "dispute",
        dispute_reason="Only half was refunded.",
        mediation_org_id=str(world.org_id),
    )
    assert disputed.status_code == 302
    with app.app_context():
        assert referred_to(world.complaint(reference)) == world.org_id


def test_consumer_can_appeal_a_rejection_only_once(app, client, auth, world):
    with app.app_context():
        reference = world.file()
    staff_does(app, world, reference, Action.REJECT, reason="The order is older than one year.")
    auth.login(world.consumer.email)
    page = client.get(f"/portal/complaints/{reference}")
    assert "Appeal the rejection" in page.text
    assert "The order is older than one year." in page.text

    appealed = act(client, "portal", reference, "appeal", appeal_reason="It was delivered in May.")
    assert appealed.status_code == 302
    with app.app_context():
        assert world.complaint(reference).state is State.RECEIVED

    staff_does(app, world, reference, Action.REJECT, reason="Still out of time.")
    assert "Appeal the rejection" not in client.get(f"/portal/complaints/{reference}").text
    again = client.post(  # the page offers no form any more: a hand-made request
        f"/portal/complaints/{reference}/appeal",
        data={"version": version_of(app, world, reference), "appeal_reason": "Please look again."},
    )
    assert again.status_code == 409
    assert "A rejected complaint can be appealed only once." in again.text
    with app.app_context():
        assert world.complaint(reference).state is State.REJECTED


def test_consumer_cannot_open_or_act_on_another_consumers_complaint(app, client, auth, world):
    with app.app_context():
        reference = world.file("other_consumer")
    auth.login(world.consumer.email)
    assert client.get(f"/portal/complaints/{reference}").status_code == 404
    assert client.get(f"/portal/complaints/{reference}/filed").status_code == 404
    assert reference not in client.get("/portal/complaints").text
    reply = client.post(f"/portal/complaints/{reference}/reply", data={"body": "Let me in."})
    assert reply.status_code == 404
    withdraw = client.post(
        f"/portal/complaints/{reference}/withdraw", data={"version": version_of(app, world, reference)}
    )
    assert withdraw.status_code == 404
    with app.app_context():
        assert world.complaint(reference).state is State.RECEIVED
        assert db.session.scalar(select(func.count()).select_from(Message)) == 0


def test_an_action_the_portal_does_not_offer_is_not_found(app, client, auth, world):
    with app.app_context():
        reference = world.file()
    auth.login(world.consumer.email)
    response = client.post(f"/portal/complaints/{reference}/verify", data={"version": "1"})
    assert response.status_code == 404
    with app.app_context():
        assert world.complaint(reference).state is State.RECEIVED


def test_an_action_not_possible_now_is_refused_with_a_reason(app, client, auth, world):
    reference = resolved_complaint(app, world)
    auth.login(world.consumer.email)
    response = act(client, "portal", reference, "withdraw")
    assert response.status_code == 409
    assert "This action is not possible while the complaint is resolved." in response.text
    with app.app_context():
        assert world.complaint(reference).state is State.RESOLVED


def test_consumer_cannot_ask_for_mediation_before_the_pledged_resolution_time_passes(
    app, client, auth, world
):
    with app.app_context():
        reference = world.file()
    staff_does(app, world, reference, Action.VERIFY)
    auth.login(world.consumer.email)
    assert (
        f"/portal/complaints/{reference}/escalate" not in client.get(f"/portal/complaints/{reference}").text
    )
    response = act(client, "portal", reference, "escalate", mediation_org_id=str(world.org_id))
    assert response.status_code == 409
    assert "once the pledged resolution time has passed" in response.text
    with app.app_context():
        assert world.complaint(reference).state is State.VERIFIED


def test_consumer_asks_for_mediation_once_the_pledged_resolution_time_has_passed(
    app, client, auth, world, clock
):
    with app.app_context():
        reference = world.file()
    staff_does(app, world, reference, Action.VERIFY)
    clock.advance(days=120)
    with app.app_context():
        sweep()
    auth.login(world.consumer.email)
    page = client.get(f"/portal/complaints/{reference}")
    assert f"/portal/complaints/{reference}/escalate" in page.text
    escalated = act(
        client,
        "portal",
        reference,
        "escalate",
        mediation_org_id=str(world.org_id),
        escalate_reason="Nobody has contacted the shop for months.",
    )
    assert escalated.status_code == 302
    with app.app_context():
        complaint = world.complaint(reference)
        assert complaint.state is State.MEDIATED
        assert referred_to(complaint) == world.org_id


def test_acting_on_an_outdated_page_asks_to_reload_and_changes_nothing(app, client, auth, world):
    with app.app_context():
        reference = world.file()
    auth.login(world.consumer.email)
    seen = version_of(app, world, reference)
    staff_does(app, world, reference, Action.VERIFY)
    response = client.post(f"/portal/complaints/{reference}/withdraw", data={"version": seen})
    assert response.status_code == 409
    assert "This complaint changed while you were looking at it." in response.text
    assert f'name="version" value="{version_of(app, world, reference)}"' in response.text
    with app.app_context():
        assert world.complaint(reference).state is State.VERIFIED


def test_filing_with_missing_fields_explains_each_and_saves_nothing(app, client, auth, world):
    auth.login(world.consumer.email)
    response = client.post(
        "/portal/complaints/new",
        data={"merchant_id": "", "category_id": "", "desired_outcome": "", "claimed_amount": ""},
    )
    assert response.status_code == 400
    for message in (
        "Choose the shop you bought from.",
        "Give the order number from your order confirmation.",
        "Choose what the complaint is about.",
        "Give your complaint a short title.",
        "Describe what happened.",
        "Choose what you would like to happen.",
        "Give the amount you are claiming (0 if none).",
    ):
        assert message in response.text
    assert complaint_count(app) == 0


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("-1", "The amount cannot be negative."),
        ("abc", "Enter an amount of money, such as 299 or 299.50."),
        ("12.345", "Use at most two decimals"),
        ("NaN", "Enter an amount of money"),
    ],
)
def test_filing_with_an_amount_that_is_not_money_is_refused(app, client, auth, world, amount, message):
    auth.login(world.consumer.email)
    response = post_filing(client, world, claimed_amount=amount)
    assert response.status_code == 400
    assert message in response.text
    assert complaint_count(app) == 0


def test_filing_stores_what_the_consumer_typed(app, client, auth, world):
    auth.login(world.consumer.email)
    response = post_filing(
        client, world, claimed_amount="0", desired_outcome="apology", category_id=str(world.category_ids[1])
    )
    assert response.status_code == 302
    with app.app_context():
        complaint = world.complaint("C-2026-000001")
        assert complaint.consumer_id == world.consumer.id
        assert complaint.claimed_amount == Decimal("0.00")
        assert complaint.desired_outcome.value == "apology"
        assert complaint.category_id == world.category_ids[1]


def test_filing_form_offers_active_shops_and_categories_in_the_viewers_language(app, client, auth, world):
    with app.app_context():
        db.session.get(Merchant, world.merchant_ids[1]).active = False
        db.session.commit()
    auth.login(world.consumer.email)
    english = client.get("/portal/complaints/new")
    assert "Product quality" in english.text
    assert "Green Valley Foods" not in english.text
    assert "Something else" in english.text  # the desired outcome's label, not its code
    client.post("/language", data={"locale": "zh_CN"})
    refresh()  # the world fixture keeps one app context for the whole test, and Babel caches in it
    chinese = client.get("/portal/complaints/new")
    assert "商品质量" in chinese.text


def test_my_complaints_lists_newest_first_in_pages_of_25(app, client, auth, world, clock):
    with app.app_context():
        for number in range(27):
            world.file()
            if number % 2:  # some complaints share a filing instant
                clock.advance(minutes=1)
        world.file("other_consumer", title="Somebody else's complaint")
    auth.login(world.consumer.email)
    first = client.get("/portal/complaints")
    assert first.status_code == 200
    assert first.text.index("C-2026-000027") < first.text.index("C-2026-000026")
    assert "C-2026-000003" in first.text
    assert "C-2026-000002" not in first.text
    assert "Somebody else" not in first.text
    assert 'rel="next"' in first.text

    next_url = first.text.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    second = client.get(next_url)
    assert second.status_code == 200
    assert "C-2026-000002" in second.text and "C-2026-000001" in second.text
    assert "C-2026-000003" not in second.text
    assert 'rel="next"' not in second.text


def test_my_complaints_without_any_invites_to_file_one(client, auth, world):
    auth.login(world.consumer.email)
    page = client.get("/portal/complaints")
    assert "You have not filed any complaints yet." in page.text
    assert 'href="/portal/complaints/new"' in page.text


def test_staff_do_not_use_the_consumer_portal(client, auth, world):
    auth.login(world.agent.email)
    assert client.get("/portal/complaints/new").status_code == 403


def test_the_shop_is_found_by_its_code_or_its_name_and_an_unknown_one_is_explained(client, auth, world, app):
    auth.login(world.consumer.email)
    by_code = post_filing(client, world, merchant_id="shop-b")
    by_name = post_filing(client, world, merchant_id="Green Valley Foods")
    assert by_code.status_code == by_name.status_code == 302
    unknown = post_filing(client, world, merchant_id="No Such Shop")
    assert unknown.status_code == 400
    assert "We could not find that shop" in unknown.text
    with app.app_context():
        shops = {world.complaint(ref).merchant_id for ref in ("C-2026-000001", "C-2026-000002")}
        assert shops == {world.merchant_ids[1]}
        assert db.session.scalar(select(func.count()).select_from(Complaint)) == 2
