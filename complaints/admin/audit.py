"""The admin audit log as a page: who changed accounts, the pledge, calendars and reference lists.

Registered on the admin blueprint (complaints.admin.views imports this module at its end).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from flask import current_app, render_template, request, url_for
from flask_babel import get_timezone
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectChoice, SelectField
from wtforms.validators import Optional

from complaints.admin.views import bp
from complaints.models import AdminAction, AdminAuditEntry, ClockKind, Role, TargetUnit
from complaints.services import admin_audit
from complaints.web.guards import roles_required
from complaints.web.labels import AUDIT_ACTION, AUDIT_FIELD, AUDIT_SUBJECT, CLOCK, ROLE, label
from complaints.web.params import parse_id, within_sane_years
from complaints.web.pledge_words import window_text
from complaints.web.templating import in_locale

# The admin page of each kind of subject, and its URL parameter; accounts have no page of their own.
SUBJECT_PAGE = {
    "policy": ("admin.edit_policy", "policy_id"),
    "calendar": ("admin.edit_calendar", "calendar_id"),
    "merchant": ("admin.edit_merchant", "merchant_id"),
    "category": ("admin.edit_category", "category_id"),
    "organisation": ("admin.edit_organisation", "organisation_id"),
}


class AuditFilterForm(FlaskForm):
    """The filters of the audit log, read from the query string (GET; no CSRF needed)."""

    class Meta:
        csrf = False

    action = SelectField(_l("What"), default="")
    actor = SelectField(_l("Who"), default="")
    subject_type = SelectField(_l("Concerning"), default="")
    subject_id = HiddenField()
    since = DateField(_l("From"), validators=[Optional(), within_sane_years], format="%Y-%m-%d")
    until = DateField(_l("Until"), validators=[Optional(), within_sane_years], format="%Y-%m-%d")

    def read(self) -> bool:
        """Validate; a value not among the choices (a stale or hand-made link) is dropped, so the
        log shows unfiltered by it. Returns False when a date is wrong (shown beside its field)."""
        self.validate()
        for field in (self.action, self.actor, self.subject_type):
            if field.errors:
                field.data, field.errors = "", []
        self.subject_id.data = str(parse_id(self.subject_id.data) or "")
        if (
            self.since.data
            and self.until.data
            and self.until.data < self.since.data
            and not self.until.errors
        ):
            self.until.errors = [_("The end date is before the start date.")]
        return not (self.since.errors or self.until.errors)


def _filter_form() -> AuditFilterForm:
    form = AuditFilterForm(formdata=request.args)
    form.action.choices = [SelectChoice("", _("Any change"))] + [
        SelectChoice(a.value, str(AUDIT_ACTION[a])) for a in AdminAction
    ]
    form.actor.choices = [
        SelectChoice("", _("Anyone")),
        SelectChoice(admin_audit.SYSTEM, _("The system")),
    ] + [SelectChoice(str(u.id), f"{u.name} ({u.email})") for u in admin_audit.list_actors()]
    form.subject_type.choices = [SelectChoice("", _("Anything"))] + [
        SelectChoice(k, str(v)) for k, v in AUDIT_SUBJECT.items()
    ]
    return form


def _start_of(day: date) -> datetime:
    """The first instant of `day` in the viewer's zone."""
    return datetime.combine(day, time(0), get_timezone())


def _audit_filter(form: AuditFilterForm, dates_valid: bool) -> admin_audit.AuditFilter:
    """What the (read) form asks for; wrong dates filter nothing (their fields say why)."""
    actor, since, until = form.actor.data, form.since.data, form.until.data
    if not dates_valid:
        since = until = None
    return admin_audit.AuditFilter(
        action=AdminAction(form.action.data) if form.action.data else None,
        actor=None if not actor else actor if actor == admin_audit.SYSTEM else int(actor),
        subject_type=form.subject_type.data or None,
        subject_id=parse_id(form.subject_id.data) if form.subject_type.data else None,
        since=_start_of(since) if since else None,
        until=_start_of(until + timedelta(days=1)) if until else None,
    )


def _page_args(form: AuditFilterForm, filters: admin_audit.AuditFilter) -> dict:
    """The filters in effect, as the address of another page of the log carries them."""
    args = {
        "action": form.action.data,
        "actor": form.actor.data,
        "subject_type": form.subject_type.data,
        "subject_id": filters.subject_id,
        "since": form.since.data.isoformat() if filters.since else None,
        "until": form.until.data.isoformat() if filters.until else None,
    }
    return {name: value for name, value in args.items() if value}


@bp.get("/audit")
@roles_required(Role.ADMIN)
def audit():
    form = _filter_form()
    dates_valid = form.read()
    filters = _audit_filter(form, dates_valid)
    after = request.args.get("after")
    page = admin_audit.list_entries(filters, after, max(1, int(current_app.config["QUEUE_PAGE_SIZE"])))
    args = _page_args(form, filters)
    next_url = url_for("admin.audit", **args, after=page.next_cursor) if page.next_cursor else None
    first_url = url_for("admin.audit", **args) if admin_audit.decode_cursor(after) else None
    rows = [AuditRow.of(entry) for entry in page.entries]
    body = render_template("admin/audit.html", form=form, rows=rows, next_url=next_url, first_url=first_url)
    return body, 200 if dates_valid else 400


