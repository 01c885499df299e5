"""What test_every_page.py visits: every GET page of the app, as each role that may open it, with the
URL arguments taken from a small planted marketplace; and the English a Chinese page must not show.

A page is a row of PAGES (endpoint, the roles that may see it, its URL values). An endpoint with a
GET rule that is not a page (a download, JSON) is in SKIPPED with the reason, so a new
GET rule that is in neither fails test_every_get_rule_is_visited_or_skipped_with_a_reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from complaints.extensions import db
from complaints.models import (
    CalendarDay,
    CannedReply,
    Category,
    MediationOrganisation,
    Merchant,
    SlaPolicy,
    SlaPolicyVersion,
    WorkCalendar,
)
from complaints.seed.pledge_names import name_the_shipped_pledge
from complaints.services import reputation, service_reports
from complaints.services.canned_replies import create_canned_reply
from complaints.services.deposit_payouts import request_payout
from complaints.services.deposits import top_up
from complaints.services.lifecycle import apply_action
from complaints.services.shop_staff import invite_shop_staff
from complaints.timekeeping import now
from complaints.workflow import Action
from tests.support import mediation_accepted

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "complaints/translations/zh_Hans_CN/LC_MESSAGES/messages.po"

ANONYMOUS, CONSUMER, AGENT, SUPERVISOR = "anonymous", "consumer", "agent", "supervisor"
MEDIATOR, MERCHANT, ADMIN = "mediator", "merchant", "admin"
SIGNED_IN = (CONSUMER, AGENT, SUPERVISOR, MEDIATOR, MERCHANT, ADMIN)
STAFF = (AGENT, SUPERVISOR)
DEPOSIT_READERS = (AGENT, SUPERVISOR, ADMIN)  # participants.deposit_roles("read")
LANGUAGES = {"zh_CN": "zh-CN", "en": "en"}  # the app's locale -> <html lang>

# GET rules that are not pages a person reads, each with the reason it is not visited.
SKIPPED = {
    "static": "stylesheets and scripts, not pages",
    "files.attachment": "an evidence file (image or PDF) download, not an HTML page",
    "files.attachment_inline": "an evidence image or PDF shown inside the complaint page, not a page",
    "auth.account_export": "the consumer's data as a JSON download",
    "portal.shops": "JSON for the shop suggestions (static/shop-suggest.js)",
    "deposits.all_ledgers_csv": "every deposit ledger as a CSV download",
    "deposits.ledger_csv": "one shop's deposit ledger as a CSV download",
    "reputation.regulator_csv": "the measures against shops for regulators, a CSV download",
    "reports.service_report_pdf": "a service report's PDF download, not an HTML page",
    "reports.service_report_csv": "a service report's figures as a CSV download",
    "api-docs.openapi_json": "the API's OpenAPI document (JSON), not a page",
    **{
        f"api.{name}": "a JSON operation of the integration API (token only), not a page"
        for name in (
            "Complaints",
            "complaint",
            "Messages",
            "clocks",
            "timeline",
            "scorecard_figures",
            "offers",
            "Attachments",
            "shop_reputation",
        )
    },
    **{
        f"{area}.agreement_pdf": "a mediation agreement's PDF download, not an HTML page"
        for area in ("portal", "merchant", "mediation", "desk")
    },
}


@dataclass(frozen=True)
class Planted:
    """The ids and references the pages' URLs need."""

    refs: dict[str, str]  # complaint state -> reference (all the consumer's, against the merchant's shop)
    merchant_id: int
    category_id: int
    organisation_id: int
    policy_id: int
    calendar_id: int
    invitation_token: str
    canned_reply_id: int
    payout_id: int  # the shop's deposit pays the consumer of the resolved complaint, once they consent
    api_client_id: int = 0  # the marketplace's order pages, with a webhook endpoint
    delivery_id: int = 0  # a delivery to it, tried once (nobody listened)


