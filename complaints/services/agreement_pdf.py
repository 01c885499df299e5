"""The agreement as a PDF (WeasyPrint, A4, CJK fonts embedded as subsets), and its SHA-256.

What a hash attests: the exact bytes of the document rendered from the agreement's record at one
moment, in Chinese (the pledge's language). The agreement keeps two and the timeline shows both:
`pdf_sha256`, the terms as the mediator recorded them (no acceptance yet), and
`binding_pdf_sha256`, the document as both parties accepted it, with both acceptances printed.
A download renders the record as it stands now (with ?lang=en in English), so its hash equals
the binding one as long as the record, the template, the fonts and WeasyPrint are unchanged; a
later step (the payment, the receipt) is not printed, so it does not change it. Whoever holds a
copy compares its SHA-256 with the timeline's to prove it is the document that was accepted.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.numbers import format_currency
from flask import current_app, render_template
from flask_babel import force_locale

from complaints.extensions import db
from complaints.models import Agreement, Complaint, MediationOrganisation, Merchant, User

CHINESE, ENGLISH = "zh_CN", "en"
LANGUAGES = (CHINESE, ENGLISH)


def _user_name(user_id: int | None) -> str | None:
    user = db.session.get(User, user_id) if user_id is not None else None
    return user.name if user is not None else None


def _when(value: datetime | None, locale: str) -> str | None:
    """An instant in the platform's zone, whoever downloads: the bytes must not depend on them."""
    if value is None:
        return None
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return format_datetime(value, "medium", tzinfo=zone, locale=locale)


def _acceptance(user_id: int | None, at: datetime | None, locale: str) -> dict | None:
    if at is None:
        return None
    return {"name": _user_name(user_id), "at": _when(at, locale)}


def document_facts(agreement: Agreement, complaint: Complaint, locale: str) -> dict:
    """What the document prints, formatted for `locale` in the platform's zone."""
    merchant = db.session.get(Merchant, complaint.merchant_id)
    organisation = (
        db.session.get(MediationOrganisation, agreement.organisation_id)
        if agreement.organisation_id
        else None
    )
    currency = current_app.config["CURRENCY"]
    return {
        "reference": complaint.reference,
        "consumer": _user_name(complaint.consumer_id),
        "shop": merchant.name,
        "shop_code": merchant.shop_code,
        "organisation": organisation.in_locale(locale) if organisation is not None else None,
        "mediator": _user_name(agreement.mediator_id),
        "terms": agreement.terms,
        "amount": format_currency(agreement.amount, currency, locale=locale) if agreement.amount else None,
        "payer": agreement.payer.value,
        "perform_by": format_date(agreement.perform_by, "long", locale=locale),
        "created_at": _when(agreement.created_at, locale),
        "consumer_acceptance": _acceptance(
            agreement.consumer_accepted_by_id, agreement.consumer_accepted_at, locale
        ),
        "shop_acceptance": _acceptance(agreement.shop_accepted_by_id, agreement.shop_accepted_at, locale),
    }


def render_agreement_pdf(agreement: Agreement, complaint: Complaint, locale: str = CHINESE) -> bytes:
    """The agreement's PDF in `locale` (Chinese unless "en"), rendered from its record now."""
    from weasyprint import HTML

    locale = locale if locale in LANGUAGES else CHINESE
    with force_locale(locale):
        html = render_template(
            "mediation/agreement_pdf.html",
            doc=document_facts(agreement, complaint, locale),
            lang="zh-CN" if locale == CHINESE else "en",
        )
    return HTML(string=html, base_url=None).write_pdf()


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def pdf_sha256(agreement: Agreement, complaint: Complaint) -> str:
    """SHA-256 of the Chinese PDF as the agreement's record stands now."""
    return sha256_of(render_agreement_pdf(agreement, complaint, CHINESE))
