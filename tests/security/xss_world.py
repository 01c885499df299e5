"""A world planted with one XSS payload through the real forms, and the pages each role can reach.

Every text field a person can submit gets a marker in brackets, then the payload; evidence file
names get the payload, then the marker. Then each role follows every same-site link from its
start pages and the pages are kept for the checks in test_xss.py.
"""

from __future__ import annotations

import html
import io
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from complaints.extensions import db
from complaints.models import Category, Complaint, MediationOrganisation, Merchant, WorkCalendar
from tests.files import pdf_bytes, png_bytes
from tests.security.support import sign_in
from tests.support import World as People

PAYLOADS = {
    "script": "<script>alert(1)</script>",
    "img-onerror": '"><img src=x onerror=alert(1)>',
    "javascript-url": "javascript:alert(1)",
}
ACTIVE_ELEMENTS = {"script", "img", "svg", "iframe", "object", "embed", "base"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href"}
LINK = re.compile(r'href="([^"]+)"')
CONSUMER_PASSWORD, STAFF_PASSWORD = "consumer-horse-42", "mediator-horse-42"
# Evidence names (the payload, then the marker) lose what a file system or a header must not
# carry (<>:"|?* and folders); what is left must come back escaped where it is shown.
FILE_FIELDS = {"EVIDENCEFILE": ".png", "REPLYFILE": ".pdf"}


class ActiveMarkup(HTMLParser):
    """What a browser would run in a page: active elements, on* handlers, javascript: URLs."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        src = dict(attrs).get("src")
        # The app's own script files (progressive enhancement; the CSP allows only 'self') and a
        # photo's thumbnail and a PDF's preview frame through the authorising view are the app's;
        # so are the pledge scorecard's hand-drawn charts (no script in them); their on* attributes
        # still count.
        own = (
            (tag == "script" and _own_static_file(src))
            or (tag == "img" and _own_attachment(src))
            or (tag == "iframe" and _own_pdf_preview(src))
            or (tag == "svg" and _own_scorecard_chart(dict(attrs).get("aria-labelledby")))
        )
        if tag in ACTIVE_ELEMENTS and not own:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            if name in URL_ATTRIBUTES and re.sub(r"[\x00-\x20]", "", value or "").lower().startswith(
                "javascript:"
            ):
                self.found.append(f"<{tag} {name}={value!r}>")


def _own_static_file(src: str | None) -> bool:
    return bool(src) and re.fullmatch(r"/static/[\w.-]+\.js", src) is not None


def _own_scorecard_chart(labelled_by: str | None) -> bool:
    return bool(labelled_by) and re.fullmatch(r"chart-([a-z_]+)-title chart-\1-desc", labelled_by) is not None


def _own_attachment(src: str | None) -> bool:
    return bool(src) and re.fullmatch(r"/complaints/C-\d{4}-\d{6}/attachments/\d+", src) is not None


def _own_pdf_preview(src: str | None) -> bool:
    return bool(src) and re.fullmatch(r"/complaints/C-\d{4}-\d{6}/attachments/\d+/inline", src) is not None


def active_markup(page_html: str) -> list[str]:
    parser = ActiveMarkup()
    parser.feed(page_html)
    parser.close()
    return parser.found


@dataclass
class Page:
    role: str
    url: str
    endpoint: str
    status: int
    content_type: str
    headers: dict
    text: str

    @property
    def mimetype(self) -> str:
        return self.content_type


@dataclass
class XssWorld:
    payload: str
    pages: list[Page] = field(default_factory=list)
    attachment_headers: list[dict] = field(default_factory=list)

    def value(self, marker: str) -> str:
        return f"[{marker}]{self.payload}"  # brackets: no marker is part of another

    def file_name(self, marker: str) -> str:
        """The payload as a browser sends it in a file name (quotes as %22), then the marker."""
        return self.payload.replace('"', "%22") + marker + FILE_FIELDS[marker]


def _expect_redirect(response, step: str):
    assert response.status_code == 302, f"planting {step}: {response.status_code}\n{response.text[:3000]}"
    return response.headers["Location"]


class Planter:
    """Plants the payload through the real forms, one role at a time."""

    def __init__(self, app, people: People, world: XssWorld):
        self.app, self.people, self.world = app, people, world
        self.clients = {}

    def client(self, role: str, email: str | None = None, password: str | None = None):
        if role not in self.clients:
            client = self.app.test_client()
            sign_in(
                client,
                email or self.people.people[role].email,
                **({"password": password} if password else {}),
            )
            self.clients[role] = client
        return self.clients[role]

    def post(self, who: str, url: str, step: str, /, **data):
        return _expect_redirect(self.client(who).post(url, data=data), step)

    def lookup(self, statement):
        with self.app.app_context():
            found = db.session.scalars(statement).one()
            db.session.remove()
        return found

    def version(self, reference: str) -> str:
        return str(self.lookup(select(Complaint.version).where(Complaint.reference == reference)))

    def plant(self) -> dict[str, str]:
        v = self.world.value
        org_id = self._plant_administration()
        consumer = self.app.test_client()
        _expect_redirect(
            consumer.post(
                "/register",
                data={
                    "name": v("NAME"),
                    "email": "xss-consumer@example.com",
                    "password": CONSUMER_PASSWORD,
                    "confirm": CONSUMER_PASSWORD,
                },
            ),
            "registration",
        )
        self.clients["consumer"] = consumer
        self.client("mediator", "xss-mediator@example.com", STAFF_PASSWORD)
        refs = {key: self._file(key) for key in ("mediated", "rejected", "resolved", "withdrawn")}
        self._work_the_mediated_case(refs["mediated"], org_id)
        self._reject_and_appeal(refs["rejected"])
        self._resolve_and_dispute(refs["resolved"], org_id)
        withdraw = f"/portal/complaints/{refs['withdrawn']}/withdraw"
        version = self.version(refs["withdrawn"])
        self.post("consumer", withdraw, "withdraw", version=version, withdraw_reason=v("WITHDRAW"))
        return refs

    def _plant_administration(self) -> int:
        v = self.world.value
        self.post(
            "admin", "/admin/merchants/new", "merchant", shop_code="XSS-SHOP", name=v("MERCHANT"), active="y"
        )
        self.post(
            "admin",
            "/admin/categories/new",
            "category",
            code="xss",
            name_zh=v("CATZH"),
            name_en=v("CATEN"),
            active="y",
        )
        self.post(
            "admin", "/admin/organisations/new", "organisation", name=v("ORG"), name_en=v("ORG"), active="y"
        )
        org_id = self.lookup(select(MediationOrganisation.id).where(MediationOrganisation.name == v("ORG")))
        self.post(
            "admin",
            "/admin/users/new",
            "staff account",
            name=v("STAFF"),
            email="xss-mediator@example.com",
            role="mediator",
            mediation_org_id=str(org_id),
            shop_code="",
            password=STAFF_PASSWORD,
        )
        category_id = self.lookup(select(Category.id).where(Category.code == "xss"))
        calendar_id = self.lookup(select(WorkCalendar.id).where(WorkCalendar.code == "CN"))
        self.post(
            "admin",
            "/admin/policies/new",
            "policy",
            name=v("POLICY"),
            name_en=v("POLICY"),
            category_id=str(category_id),
            major="any",
            **{
                "resolution-amount": "9",
                "resolution-unit": "working_days",
                "resolution-warn_percent": "75",
                "resolution-calendar_id": str(calendar_id),
            },
        )
        self.post(
            "admin",
            f"/admin/calendars/{calendar_id}/days",
            "calendar day",
            day="2026-10-11",
            kind="working",
            note=v("DAYNOTE"),
        )
        return org_id

    def _file(self, key: str) -> str:
        v = self.world.value
        merchant_id = self.lookup(select(Merchant.id).where(Merchant.shop_code == "XSS-SHOP"))
        category_id = self.lookup(select(Category.id).where(Category.code == "xss"))
        data = {
            "merchant_id": str(merchant_id),
            "category_id": str(category_id),
            "order_reference": v("ORDER"),
            "title": v("TITLE") if key == "mediated" else f"{key} 耳机左耳没有声音",
            "description": v("DESCRIPTION") if key == "mediated" else "三月一日收到的蓝牙耳机左耳没有声音。",
            "desired_outcome": "refund",
            "claimed_amount": "10.00",
        }
        if key == "mediated":
            data["evidence"] = [(_bytes_io(png_bytes()), self.world.file_name("EVIDENCEFILE"))]
        location = _expect_redirect(
            self.clients["consumer"].post("/portal/complaints/new", data=data), f"filing {key}"
        )
        return urlsplit(location).path.split("/")[3]

    def _work_the_mediated_case(self, ref: str, org_id: int):
        v, desk, portal, case = (
            self.world.value,
            f"/desk/complaints/{ref}",
            f"/portal/complaints/{ref}",
            f"/mediation/cases/{ref}",
        )
        self.post("agent", f"{desk}/claim", "claim", version=self.version(ref))
        self.post("agent", f"{desk}/reply", "agent reply", reply_body=v("AGENTREPLY"))
        self.post("agent", f"{desk}/note", "note", note_body=v("NOTE"))
        self.post(
            "agent", f"{desk}/request_info", "request info", party="consumer", request_body=v("ASKCONSUMER")
        )
        self.post("agent", f"{desk}/merchant_answer", "merchant answer", answer_body=v("MERCHANTANSWER"))
        self.post(
            "consumer",
            f"{portal}/reply",
            "consumer reply",
            body=v("CONSUMERREPLY"),
            attachments=[(_bytes_io(pdf_bytes()), self.world.file_name("REPLYFILE"))],
        )
        self.post("agent", f"{desk}/verify", "verify", version=self.version(ref))
        self.post(
            "agent",
            f"{desk}/escalate",
            "escalate",
            version=self.version(ref),
            mediation_org_id=str(org_id),
            escalate_reason=v("ESCALATE"),
        )
        self.post("consumer", f"{portal}/referral/consent", "consumer consents", referral_consent="y")
        self.post("agent", f"/desk/complaints/{ref}/referral/consent", "shop consents", referral_consent="y")
        self.post("mediator", f"{case}/referral/accept", "organisation accepts")
        self.post(
            "mediator",
            f"{case}/session",
            "session",
            held_at="2026-03-02T09:00",
            channel="phone",
            session_notes=v("SESSION"),
        )
        self.post("mediator", f"{case}/reply", "mediator reply", reply_body=v("MEDIATORREPLY"))
        self.post(
            "mediator",
            f"{case}/outcome",
            "outcome",
            version=self.version(ref),
            outcome="settled",
            outcome_note=v("OUTCOME"),
            payer="shop",
            perform_by="2026-03-20",
            confirm="1",
        )

    def _reject_and_appeal(self, ref: str):
        v = self.world.value
        self.post(
            "agent", f"/desk/complaints/{ref}/reject", "reject", version=self.version(ref), reason=v("REJECT")
        )
        self.post(
            "consumer",
            f"/portal/complaints/{ref}/appeal",
            "appeal",
            version=self.version(ref),
            appeal_reason=v("APPEAL"),
        )

    def _resolve_and_dispute(self, ref: str, org_id: int):
        v = self.world.value
        self.post("agent", f"/desk/complaints/{ref}/verify", "verify", version=self.version(ref))
        self.post(
            "agent",
            f"/desk/complaints/{ref}/resolve",
            "resolve",
            version=self.version(ref),
            outcome="upheld",
            resolve_note=v("RESOLVENOTE"),
        )
        self.post(
            "consumer",
            f"/portal/complaints/{ref}/dispute",
            "dispute",
            version=self.version(ref),
            mediation_org_id=str(org_id),
            dispute_reason=v("DISPUTE"),
        )
        self.post("agent", f"/desk/complaints/{ref}/referral/consent", "shop consents", referral_consent="y")
        self.post("mediator", f"/mediation/cases/{ref}/referral/accept", "organisation accepts")


def _bytes_io(data: bytes) -> io.BytesIO:
    return io.BytesIO(data)


def _endpoint(app, url: str) -> str:
    adapter = app.url_map.bind("localhost")
    try:
        return adapter.match(urlsplit(url).path)[0]
    except HTTPException:
        return "<no route>"


def crawl(app, role: str, client, starts: list[str], world: XssWorld, limit: int = 80) -> None:
    """Every page `client` reaches from `starts` by following same-site links (GET only)."""
    seen, queue = set(), list(starts)
    while queue and len(seen) < limit:
        url = html.unescape(queue.pop(0))
        parts = urlsplit(url)
        if (
            url in seen
            or parts.scheme
            or parts.netloc
            or not url.startswith("/")
            or url.startswith("/static/")
        ):
            continue
        seen.add(url)
        response = client.get(url)
        if "/attachments/" in url:
            world.attachment_headers.append(dict(response.headers))
            continue
        world.pages.append(
            Page(
                role,
                url,
                _endpoint(app, url),
                response.status_code,
                response.mimetype,
                dict(response.headers),
                # A download (the agreement's PDF) is bytes: read as text, it is never rendered.
                response.get_data().decode("utf-8", "replace"),
            )
        )
        if response.mimetype == "text/html":
            queue.extend(LINK.findall(response.text))
