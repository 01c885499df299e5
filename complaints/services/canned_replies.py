"""Canned replies: texts the team writes once, in Chinese and English, and inserts into a reply.

A canned reply's body may hold placeholders, filled from the complaint when an agent inserts it:

| placeholder | filled with |
|---|---|
| {reference} | the complaint's reference (C-2026-000123) |
| {consumer_name} | the consumer's name |
| {shop} | the shop's name |
| {next_pledge_date} | the nearest date pledged to the consumer (the earliest due instant of the running, not paused, clocks the consumer is told of), in the consumer's language and time zone, since the consumer reads the reply |
| {agent_name} | the name of the agent who inserts it |

The body is the one in the consumer's language (their account's choice, else the platform's):
a Chinese consumer gets body_zh. A placeholder not in the table is refused when the reply is
saved, so an agent never sends "{order_numer}" to a consumer. Braces around anything else
are a placeholder too; a lone brace is text.

Supervisors manage them (the desk's canned-reply pages); every use case flushes, the caller commits.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from datetime import datetime

from babel.dates import format_datetime
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from complaints.bounds import find
from complaints.extensions import db
from complaints.models import CannedReply, Complaint, Merchant, User
from complaints.services.administration import InvalidField
from complaints.services.announcement_rules import PARTY_CLOCKS, Party
from complaints.services.conversation import MAX_BODY
from complaints.services.notifications import language_of, zone_of
from complaints.sla.clocks import running_clocks
from complaints.timekeeping import now
from complaints.workflow import N_

log = logging.getLogger(__name__)

PLACEHOLDERS = ("reference", "consumer_name", "shop", "next_pledge_date", "agent_name")
# Anything between braces (without braces or line breaks inside) is meant as a placeholder.
_PLACEHOLDER = re.compile(r"\{([^{}\n]{0,60})\}")
MAX_TITLE = 120
# Room is left for what the agent typed before inserting it (a reply is at most MAX_BODY).
MAX_CANNED_BODY = 4_000


def placeholders_in(text: str) -> list[str]:
    """The placeholder names `text` uses, in order of first use."""
    seen: list[str] = []
    for name in _PLACEHOLDER.findall(text or ""):
        if name not in seen:
            seen.append(name)
    return seen


def unknown_placeholders(text: str) -> list[str]:
    """The placeholders of `text` that PLACEHOLDERS does not know, as written ("{order}")."""
    return ["{" + name + "}" for name in placeholders_in(text) if name not in PLACEHOLDERS]


def fill(body: str, values: Mapping[str, str]) -> str:
    """`body` with each known placeholder replaced by its value (an unknown one is left as written)."""
    return _PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), body)


def _title(field: str, value: str | None) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidField(field, N_("Fill in this field."))
    if len(text) > MAX_TITLE:
        raise InvalidField(field, N_("At most %(max)s characters."), max=MAX_TITLE)
    return text


def _body(field: str, value: str | None) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidField(field, N_("Fill in this field."))
    if len(text) > MAX_CANNED_BODY:
        raise InvalidField(field, N_("At most %(max)s characters."), max=MAX_CANNED_BODY)
    unknown = unknown_placeholders(text)
    if unknown:
        raise InvalidField(
            field,
            N_("Unknown placeholder: %(unknown)s. Use only %(known)s."),
            unknown=" ".join(unknown),
            known=" ".join("{" + name + "}" for name in PLACEHOLDERS),
        )
    return text


def _checked(title_zh, title_en, body_zh, body_en) -> dict:
    return {
        "title_zh": _title("title_zh", title_zh),
        "title_en": _title("title_en", title_en),
        "body_zh": _body("body_zh", body_zh),
        "body_en": _body("body_en", body_en),
    }


def create_canned_reply(
    author: User, *, title_zh: str, title_en: str, body_zh: str, body_en: str
) -> CannedReply:
    """Save a new canned reply, active at once.

    author: the supervisor who writes it.
    title_zh / title_en: what agents pick it by, in each language (at most 120 characters).
    body_zh / body_en: the text in each language, with placeholders (see the module docstring).
    Raises InvalidField (the form's field name and why) for an empty or too long field or an
    unknown placeholder; nothing is saved then.
    """
    fields = _checked(title_zh, title_en, body_zh, body_en)
    at = now()
    canned = CannedReply(**fields, active=True, created_by_id=author.id, created_at=at, updated_at=at)
    db.session.add(canned)
    db.session.flush()
    log.info("user %s created canned reply %s", author.id, canned.id)
    return canned


def update_canned_reply(
    canned: CannedReply, editor: User, *, title_zh: str, title_en: str, body_zh: str, body_en: str
) -> CannedReply:
    """Change the titles and texts of `canned` (validated as create_canned_reply does).

    editor: the supervisor who changes it (logged).
    """
    fields = _checked(title_zh, title_en, body_zh, body_en)
    for name, value in fields.items():
        setattr(canned, name, value)
    canned.updated_at = now()
    db.session.flush()
    log.info("user %s changed canned reply %s", editor.id, canned.id)
    return canned


def set_active(canned: CannedReply, editor: User, active: bool) -> CannedReply:
    """Offer `canned` to agents again (active) or no longer (inactive; it is kept, not deleted).

    editor: the supervisor who decides (logged).
    """
    canned.active = active
    canned.updated_at = now()
    db.session.flush()
    log.info("user %s %s canned reply %s", editor.id, "activated" if active else "deactivated", canned.id)
    return canned


def find_canned_reply(canned_reply_id, *, active_only: bool = False) -> CannedReply | None:
    """The canned reply `canned_reply_id` names (an id or its text), or None."""
    canned = find(CannedReply, canned_reply_id)
    if canned is None or (active_only and not canned.active):
        return None
    return canned


def canned_replies(*, active_only: bool) -> list[CannedReply]:
    """Every canned reply (or the active ones), active first, then in the order they were written."""
    query = select(CannedReply).order_by(CannedReply.active.desc(), CannedReply.id)
    if active_only:
        query = query.where(CannedReply.active.is_(True))
    return list(db.session.scalars(query))


def offered_titles(locale: str) -> list[tuple[int, str]]:
    """The active canned replies as the reply form's picker offers them: (id, title in the
    reader's language), in the order they were written. Reads the titles alone: the picker is on
    the page of every complaint that can be answered, and the bodies are only wanted once one is
    inserted."""
    title = CannedReply.title_zh if _in_chinese(locale) else CannedReply.title_en
    query = select(CannedReply.id, title).where(CannedReply.active.is_(True)).order_by(CannedReply.id)
    return [(canned_id, text) for canned_id, text in db.session.execute(query)]


def title_in(canned: CannedReply, locale: str) -> str:
    """The title of `canned` in the reader's language (an agent picking it)."""
    return canned.title_zh if _in_chinese(locale) else canned.title_en


def _in_chinese(locale: str) -> bool:
    return str(locale).startswith("zh")


def next_pledge_date(complaint: Complaint, at: datetime | None = None) -> datetime | None:
    """The nearest date pledged to the consumer: the earliest due instant of the complaint's
    running (not paused) clocks that the consumer is told of; None when none runs."""
    wanted = PARTY_CLOCKS[Party.CONSUMER]
    counting = [c for c in running_clocks(complaint) if c.kind in wanted and c.running]
    return min((c.due_at for c in counting), default=None)


def placeholder_values(complaint: Complaint, agent: User, language: str) -> dict[str, str]:
    """What each placeholder stands for on `complaint`, inserted by `agent`, for a consumer who
    reads `language` (their time zone for the date)."""
    consumer = db.session.get(User, complaint.consumer_id) if complaint.consumer_id else None
    merchant = db.session.get(Merchant, complaint.merchant_id)
    due = next_pledge_date(complaint)
    with force_locale(language):
        if due is None:
            date = _("no pledged date is pending")
        else:
            zone = zone_of(consumer.timezone if consumer else None)
            date = format_datetime(due, "medium", tzinfo=zone, locale=language)
        consumer_name = consumer.name if consumer else _("the consumer")
    return {
        "reference": complaint.reference,
        "consumer_name": consumer_name,
        "shop": merchant.name if merchant else "",
        "next_pledge_date": date,
        "agent_name": agent.name,
    }


def consumer_language(complaint: Complaint) -> str:
    """The language the consumer of `complaint` reads (their choice, else the platform's)."""
    consumer = db.session.get(User, complaint.consumer_id) if complaint.consumer_id else None
    return language_of(consumer) if consumer else current_app.config["BABEL_DEFAULT_LOCALE"]


def reply_text(canned: CannedReply, complaint: Complaint, agent: User) -> str:
    """The text of `canned` for `complaint`: the body in the consumer's language, its
    placeholders filled (see the module docstring)."""
    language = consumer_language(complaint)
    body = canned.body_zh if _in_chinese(language) else canned.body_en
    return fill(body, placeholder_values(complaint, agent, language))


def appended(typed: str | None, text: str) -> str:
    """`text` after what the agent already typed, a blank line between (the caller checks the
    length against MAX_BODY)."""
    typed = (typed or "").rstrip()
    return f"{typed}\n\n{text}" if typed else text


__all__ = [
    "MAX_BODY",
    "PLACEHOLDERS",
    "appended",
    "canned_replies",
    "create_canned_reply",
    "fill",
    "find_canned_reply",
    "offered_titles",
    "placeholder_values",
    "reply_text",
    "set_active",
    "title_in",
    "unknown_placeholders",
    "update_canned_reply",
]
