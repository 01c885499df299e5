"""Cross-site scripting: what users type comes back as text, on every page that shows it.

For each payload a world is planted through the real forms: every text field a person can submit
(registration name, complaint fields, replies, notes, reasons, outcome notes, session notes, admin
names, the search query, an evidence file's name) carries a marker and the payload. Then every
role crawls every page it can reach by following links. No page may carry the payload as markup,
each field must come back escaped where it is shown, and every HTML page forbids inline script.
"""

from __future__ import annotations

import html
import re

import pytest
from markupsafe import escape

from tests.security.support import assert_security_headers, build_people, dispose, make_app
from tests.security.xss_world import FILE_FIELDS, PAYLOADS, Page, Planter, XssWorld, active_markup, crawl

CASE = ("portal.complaint", "desk.complaint", "mediation.case")  # the complaint, as each party sees it
# field -> the pages (endpoints) that must show it, escaped. Every field is also checked on every
# page crawled: it may never appear there as markup.
SHOWN_ON = {
    "NAME": ("admin.users", "portal.my_complaints", "portal.complaint", "desk.complaint", "mediation.case"),
    "TITLE": ("portal.my_complaints", "desk.search", "mediation.cases", *CASE),
    "DESCRIPTION": ("desk.search", *CASE),
    "ORDER": ("desk.search", *CASE),
    "MERCHANT": (
        "admin.merchants",
        "admin.edit_merchant",
        "portal.my_complaints",
        "desk.queue",
        "desk.search",
        "mediation.cases",
        *CASE,
    ),
    "CATEN": ("admin.categories", "admin.edit_category", "portal.new_complaint", "desk.queue", *CASE),
    "CATZH": ("admin.categories", "admin.edit_category"),
    "ORG": ("admin.organisations", "admin.edit_organisation", "admin.users", "admin.new_user", *CASE),
    "STAFF": ("admin.users", "mediation.cases", *CASE),
    "AGENTREPLY": CASE,
    "NOTE": ("desk.complaint",),
    "ASKCONSUMER": CASE,
    "MERCHANTANSWER": CASE,
    "ESCALATE": CASE,
    "CONSUMERREPLY": CASE,
    "SESSION": ("mediation.case",),  # the organisation's own: not the platform's staff
    "MEDIATORREPLY": CASE,
    "OUTCOME": CASE,
    "REJECT": ("portal.complaint", "desk.complaint"),
    "APPEAL": ("portal.complaint", "desk.complaint"),
    "RESOLVENOTE": CASE,
    "DISPUTE": CASE,
    "WITHDRAW": ("portal.complaint", "desk.complaint"),
    "POLICY": ("admin.policies", "admin.edit_policy"),
    "DAYNOTE": ("admin.calendars", "admin.edit_calendar"),
    "SEARCH": ("desk.search",),
}


@pytest.fixture(scope="module", params=PAYLOADS, ids=PAYLOADS)
def xss(request, tmp_path_factory):
    app = make_app(tmp_path_factory.mktemp(f"xss-{request.param}"))
    world = XssWorld(PAYLOADS[request.param])
    planter = Planter(app, build_people(app), world)
    refs = planter.plant()
    searches = [f"/desk/search?q={quote}" for quote in (world.value("SEARCH"), "TITLE", refs["mediated"])]
    starts = {
        "consumer": [
            "/portal/complaints",
            "/portal/complaints/new",
            *[f"/portal/complaints/{r}" for r in refs.values()],
        ],
        "supervisor": ["/desk/", *searches, *[f"/desk/complaints/{r}" for r in refs.values()]],
        "mediator": ["/mediation/", "/mediation/?tab=decided"],
        "admin": [
            "/admin/users",
            "/admin/merchants",
            "/admin/categories",
            "/admin/organisations",
            "/admin/policies",
            "/admin/calendars",
        ],
    }
    planter.client("supervisor")
    for role, urls in starts.items():
        crawl(app, role, planter.clients[role], [*urls, "/notifications"], world)
    yield world
    dispose(app)


def _shown(page: Page) -> str:
    """The page's text without the <mark> tags search adds around the words it found."""
    return page.text.replace("<mark>", "").replace("</mark>", "")


@pytest.mark.parametrize("role", ["consumer", "supervisor", "mediator", "admin"])
def test_no_page_carries_what_users_typed_as_markup(xss, role):
    pages = [p for p in xss.pages if p.role == role]
    assert len(pages) >= 4, [p.url for p in pages]
    for page in pages:
        assert page.status < 500, page.url
        if page.content_type != "text/html":  # downloads (the data export) are never rendered
            assert page.headers.get("X-Content-Type-Options") == "nosniff", page.url
            if page.endpoint == "api-docs.openapi_json":  # generated from the code: nothing typed in it
                assert xss.payload not in page.text, page.url
                continue
            assert page.headers.get("Content-Disposition", "").startswith("attachment"), page.url
            continue
        if xss.payload != PAYLOADS["javascript-url"]:
            assert xss.payload not in page.text, page.url
        assert active_markup(page.text) == [], page.url


@pytest.mark.parametrize("marker", SHOWN_ON)
def test_each_field_comes_back_escaped_where_it_is_shown(xss, marker):
    escaped = str(escape(xss.value(marker)))
    showing = {p.endpoint for p in xss.pages if escaped in _shown(p)}
    missing = [endpoint for endpoint in SHOWN_ON[marker] if endpoint not in showing]
    assert not missing, f"{marker} not shown escaped on {missing}; shown on {sorted(showing)}"


@pytest.mark.parametrize("marker", FILE_FIELDS)
def test_evidence_names_come_back_cleaned_and_escaped(xss, marker):
    pages = [
        p for p in xss.pages if p.endpoint in ("portal.complaint", "desk.complaint") and marker in p.text
    ]
    assert {p.endpoint for p in pages} == {"portal.complaint", "desk.complaint"}
    for page in pages:
        names = re.findall(rf">([^<>]*{marker}{re.escape(FILE_FIELDS[marker])})(?:</span>)?</a>", page.text)
        assert names, page.url
        for name in names:
            assert not re.search(r"[<>\"]", html.unescape(name)), name
            assert name.endswith(FILE_FIELDS[marker])


def test_evidence_downloads_name_the_file_safely(xss):
    assert xss.attachment_headers, "no evidence was downloaded"
    for headers in xss.attachment_headers:
        disposition = headers["Content-Disposition"]
        assert not re.search(r"[\r\n<>]", disposition), disposition
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in headers["Content-Security-Policy"]


def test_every_page_carries_the_security_headers(xss):
    for page in xss.pages:
        assert_security_headers(page, page.url)
