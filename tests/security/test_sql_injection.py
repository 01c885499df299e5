"""SQL and full-text syntax in every search, filter and cursor: an answer, never a 500, no change.

Each parameter a list page reads gets SQL metacharacters, FTS5 query syntax, a 10,000-character
string, a NUL byte and awkward Unicode. The page must answer 200 (ignoring or showing the value)
or 400, the database must not change, and nobody may see more than their own scope.
"""

from __future__ import annotations

import pytest

from tests.security.endpoints import Request, UnknownArgument, requests, role_for
from tests.security.support import PRIVATE, differences, sign_in

PAYLOADS = {
    "quote-or": "' OR 1=1 --",
    "double-quote": '"',
    "star": "*",
    "near": "NEAR(",
    "drop-table": "'); DROP TABLE complaints; --",
    "union": "1 UNION SELECT password_hash, email FROM users --",
    "fts-syntax": 'title:* OR body:退款 NOT "x" ^a AND (b',
    "like-wildcards": "%_%\\",
    "cursor-like": "d:2026-03-02T02:00:00+00:00_1 OR 1=1",
    "ten-thousand": ("退款' OR '1'='1 " + "A" * 10_000)[:10_000],
    "nul": "耳机\x00' OR 1=1",
    "unicode": "\u202e𝔘𝔫𝔦😀\ufeff\u0301ｓｅｌｅｃｔ",
}

# (who looks, page, parameter, other parameters sent with it)
PARAMETERS = [
    ("supervisor", "desk.search", "q", {}),
    ("supervisor", "desk.search", "page", {"q": "耳机"}),
    ("supervisor", "desk.queue", "queue", {}),
    ("supervisor", "desk.queue", "state", {}),
    ("supervisor", "desk.queue", "category_id", {}),
    ("supervisor", "desk.queue", "merchant_id", {}),
    ("supervisor", "desk.queue", "assignee_id", {}),
    ("supervisor", "desk.queue", "after", {}),
    ("agent", "desk.queue", "after", {"queue": "mine"}),
    ("supervisor", "desk.at_risk", "after", {}),
    ("supervisor", "desk.breached", "after", {}),
    ("consumer", "portal.my_complaints", "before", {}),
    ("mediator", "mediation.cases", "tab", {}),
    ("mediator", "mediation.cases", "after", {}),
    ("mediator", "mediation.cases", "after", {"tab": "decided"}),
    ("admin", "admin.users", "role", {}),
    ("admin", "admin.users", "after", {}),
    ("admin", "admin.merchants", "after", {}),
    (None, "auth.login", "next", {}),
]
PATHS = [  # (who looks, page, other URL values): the complaint reference in the path
    ("consumer", "portal.complaint", {}),
    ("consumer", "portal.filed", {}),
    ("consumer", "files.attachment", {"attachment_id": 1}),
    ("supervisor", "desk.complaint", {}),
    ("mediator", "mediation.case", {}),
]


def _payload_params(nul_hole=None):
    """The payloads as parameters; the NUL one marked with `nul_hole` where PostgreSQL trips on it."""
    return [
        pytest.param(value, id=key, marks=[nul_hole] if nul_hole and key == "nul" else [])
        for key, value in PAYLOADS.items()
    ]


NEVER_SHOWN = {
    "consumer": (PRIVATE["foreign"], PRIVATE["foreign_mediated"]),
    "mediator": tuple(text for key, text in PRIVATE.items() if key != "mediated"),
}
SWEEP = ("quote-or", "fts-syntax", "ten-thousand", "nul")  # the sweep below sends these to every page
FILTER_NAMES = (
    "q",
    "page",
    "queue",
    "state",
    "category_id",
    "merchant_id",
    "assignee_id",
    "after",
    "before",
    "tab",
    "role",
    "next",
)


@pytest.fixture(scope="module")
def baseline(planted):
    return planted.snapshot()


def _check(planted, baseline, role, response, allowed=(200, 400)):
    assert response.status_code in allowed, response.status_code
    for secret in NEVER_SHOWN.get(role, ()):
        assert secret not in response.text
    assert differences(baseline, planted.snapshot()) == []


SEARCH_HOLE = None  # NUL bytes are refused at the edge (complaints/web/security.py)
REFERENCE_HOLE = None


def _filter_cases():
    for role, endpoint, name, other in PARAMETERS:
        hole = SEARCH_HOLE if (endpoint, name) == ("desk.search", "q") else None
        for payload in _payload_params(hole):
            case_id = f"{endpoint}?{name}" + (f"&{'&'.join(other)}" if other else "") + f"-{payload.id}"
            yield pytest.param(role, endpoint, name, other, *payload.values, id=case_id, marks=payload.marks)