@dataclass(frozen=True)
class Page:
    endpoint: str
    roles: tuple[str, ...]
    values: Callable[[Planted], dict] = lambda planted: {}
    variant: str = ""  # names one of several visits of the same endpoint

    @property
    def name(self) -> str:
        return f"{self.endpoint}:{self.variant}" if self.variant else self.endpoint


def _this_quarter() -> service_reports.ReportPeriod:
    """The quarter running in the platform's zone (the testing configuration's)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    return service_reports.ReportPeriod.containing(today, service_reports.QUARTER)


def _complaint(state: str) -> Callable[[Planted], dict]:
    return lambda planted: {"reference": planted.refs[state]}


PAGES = (
    Page("auth.index", (ANONYMOUS,)),  # signed in, it sends each role to its home page (visited below)
    Page("auth.login", (ANONYMOUS,)),
    Page("auth.register", (ANONYMOUS,)),
    Page("auth.invitation", (ANONYMOUS,), lambda p: {"token": p.invitation_token}),
    # The published pledge is the same for everyone (the header, which is not, is on every other page).
    Page("scorecard.pledge", (ANONYMOUS, CONSUMER)),
    Page("auth.account", SIGNED_IN),
    Page("auth.account_delete", (CONSUMER,)),
    Page("auth.notifications", SIGNED_IN),
    Page("portal.my_complaints", (CONSUMER,)),
    Page("portal.new_complaint", (CONSUMER,)),
    Page("portal.filed", (CONSUMER,), _complaint("received")),
    *(
        Page("portal.complaint", (CONSUMER,), _complaint(state), state)
        for state in ("received", "verified", "mediated", "resolved", "rejected")
    ),
    Page(
        "portal.deposit_consent",
        (CONSUMER,),
        lambda p: {"reference": p.refs["resolved"], "payout_id": p.payout_id},
    ),
    Page("desk.queue", STAFF),
    Page("desk.at_risk", (SUPERVISOR,)),
    Page("desk.breached", (SUPERVISOR,)),
    Page("desk.search", STAFF, lambda p: {"q": "耳机"}),
    *(  # a supervisor's page differs from an agent's by the hand-over: two states are enough
        Page(
            "desk.complaint",
            STAFF if state in ("received", "verified") else (AGENT,),
            _complaint(state),
            state,
        )
        for state in ("received", "verified", "mediated", "resolved", "rejected")
    ),
    # A referral to mediation: waiting for consent (its forms), and underway (its sessions).
    *(
        Page(f"{area}.referral", roles, _complaint(state), state)
        for area, roles in (("portal", (CONSUMER,)), ("merchant", (MERCHANT,)), ("desk", (AGENT,)))
        for state in ("awaiting", "mediated")
    ),
    Page("portal.complaint", (CONSUMER,), _complaint("awaiting"), "awaiting"),
    Page("merchant.complaint", (MERCHANT,), _complaint("awaiting"), "awaiting"),
    Page("desk.canned_replies", (SUPERVISOR,)),
    Page("desk.new_canned_reply", (SUPERVISOR,)),
    Page("desk.edit_canned_reply", (SUPERVISOR,), lambda p: {"canned_reply_id": p.canned_reply_id}),
    Page("deposits.shops", DEPOSIT_READERS),
    Page("deposits.ledger", DEPOSIT_READERS, lambda p: {"merchant_id": p.merchant_id}),
    Page("deposits.payouts", DEPOSIT_READERS),
    Page("mediation.cases", (MEDIATOR,)),
    Page("mediation.cases", (MEDIATOR,), lambda p: {"tab": "closed"}, "closed"),
    Page("mediation.case", (MEDIATOR,), _complaint("mediated")),
    Page("merchant.complaints", (MERCHANT,)),
    Page("merchant.deposit", (MERCHANT,)),
    Page("merchant.search", (MERCHANT,), lambda p: {"q": "耳机"}),
    *(
        Page("merchant.complaint", (MERCHANT,), _complaint(state), state)
        for state in ("received", "verified", "mediated")
    ),
    # The agreement of a settled mediation, for each who sees it.
    Page("portal.agreement", (CONSUMER,), _complaint("settled")),
    Page("merchant.agreement", (MERCHANT,), _complaint("settled")),
    Page("mediation.agreement", (MEDIATOR,), _complaint("settled")),
    Page("desk.agreement", STAFF, _complaint("settled")),
    Page("reputation.shops", DEPOSIT_READERS),
    Page("reputation.shop", DEPOSIT_READERS, lambda p: {"merchant_id": p.merchant_id}),
    Page("reputation.my_shop", (MERCHANT,)),
    Page(  # the month scored when the world was planted: its complaints, linked or not by role
        "reputation.shop_figure",
        DEPOSIT_READERS,
        lambda p: {"merchant_id": p.merchant_id, "month": f"{now():%Y-%m}", "figure": "complaints"},
    ),
    Page(
        "reputation.my_shop_figure",
        (MERCHANT,),
        lambda p: {"month": f"{now():%Y-%m}", "figure": "complaints"},
    ),
    Page("reputation.model", (ANONYMOUS, CONSUMER)),
    Page("reputation.measures", DEPOSIT_READERS),
    Page("reputation.notices", (ANONYMOUS, CONSUMER)),
    Page("reports.dashboard", (SUPERVISOR, ADMIN)),
    Page("reports.service_reports_page", (SUPERVISOR, ADMIN)),
    Page("reports.service_report", (SUPERVISOR, ADMIN), lambda p: {"slug": _this_quarter().slug}),
    Page("admin.users", (ADMIN,)),
    Page("admin.new_user", (ADMIN,)),
    Page("admin.merchants", (ADMIN,)),
    Page("admin.new_merchant", (ADMIN,)),
    Page("admin.edit_merchant", (ADMIN,), lambda p: {"merchant_id": p.merchant_id}),
    Page("admin.new_shop_staff", (ADMIN,), lambda p: {"merchant_id": p.merchant_id}),
    Page("admin.invite_shop_staff", (ADMIN,), lambda p: {"merchant_id": p.merchant_id}),
    Page("admin.categories", (ADMIN,)),
    Page("admin.new_category", (ADMIN,)),
    Page("admin.edit_category", (ADMIN,), lambda p: {"category_id": p.category_id}),
    Page("admin.organisations", (ADMIN,)),
    Page("admin.new_organisation", (ADMIN,)),
    Page("admin.edit_organisation", (ADMIN,), lambda p: {"organisation_id": p.organisation_id}),
    Page("admin.policies", (ADMIN,)),
    Page("admin.new_policy", (ADMIN,)),
    Page("admin.edit_policy", (ADMIN,), lambda p: {"policy_id": p.policy_id}),
    Page("admin.calendars", (ADMIN,)),
    Page("admin.edit_calendar", (ADMIN,), lambda p: {"calendar_id": p.calendar_id}),
    Page("admin.audit", (ADMIN,)),
    Page("admin.api_client_list", (ADMIN,)),
    Page("admin.webhooks_page", (ADMIN,), lambda p: {"client_id": p.api_client_id}),
    Page("admin.webhook_delivery", (ADMIN,), lambda p: {"delivery_id": p.delivery_id}),
    Page("admin.new_api_client", (ADMIN,)),
    Page("api_docs.docs", (ANONYMOUS,)),
)


def visits() -> list[tuple[str, str, Page]]:
    """(language, role, page) in the order the test walks them: one language, then one role, at a time,
    so each role signs in once per language (a language a user chose is saved on their account)."""
    roles = (ANONYMOUS, *SIGNED_IN)
    return [
        (language, role, page)
        for language in LANGUAGES
        for role in roles
        for page in PAGES
        if role in page.roles
    ]


def plant(world) -> Planted:
    """Complaints of the world's consumer in each state (with an offer, a question to the shop, a
    mediation session), names in both languages and an open invitation; all through the services."""
    consumer_org, other_org = (
        db.session.get(MediationOrganisation, world.org_id),
        db.session.get(MediationOrganisation, world.other_org_id),
    )
    consumer_org.name_en = "Shanghai Consumer Dispute Mediation Centre"
    other_org.name, other_org.name_en = "杭州消费纠纷调解中心", "Hangzhou Consumer Dispute Mediation Centre"
    calendar = db.session.scalars(select(WorkCalendar).where(WorkCalendar.code == "CN")).one()
    db.session.add(
        CalendarDay(
            calendar_id=calendar.id,
            day=date(2026, 9, 27),
            is_working=True,
            note="国庆节调休上班",
            note_en="National Day makeup workday",
        )
    )
    name_the_shipped_pledge()  # as seed-demo does: migration 0002 named the pledge in English only
    db.session.commit()
    titles = {
        "received": "收到的耳机左耳没有声音",
        "verified": "耳机发货延迟十天",
        "mediated": "冰箱运输途中损坏",
        "resolved": "充电器无法充电",
        "rejected": "手机壳颜色不符",
        "settled": "耳机退货运费争议",
        "awaiting": "扫地机器人无法回充",  # referred to mediation, waiting for both parties' consent
    }
    refs = {state: world.file(title=title, order_reference=f"ORD-{state}") for state, title in titles.items()}
    agent, mediator, merchant = world.user(AGENT), world.user(MEDIATOR), world.user(MERCHANT)
    steps = [
        ("received", merchant, Action.PROPOSE_SETTLEMENT, {
            "kind": "repair", "terms": "免费维修并承担运费", "perform_by": now() + timedelta(days=3)}),
        ("verified", agent, Action.VERIFY, {}),
        ("verified", agent, Action.REPLY, {"body": "您好，我们已经联系店铺核实发货情况。"}),
        ("verified", agent, Action.REQUEST_INFO, {"party": "merchant", "body": "请提供发货记录和物流单号。"}),
        ("mediated", agent, Action.VERIFY, {}),
        ("mediated", agent, Action.NOTE, {"body": "店铺本月第三次被投诉"}),
        ("mediated", agent, Action.ESCALATE, {"mediation_org_id": world.org_id, "reason": "双方对赔偿金额分歧较大"}),
        ("mediated", mediator, Action.RECORD_SESSION, {
            "held_at": now() - timedelta(hours=2), "channel": "phone", "notes": "双方同意再谈一次"}),
        ("mediated", mediator, Action.SCHEDULE_SESSION, {"starts_at": now() + timedelta(days=2), "channel": "video"}),
        ("resolved", agent, Action.VERIFY, {}),
        ("resolved", agent, Action.RESOLVE, {"outcome": "upheld"}),
        ("rejected", agent, Action.REJECT, {"reason": "订单号无法核实"}),
        ("awaiting", agent, Action.VERIFY, {}),
        ("awaiting", agent, Action.ESCALATE, {"mediation_org_id": world.org_id, "reason": "维修方案无法达成一致"}),
        ("settled", agent, Action.VERIFY, {}),
        ("settled", agent, Action.ESCALATE, {"mediation_org_id": world.org_id, "reason": "运费由谁承担"}),
        ("settled", mediator, Action.RECORD_OUTCOME, {
            "outcome": "settled", "note": "店铺承担退货运费二十元", "compensation_amount": "20", "payer": "shop",
            "perform_by": now().date() + timedelta(days=7)}),
    ]  # fmt: skip
    for state, user, action, params in steps:
        apply_action(world.complaint(refs[state]), user, action, **params)
        db.session.commit()
        if action is Action.ESCALATE and state != "awaiting":  # both consent, the organisation accepts
            mediation_accepted(world.complaint(refs[state]))
    shop = db.session.get(Merchant, world.merchant_ids[0])
    _, token = invite_shop_staff(shop, name="王小明", email="invitee@example.com", actor=world.user(ADMIN))
    db.session.commit()
    canned = create_canned_reply(
        world.user(SUPERVISOR),
        title_zh="已联系店铺",
        title_en="We contacted the shop",
        body_zh="您好，我们已就投诉 {reference} 联系店铺，将于 {next_pledge_date} 前回复您。",
        body_en="Hello, we contacted the shop about complaint {reference} and will answer you by {next_pledge_date}.",
    )
    db.session.commit()
    top_up(world.user(SUPERVISOR), world.merchant_ids[0], Decimal("1000.00"), "保证金首次缴纳")
    payout = request_payout(
        world.user(AGENT), world.merchant_ids[0], refs["resolved"], Decimal("99.00"), "店铺应退还的充电器货款"
    )
    policy = db.session.scalars(select(SlaPolicy).order_by(SlaPolicy.id)).first()
    reputation.compute_month(reputation.Month.parse(f"{now():%Y-%m}"))  # this month so far, scored
    service_reports.generate(_this_quarter(), world.user(SUPERVISOR))  # this quarter to date
    _plant_measures(world)
    api_client_id, delivery_id = _plant_webhook(world)
    return Planted(
        refs, world.merchant_ids[0], world.category_ids[0], world.org_id, policy.id, calendar.id, token,
        canned.id, payout.id, api_client_id, delivery_id,
    )  # fmt: skip


def _plant_webhook(world) -> tuple[int, int]:
    """The order pages' API client with an endpoint nobody listens on, told of one filing, tried once."""
    from complaints.models import WebhookDelivery
    from complaints.services import api_clients, webhooks

    client = api_clients.create_client("订单页面", "交易平台运营部", ["consumers:act"])
    webhooks.add_endpoint(client, "http://127.0.0.1:9/pledgedesk-events", ["complaint.filed"])
    db.session.commit()
    world.file(order_reference="ORD-WEBHOOK-1")
    webhooks.deliver_due()
    delivery = db.session.scalars(select(WebhookDelivery)).first()
    return client.id, delivery.id


