"""Administration of the pledge: SLA policies, edited by publishing new versions.

Registered on the admin blueprint (complaints.admin.views imports this module at its end).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import FormField, SelectChoice

from complaints.admin.pledge_forms import (
    BREACH_ACTION,
    MAJOR_SCOPE,
    NewPolicyForm,
    PolicyActiveForm,
    PolicyNamesForm,
    PolicyVersionForm,
)
from complaints.admin.views import bp
from complaints.extensions import db
from complaints.models import ClockKind, Role, SlaPolicy, SlaPolicyVersion
from complaints.services import pledges, work_calendars
from complaints.services.administration import InvalidField, InvalidFields, list_categories
from complaints.sla import policy as sla_policy
from complaints.web.errors import translated
from complaints.web.guards import roles_required
from complaints.web.labels import CLOCK, PAUSE_REASON, label
from complaints.web.pledge_words import scope_text, window_text
from complaints.workflow import Refusal


@dataclass(frozen=True)
class TargetLine:
    """One clock's promise, in words."""

    clock: str
    window: str
    calendar: str
    warning: str
    pauses: str
    on_breach: str


def target_lines(version: SlaPolicyVersion | None) -> list[TargetLine]:
    """The promises of `version`, clock by clock, in the order of the clocks."""
    if version is None:
        return []
    order = list(ClockKind)
    return [
        TargetLine(
            clock=label(CLOCK, t.kind),
            window=window_text(t),
            calendar=t.calendar.in_locale(str(get_locale())),
            warning=_("at %(percent)s%%", percent=t.warn_percent),
            # A list separator: ", " in English, "、" in Chinese.
            pauses=_(", ").join(label(PAUSE_REASON, p) for p in t.pause_on) or _("never"),
            on_breach=_(", ").join(label(BREACH_ACTION, a) for a in t.breach_actions) or _("nothing else"),
        )
        for t in sorted(version.targets, key=lambda t: order.index(t.kind))
    ]


def place_problems(form: FlaskForm, problems: list[InvalidField]) -> str | None:
    """Put each problem beside the form field of its name; return those that have no field."""
    loose = []
    for problem in problems:
        field = _field_named(form, problem.field)
        if field is None:
            loose.append(translated(problem))
        else:
            field.errors = [*field.errors, translated(problem)]
    return " ".join(loose) or None


def _field_named(form: FlaskForm, name: str):
    for field in form:
        if field.name == name:
            return field
        if isinstance(field, FormField):
            found = next((sub for sub in field if sub.name == name), None)
            if found is not None:
                return found
    return None


def run_use_case(form: FlaskForm, use_case: Callable[[], object]) -> tuple[bool, str | None, int]:
    """Run `use_case` and commit; on a refusal roll back and say why.

    Returns (done, message above the form, status): field problems are placed beside their
    fields (400); any other refusal is the message (409).
    """
    try:
        use_case()
    except InvalidFields as invalid:
        db.session.rollback()
        return False, place_problems(form, invalid.problems), 400
    except InvalidField as invalid:
        db.session.rollback()
        return False, place_problems(form, [invalid]), 400
    except Refusal as refusal:
        db.session.rollback()
        return False, translated(refusal), 409
    db.session.commit()
    return True, None, 200


def _calendar_choices() -> list[SelectChoice]:
    locale = str(get_locale())
    return [
        SelectChoice(str(c.id), _("%(name)s (%(code)s)", name=c.in_locale(locale), code=c.code))
        for c in work_calendars.list_calendars()
    ]


def _prefill(version: SlaPolicyVersion | None) -> dict:
    """The current version's targets as the form's data (clocks without a promise stay empty)."""
    data = {}
    for target in version.targets if version else ():
        amount, _unit = sla_policy.describe_window(target)
        data[target.kind.value] = {
            "amount": amount.quantize(Decimal(1)) if amount == amount.to_integral_value() else amount,
            "unit": target.unit.value,
            "calendar_id": str(target.calendar_id),
            "warn_percent": target.warn_percent,
            "pause_on": list(target.pause_on),
            "breach_actions": list(target.breach_actions),
        }
    return data


# --- Views ----------------------------------------------------------------------------------


def _render_policies(status: int = 200, refusal: str | None = None):
    overviews = pledges.list_policies()
    body = render_template(
        "admin/policies.html",
        policies=[(o, scope_text(o.policy), target_lines(o.version)) for o in overviews],
        toggle=PolicyActiveForm(formdata=None),
        refusal=refusal,
    )
    return body, status


@bp.get("/policies")
@roles_required(Role.ADMIN)
def policies():
    return _render_policies()