@pytest.mark.parametrize(("role", "endpoint", "name", "other", "payload"), _filter_cases())
def test_hostile_filter_values_get_an_answer_and_change_nothing(
    planted, baseline, role, endpoint, name, other, payload
):
    client = planted.client(role)
    response = client.get(planted.url(endpoint), query_string={**other, name: payload})
    _check(planted, baseline, role, response)


@pytest.mark.parametrize("payload", _payload_params(REFERENCE_HOLE))
@pytest.mark.parametrize(
    ("role", "endpoint", "values"), PATHS, ids=[f"{e}/<reference>" for _, e, _v in PATHS]
)
def test_hostile_references_find_nothing(planted, baseline, role, endpoint, values, payload):
    response = planted.client(role).get(planted.url(endpoint, reference=payload, **values))
    # A NUL byte is refused at the edge as malformed (400); anything else simply finds nothing.
    _check(planted, baseline, role, response, allowed=(400,) if "\x00" in payload else (404,))


# Files are bytes, not pages: evidence, the agreement PDFs (whose text tests/integration/test_agreements.py
# reads) and the service reports' PDFs (tests/integration/test_service_reports.py).
GET_PAGES = [
    pytest.param(r, id=str(r))
    for r in requests("GET")
    if r.endpoint != "files.attachment"
    and not r.endpoint.endswith(".agreement_pdf")
    and r.endpoint != "reports.service_report_pdf"
]


@pytest.mark.parametrize("request_", GET_PAGES)
def test_every_page_survives_hostile_values_in_every_filter(planted, baseline, request_: Request):
    """Pages added later are probed too: every filter name at once, with each SWEEP payload."""
    role = role_for(request_)
    client = planted.client(role)
    try:
        url = request_.url(planted)
    except UnknownArgument as unknown:
        pytest.fail(str(unknown))
    for kind in SWEEP:
        response = client.get(url, query_string=dict.fromkeys(FILTER_NAMES, PAYLOADS[kind]))
        body = response.get_data(as_text=True)  # read whole: a streamed CSV ends in its own request
        response.close()
        assert response.status_code in (200, 302, 400), (kind, response.status_code)
        for secret in NEVER_SHOWN.get(role, ()):
            assert secret not in body
    assert differences(baseline, planted.snapshot()) == []


@pytest.mark.parametrize("payload", _payload_params())
def test_hostile_sign_in_details_sign_nobody_in(planted, baseline, payload):
    client = planted.fresh_client(None)
    for email, password in (
        (payload, "x"),
        (f"{payload}@example.com", payload),
        (planted.email("admin"), payload),
    ):
        response = client.post("/login", data={"email": email, "password": password})
        assert response.status_code == 400
    assert client.get("/admin/users").status_code == 302  # still signed out
    sign_in(client, planted.email("admin"))  # and the failures above did not lock the account


# The forms below store what they are sent, so these run last and change the planted world.
NUL_FORMS = {
    "filing": ("consumer", "/portal/complaints/new", "title"),
    "consumer-reply": ("consumer", "/portal/complaints/{mediated}/reply", "body"),
    "desk-note": ("supervisor", "/desk/complaints/{mediated}/note", "note_body"),
    "registration": (None, "/register", "name"),
    "admin-merchant": ("admin", "/admin/merchants/new", "name"),
}


def _nul_form(planted, field: str) -> dict:
    return {
        "merchant_id": str(planted.people.merchant_ids[0]),
        "category_id": str(planted.people.category_ids[0]),
        "order_reference": "ORD-NUL-0001",
        "title": "Broken kettle",
        "description": "It leaks.",
        "desired_outcome": "refund",
        "claimed_amount": "1.00",
        "email": "nul-byte@example.com",
        "password": "another-horse-42",
        "confirm": "another-horse-42",
        "shop_code": "SHOP-NUL",
        "active": "y",
        field: "before\x00after",
    }


@pytest.mark.parametrize(
    ("role", "path", "field"),
    [pytest.param(*spec, id=key) for key, spec in NUL_FORMS.items()],
)
def test_a_nul_byte_in_a_form_field_is_refused_or_dropped_never_a_500(planted, role, path, field):
    client = planted.client(role) if role else planted.fresh_client(None)
    response = client.post(path.format(mediated=planted.refs["mediated"]), data=_nul_form(planted, field))
    assert response.status_code in (302, 400)