def _plant_measures(world) -> None:
    """A measure proposed for the second shop (an interview, with its record) and one in force
    against the first, so the measures' page shows every form and the public notice a line."""
    from datetime import date

    from complaints.models import Sanction, SanctionStatus, SanctionStep
    from complaints.services import sanctions

    for shop, month in ((world.merchant_ids[0], date(2026, 1, 1)), (world.merchant_ids[1], date(2026, 2, 1))):
        db.session.add(Sanction(merchant_id=shop, month=month, step=SanctionStep.WARNING,
                                proposed_step=SanctionStep.WARNING, status=SanctionStatus.PROPOSED,
                                proposed_at=now()))  # fmt: skip
    db.session.commit()
    first, second = db.session.scalars(select(Sanction).order_by(Sanction.id)).all()
    sanctions.approve(world.user(SUPERVISOR), first.id, "interview", sanctions.today(), "连续两个月评级为 E")
    sanctions.record_interview(world.user(SUPERVISOR), first.id, "店铺承诺改进发货流程。")


# The allow-list: the English a Chinese page may show. (1) Brand names and the like, although the
# catalogue has them; (2) data, not the interface's words: e-mail addresses, complaint references,
# order numbers, shop codes; (3) text marked lang="en" (the language switch, the English form of a
# name shown beside its Chinese one), which test_every_page.READ_ALOUD leaves out of the page's text.
ALLOWED_ENGLISH = frozenset({"PledgeDesk"})
DATA = re.compile(r"[\w.+-]+@[\w.-]+|C-\d{4}-\d{6}|ORD-[\w-]+|SHOP-\w+")
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif%]")
EDGE = " \t\n.,:;!?\"'“”‘’()[]…·-–—/"