@bp.route("/policies/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new_policy():
    form = NewPolicyForm()
    form.set_calendars(_calendar_choices())
    locale = str(get_locale())
    form.category_id.choices = [SelectChoice("", _("Any category"))] + [
        SelectChoice(str(c.id), c.display_name(locale)) for c in list_categories()
    ]
    status, refusal, created = 200, None, []
    if form.validate_on_submit():
        done, refusal, status = run_use_case(
            form,
            lambda: created.append(
                pledges.create_policy(
                    current_user,
                    name=form.name.data,
                    name_en=form.name_en.data,
                    category_id=form.category_id.data or None,
                    major=MAJOR_SCOPE[form.major.data],
                    targets=form.drafts(),
                    note=form.note.data,
                    note_en=form.note_en.data,
                )
            ),
        )
        if done:
            flash(_("The policy “%(name)s” is published as version 1.", name=_named(created[0])), "success")
            return redirect(url_for("admin.policies"))
    elif form.errors:
        status = 400
    return _render_form(form, status, refusal, policy=None)


@bp.route("/policies/<int:policy_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_policy(policy_id: int):
    policy = db.get_or_404(SlaPolicy, policy_id)
    current = sla_policy.current_version(policy)
    form = PolicyVersionForm(data=_prefill(current))
    form.set_calendars(_calendar_choices())
    status, refusal = 200, None
    if form.validate_on_submit():
        done, refusal, status = run_use_case(
            form,
            lambda: pledges.publish_policy_version(
                current_user, policy, form.drafts(), form.note.data, form.note_en.data
            ),
        )
        if done:
            flash(
                _(
                    "Version %(number)s of “%(name)s” is published. Complaints filed from now on are held "
                    "to it; complaints already filed keep the version they were filed under.",
                    number=sla_policy.current_version(policy).number,
                    name=_named(policy),
                ),
                "success",
            )
            return redirect(url_for("admin.policies"))
    elif form.errors:
        status = 400
    return _render_form(form, status, refusal, policy=policy, current=current)


@bp.post("/policies/<int:policy_id>/names")
@roles_required(Role.ADMIN)
def rename_policy(policy_id: int):
    policy = db.get_or_404(SlaPolicy, policy_id)
    current = sla_policy.current_version(policy)
    names = PolicyNamesForm()
    status, refusal = 400, None
    if names.validate_on_submit():
        done, refusal, status = run_use_case(
            names,
            lambda: pledges.rename_policy(
                current_user, policy, name=names.name.data, name_en=names.name_en.data
            ),
        )
        if done:
            flash(_("The names of “%(name)s” are saved.", name=_named(policy)), "success")
            return redirect(url_for("admin.edit_policy", policy_id=policy.id))
    form = PolicyVersionForm(formdata=None, data=_prefill(current))
    form.set_calendars(_calendar_choices())
    return _render_form(form, status, refusal, policy=policy, current=current, names=names)


def _named(policy: SlaPolicy) -> str:
    """A policy's name in the admin's language."""
    return policy.in_locale(str(get_locale()))


def _render_form(
    form: FlaskForm,
    status: int,
    refusal: str | None,
    policy: SlaPolicy | None,
    current=None,
    names: PolicyNamesForm | None = None,
):
    if policy is not None and names is None:
        names = PolicyNamesForm(formdata=None, obj=policy)
    body = render_template(
        "admin/policies_form.html",
        title=_("Change “%(name)s”", name=_named(policy)) if policy else _("New pledge policy"),
        form=form,
        names=names,
        refusal=refusal,
        policy=policy,
        scope=scope_text(policy) if policy else None,
        current=current,
        history=pledges.policy_history(policy) if policy else [],
        toggle=PolicyActiveForm(formdata=None),
        major_amount=current_app.config["MAJOR_COMPLAINT_AMOUNT"],
    )
    return body, status


@bp.post("/policies/<int:policy_id>/active")
@roles_required(Role.ADMIN)
def toggle_policy(policy_id: int):
    policy = db.get_or_404(SlaPolicy, policy_id)
    form = PolicyActiveForm()
    if not form.validate_on_submit():
        return _render_policies(status=400, refusal=_("The request could not be understood."))
    active = form.active.data == "1"
    done, refusal, status = run_use_case(
        form, lambda: pledges.set_policy_active(policy, active, actor=current_user)
    )
    if not done:
        return _render_policies(status=status, refusal=refusal)
    if active:
        flash(
            _("“%(name)s” is active: new complaints that fit it are held to it.", name=_named(policy)),
            "success",
        )
    else:
        flash(
            _(
                "“%(name)s” is deactivated: new complaints get the next policy that fits, and its "
                "clocks no longer warn or breach.",
                name=_named(policy),
            ),
            "success",
        )
    return redirect(url_for("admin.policies"))
