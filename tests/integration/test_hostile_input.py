"""Input an attacker (or a slip of the keyboard) sends: never a 500, never a half-written change.

Each case found from outside is a test here: huge integers in ids, cursors and filters, CR/LF in
`next=`, impossible dates, money that would have been silently rounded.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from complaints.extensions import db
from complaints.models import Complaint, MediationSession
from complaints.services.lifecycle import apply_action
from complaints.services.money import parse_amount
from complaints.workflow import Action, Refusal
from tests.support import PASSWORD, act, act_as, csrf_token_from, mediation_accepted

HUGE = "99999999999999999999999"


def sign_in(client, world, who: str):
    response = client.post("/login", data={"email": getattr(world, who).email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def form_token(client, path: str) -> str:
    return csrf_token_from(client.get(path).get_data(as_text=True))


# --- Huge integers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        f"/admin/merchants/{HUGE}",
        f"/admin/categories/{HUGE}",
        f"/admin/organisations/{HUGE}",
        f"/admin/policies/{HUGE}",
        f"/admin/calendars/{HUGE}",
        f"/complaints/C-2026-000001/attachments/{HUGE}",
    ],
)
def test_a_huge_id_in_a_path_is_not_found(client, world, path):
    sign_in(client, world, "admin")
    assert client.get(path).status_code == 404


def test_a_huge_user_id_to_deactivate_is_not_found(client, world):
    sign_in(client, world, "admin")
    token = form_token(client, "/admin/users")
    assert client.post(f"/admin/users/{HUGE}/active", data={"csrf_token": token}).status_code == 404


@pytest.mark.parametrize("path", ["/admin/users", "/admin/merchants"])
def test_a_huge_cursor_on_an_admin_list_gives_the_first_page(client, world, path):
    sign_in(client, world, "admin")
    assert client.get(f"{path}?after={HUGE}").status_code == 200
    assert client.get(f"{path}?after=-5").status_code == 200


def test_a_huge_cursor_on_the_consumers_list_gives_the_first_page(client, world):
    world.file()
    sign_in(client, world, "consumer")
    for before in (f"2026-01-01T00:00:00|{HUGE}", "0001-01-01T00:00:00|1", "9999-12-31T23:59:59|-1", "x|y"):
        response = client.get("/portal/complaints", query_string={"before": before})
        assert response.status_code == 200, before


@pytest.mark.parametrize(
    "cursor", [f"d:2026-03-02T02:00:00+00:00:{HUGE}", f"d_{HUGE}", "f:0001-01-01T00:00:00+00:00:1"]
)
def test_a_huge_or_odd_queue_cursor_gives_the_first_page(client, world, cursor):
    world.file()
    sign_in(client, world, "agent")
    assert client.get("/desk/", query_string={"after": cursor}).status_code == 200


def test_a_huge_shop_id_in_the_desk_filter_finds_no_shop(client, world):
    sign_in(client, world, "agent")
    response = client.get("/desk/", query_string={"merchant_id": HUGE})
    assert response.status_code == 200
    assert "We could not find that shop" in response.get_data(as_text=True)


def test_a_huge_mediation_cursor_gives_the_first_page(client, world):
    sign_in(client, world, "mediator")
    response = client.get("/mediation/", query_string={"after": f"2026-03-02T02:00:00+00:00_{HUGE}"})
    assert response.status_code == 200


def test_filing_against_a_huge_shop_id_is_refused_beside_the_field(client, world):
    sign_in(client, world, "consumer")
    token = form_token(client, "/portal/complaints/new")
    response = client.post(
        "/portal/complaints/new",
        data={
            "csrf_token": token,
            "merchant_id": HUGE,
            "category_id": str(world.category_ids[0]),
            "order_reference": "ORD-1",
            "title": "耳机坏了",
            "description": "左耳没有声音",
            "desired_outcome": "refund",
            "claimed_amount": "299",
        },
    )
    assert response.status_code == 400
    assert "We could not find that shop" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Complaint)) == 0


# --- CR/LF in a redirect target -----------------------------------------------------------------


def test_crlf_in_next_after_signing_in_goes_home(client, world):
    response = client.post(
        "/login",
        data={
            "email": world.consumer.email,
            "password": PASSWORD,
            "next": "/portal/complaints\r\nSet-Cookie: x=1",
        },
    )
    assert response.status_code == 302
    assert "\n" not in response.headers["Location"] and "Set-Cookie: x=1" not in str(response.headers)


def test_crlf_in_next_when_changing_language_goes_home(client, world):
    token = form_token(client, "/login")
    response = client.post(
        "/language", data={"csrf_token": token, "locale": "en", "next": "/login\r\nSet-Cookie: x=1"}
    )
    assert response.status_code == 302
    assert "\n" not in response.headers["Location"]


# --- Impossible dates ---------------------------------------------------------------------------


@pytest.fixture
def in_mediation(world) -> str:
    """A complaint the mediator's organisation has, verified and referred by the agent."""
    ref = world.file()
    act_as(world, ref, "agent", Action.VERIFY)
    act_as(world, ref, "agent", Action.ESCALATE, mediation_org_id=world.org_id)
    mediation_accepted(world.complaint(ref))
    return ref


@pytest.mark.parametrize(
    "held_at", ["0001-01-01T00:00", "9999-12-31T23:59", "2026-02-30T10:00", "1899-12-31T10:00"]
)
def test_a_session_at_an_impossible_date_is_refused_with_a_message(client, world, in_mediation, held_at):
    ref = in_mediation
    sign_in(client, world, "mediator")
    response = act(
        client, "mediation", ref, "session", held_at=held_at, channel="phone", session_notes="双方到场"
    )
    assert response.status_code == 400
    assert 'id="held_at-error"' in response.get_data(as_text=True) or "has-error" in response.get_data(
        as_text=True
    )
    assert db.session.scalar(select(func.count()).select_from(MediationSession)) == 0


def test_a_session_held_a_moment_ago_is_recorded(client, world, in_mediation):
    ref = in_mediation
    sign_in(client, world, "mediator")
    response = act(
        client,
        "mediation",
        ref,
        "session",
        held_at="2026-03-02T09:30",
        channel="phone",
        session_notes="双方到场",
    )
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(MediationSession)) == 1


# --- Money is never silently rounded ------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("299", "299.00"),
        ("299.5", "299.50"),
        ("0.01", "0.01"),
        ("1,000.50", "1000.50"),
        ("12,345,678", "12345678.00"),
        (" 42 ", "42.00"),
    ],
)
def test_plain_amounts_are_taken_exactly(typed, amount):
    assert str(parse_amount(typed)) == amount


@pytest.mark.parametrize(
    "typed",
    [
        "1.2345678901",
        "0.001",
        "１２３",
        "1_000",
        "1e3",
        "1E3",
        "12,34",
        "1,0000",
        "--1",
        "-1",
        "+5",
        "NaN",
        "Infinity",
        "0x10",
        "1.",
        ".5",
        "1 000",
        "１.５",
    ],
)
def test_amounts_that_would_be_rounded_or_misread_are_refused(typed):
    with pytest.raises(Refusal):
        parse_amount(typed)


def test_a_compensation_with_too_many_decimals_is_refused_not_rounded(client, world):
    ref = world.file()
    apply_action(world.complaint(ref), world.user("agent"), Action.VERIFY)
    db.session.commit()
    sign_in(client, world, "agent")
    response = act(
        client, "desk", ref, "resolve", outcome="upheld", compensation_amount="1.2345678901", note="退款"
    )
    assert response.status_code == 400
    complaint = world.complaint(ref)
    assert complaint.state.value == "verified" and complaint.compensation_amount is None