def _pieces(message: str) -> list[str]:
    """The literal parts of a message between its placeholders that are long enough to mean
    something on their own: at least two words, or 12 characters."""
    found = []
    for part in PLACEHOLDER.split(message):
        part = part.strip(EDGE)
        words = re.findall(r"[A-Za-z]+", part)
        if words and (len(part.split()) >= 2 or len(part) >= 12) and part not in ALLOWED_ENGLISH:
            found.append(part)
    return found


def english_of_the_catalogue() -> dict[str, str]:
    """English piece -> why it is English: a catalogue msgid with a Chinese translation (unless the
    translation keeps the piece, as with brand names), an untranslated or fuzzy one, or a message in
    the source that the catalogue does not have yet (extracted as `make extract-messages` does)."""
    from babel.messages.pofile import read_po

    with CATALOGUE.open("rb") as po:
        catalogue = read_po(po)
    english: dict[str, str] = {}
    for message in catalogue:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        translated = all(strings) and not message.fuzzy
        chinese = " ".join(s for s in strings if s)
        for msgid in ids:
            if translated and msgid == chinese:
                continue
            why = "catalogue" if translated else "catalogue, not translated yet"
            for piece in _pieces(msgid):
                if piece not in chinese:
                    english.setdefault(piece, f"{why}: {msgid!r}")
    for msgid in _extracted_messages() - {m.id if isinstance(m.id, str) else m.id[0] for m in catalogue}:
        for piece in _pieces(msgid):
            english.setdefault(piece, f"not in the catalogue yet: {msgid!r}")
    return english


