"""The signed-in person's own account: details, password, notifications, their data to take
away, deletion.

Registered on the `auth` blueprint (imported at the bottom of auth/views.py). Also gives the
templates the `mask_email` / `mask_phone` filters.
"""

from __future__ import annotations

import json

from flask import Response, flash, redirect, render_template, session, url_for
from flask_babel import format_datetime, get_locale, refresh
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from complaints.auth.account_forms import (
    DeleteAccountForm,
    NotificationPreferencesForm,
    PasswordChangeForm,
    ProfileForm,
)
from complaints.auth.views import bp
from complaints.extensions import db, limiter
from complaints.models import EmailFrequency, Role
from complaints.services import announcements, notifications
from complaints.services.accounts import AccountLocked
from complaints.services.data_export import export_consumer_data
from complaints.services.privacy import (
    WrongPassword,
    change_password,
    confirm_password,
    delete_consumer_account,
    mask_email,
    mask_phone,
    update_profile,
)
from complaints.timekeeping import now
from complaints.web.errors import translated
from complaints.web.guards import roles_required
from complaints.workflow import Refusal

bp.add_app_template_filter(mask_email, "mask_email")
bp.add_app_template_filter(mask_phone, "mask_phone")


def _profile_form() -> ProfileForm:
    form = ProfileForm(obj=current_user)
    if not form.is_submitted() and not form.locale.data:
        form.locale.data = str(get_locale())  # never chose one: the language they are reading
    return form


def _preferences_form() -> NotificationPreferencesForm:
    """The e-mail preferences, offering the kinds of notification this person can receive."""
    kinds = announcements.kinds_heard_by(current_user)
    form = NotificationPreferencesForm(prefix="notify")
    form.offer(kinds)
    if not form.is_submitted():
        muted = set(current_user.email_muted or ())
        form.frequency.data = (current_user.email_frequency or EmailFrequency.IMMEDIATE).value
        form.emailed.data = [kind.value for kind in kinds if kind.value not in muted]
    return form


def _account_page(profile=None, password_form=None, profile_problem=None, preferences=None) -> str:
    return render_template(
        "auth/account.html",
        profile=profile or _profile_form(),
        password_form=password_form or PasswordChangeForm(prefix="pw"),
        preferences=preferences or _preferences_form(),
        profile_problem=profile_problem,
    )


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    profile = _profile_form()
    if profile.validate_on_submit():
        try:
            update_profile(
                current_user,
                name=profile.name.data,
                phone=profile.phone.data,
                locale=profile.locale.data,
                timezone=profile.timezone.data,
            )
        except Refusal as refusal:
            db.session.rollback()
            return _account_page(profile=profile, profile_problem=translated(refusal)), 400
        db.session.commit()
        session["locale"] = current_user.locale
        refresh()  # the confirmation in the language just chosen
        flash(_("Your details were saved."), "success")
        return redirect(url_for("auth.account"))
    return _account_page(profile=profile), 400 if profile.errors else 200


@bp.post("/account/notifications")
@login_required
def account_notifications():
    form = _preferences_form()
    if form.validate_on_submit():
        notifications.set_email_preferences(
            current_user,
            EmailFrequency(form.frequency.data),
            emailed=form.emailed.data or (),
            offered=announcements.kinds_heard_by(current_user),
        )
        db.session.commit()
        flash(_("Your notification settings were saved."), "success")
        return redirect(url_for("auth.account"))
    return _account_page(preferences=form), 400


@bp.post("/account/password")
@limiter.limit("10 per minute")
@login_required
def account_password():
    form = PasswordChangeForm(prefix="pw")
    status = 400
    if form.validate_on_submit():
        try:
            change_password(current_user, current=form.current.data, new=form.new.data)
        except Refusal as refusal:
            status = _password_refused(refusal, form.current, form.new)
        else:
            db.session.commit()
            flash(_("Your password was changed."), "success")
            return redirect(url_for("auth.account"))
    return _account_page(password_form=form), status


def _password_refused(refusal: Refusal, password_field, other_field=None) -> int:
    """Show why a password check failed beside the right field; return the status to answer."""
    if isinstance(refusal, AccountLocked):
        db.session.commit()
        password_field.errors.append(_(refusal.template, until=format_datetime(refusal.until, "short")))
        return 429
    if isinstance(refusal, WrongPassword):
        db.session.commit()  # a wrong password counts towards the lockout, as at sign-in
        password_field.errors.append(translated(refusal))
        return 400
    db.session.rollback()
    (other_field or password_field).errors.append(translated(refusal))
    return 400


@bp.get("/account/export")
@roles_required(Role.CONSUMER)
def account_export():
    data = export_consumer_data(current_user)
    filename = f"pledgedesk-export-{now().date().isoformat()}.json"
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/account/delete", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
@roles_required(Role.CONSUMER)
def account_delete():
    form = DeleteAccountForm()
    status = 400 if form.is_submitted() else 200
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            confirm_password(user, form.password.data)
            delete_consumer_account(user)
        except Refusal as refusal:
            status = _password_refused(refusal, form.password)
        else:
            db.session.commit()
            session.clear()
            logout_user()  # after clear(), so that it can still ask to drop a remember-me cookie
            flash(_("Your account was deleted. Your complaints stay on record without your name."), "info")
            return redirect(url_for("auth.login"))
    return render_template("auth/account_delete.html", form=form), status