# --- Rows -----------------------------------------------------------------------------------


@dataclass
class AuditRow:
    """One entry as the page shows it: what was done, to what (and where it lives), the details."""

    entry: AdminAuditEntry
    what: str
    subject_kind: str
    subject_name: str
    subject_url: str | None
    history_url: str
    details: list[str]

    @classmethod
    def of(cls, entry: AdminAuditEntry) -> AuditRow:
        detail = entry.detail or {}
        page = SUBJECT_PAGE.get(entry.subject_type)
        return cls(
            entry=entry,
            what=label(AUDIT_ACTION, entry.action),
            subject_kind=label(AUDIT_SUBJECT, entry.subject_type),
            subject_name=in_locale(detail) or f"#{entry.subject_id}",
            subject_url=url_for(page[0], **{page[1]: entry.subject_id}) if page else None,
            history_url=url_for("admin.audit", subject_type=entry.subject_type, subject_id=entry.subject_id),
            details=detail_lines(entry.action, detail),
        )


def detail_lines(action: AdminAction, detail: dict) -> list[str]:
    """What an entry's detail says, line by line, in the viewer's language."""
    lines = []
    if action in (
        AdminAction.USER_ACTIVATED,
        AdminAction.USER_DEACTIVATED,
        AdminAction.STAFF_CREATED,
        AdminAction.MERCHANT_INVITED,
        AdminAction.MERCHANT_INVITATION_REVOKED,
        AdminAction.MERCHANT_INVITATION_ACCEPTED,
    ):
        lines += _fields({**detail, "organisation": in_locale(detail, "organisation")}, _ACCOUNT_FIELDS)
    elif action in (AdminAction.MERCHANT_CREATED, AdminAction.CATEGORY_CREATED):
        lines += _fields(detail, ("shop_code", "contact_email", "code", "name_zh", "name_en", "active"))
    elif action in (AdminAction.ORGANISATION_CREATED, AdminAction.POLICY_CREATED):
        lines += _fields({**detail, "name_zh": detail.get("name")}, ("name_zh", "name_en", "active"))
    if detail.get("version") is not None:
        lines.append(_("Version %(number)s", number=detail["version"]))
    if detail.get("note") or detail.get("note_en"):
        lines.append(_("Note: %(note)s", note=in_locale(detail, "note")))
    if detail.get("day"):
        kind = _("working day") if detail.get("is_working") else _("holiday")
        lines.append(_("%(day)s, %(kind)s", day=detail["day"], kind=kind))
    for kind, promise in (detail.get("promises") or {}).items():
        lines.append(_("%(clock)s: %(promise)s", clock=label(CLOCK, kind), promise=_promise_text(promise)))
    for name, (before, after) in (detail.get("changes") or {}).items():
        # Where a name has an English form beside it, "name" is its Chinese form.
        bilingual = name == "name" and action in _NAMED_IN_TWO_LANGUAGES
        lines.append(_change_line("name_zh" if bilingual else name, before, after))
    return lines


_ACCOUNT_FIELDS = ("email", "role", "organisation", "shop_code")
_NAMED_IN_TWO_LANGUAGES = frozenset(
    (AdminAction.POLICY_RENAMED, AdminAction.CALENDAR_UPDATED, AdminAction.ORGANISATION_UPDATED)
)


def _fields(detail: dict, names: tuple[str, ...]) -> list[str]:
    return [
        _("%(field)s: %(value)s", field=label(AUDIT_FIELD, name), value=_value(name, detail[name]))
        for name in names
        if detail.get(name) not in (None, "")
    ]


def _change_line(name: str, before, after) -> str:
    """One changed value; a clock's name means that clock's promise changed (a policy version)."""
    if name in _CLOCKS:
        before_text, after_text = _promise_text(before), _promise_text(after)
        if before_text == after_text:
            after_text = _("%(promise)s (calendar, pauses or actions on breach changed)", promise=after_text)
        return _(
            "%(field)s: %(before)s → %(after)s",
            field=label(CLOCK, name),
            before=before_text,
            after=after_text,
        )
    return _(
        "%(field)s: %(before)s → %(after)s",
        field=label(AUDIT_FIELD, name),
        before=_value(name, before),
        after=_value(name, after),
    )


_CLOCKS = frozenset(kind.value for kind in ClockKind)


def _value(name: str, value) -> str:
    """A stored value as the admin reads it: yes/no, a role's name, "—" for nothing."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if name == "role":
        return label(ROLE, value)
    return str(value)


@dataclass
class _Window:
    """A promise's window in the shape window_text reads."""

    amount: Decimal
    unit: TargetUnit


def _promise_text(promise: dict | None) -> str:
    """ "15 working days, warning at 75%", or "no promise"."""
    if not promise:
        return _("no promise")
    try:
        window = window_text(_Window(Decimal(promise["amount"]), TargetUnit(promise["unit"])))
    except (KeyError, ValueError, InvalidOperation):
        return "—"
    return _("%(window)s, warning at %(percent)s%%", window=window, percent=promise.get("warn_percent"))