def _extracted_messages() -> set[str]:
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "N_": None, "lazy_gettext": None}
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=keywords
    ):
        found.update([message] if isinstance(message, str) else [m for m in message if m])
    return found


def english_of_the_names() -> dict[str, str]:
    """The English forms of the names and notes in the database (categories, pledge policies and their
    versions' notes, calendars and their days' notes, mediation organisations, canned replies)."""
    rows = [
        *((c.name_en, f"category {c.code}") for c in db.session.scalars(select(Category))),
        *((p.name_en, f"pledge policy {p.id}") for p in db.session.scalars(select(SlaPolicy))),
        *((v.note_en, f"pledge policy version {v.id}'s note") for v in db.session.scalars(select(SlaPolicyVersion))),
        *((c.name_en, f"calendar {c.code}") for c in db.session.scalars(select(WorkCalendar))),
        *((d.note_en, f"calendar day {d.day}") for d in db.session.scalars(select(CalendarDay))),
        *((o.name_en, f"mediation organisation {o.id}") for o in db.session.scalars(select(MediationOrganisation))),
        *((r.title_en, f"canned reply {r.id}'s title") for r in db.session.scalars(select(CannedReply))),
        *((r.body_en, f"canned reply {r.id}'s text") for r in db.session.scalars(select(CannedReply))),
    ]  # fmt: skip
    return {
        name.strip(): f"English name of {what}"
        for name, what in rows
        if re.search(r"[A-Za-z]{2}", name or "")
    }


def english_shown(text: str, english: dict[str, str]) -> list[str]:
    """Each English piece in `text` (as a whole phrase, not inside a longer word), with its source; a
    piece found only inside a longer one that is shown is not named again."""
    text = DATA.sub(" ", text)
    covered: list[tuple[int, int]] = []
    shown = []
    for piece in sorted(english, key=len, reverse=True):
        if piece not in text:
            continue
        spans = [m.span() for m in re.finditer(rf"(?<![A-Za-z]){re.escape(piece)}(?![A-Za-z])", text)]
        fresh = [(a, b) for a, b in spans if not any(c <= a and b <= d for c, d in covered)]
        if fresh:
            covered += fresh
            shown.append(f"{piece!r} ({english[piece]})")
    return sorted(shown)
