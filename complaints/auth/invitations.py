"""The invitation link: a shop's staff member opens their account through it and is signed in."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, session
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from complaints.auth.views import bp
from complaints.extensions import db, limiter
from complaints.models import Merchant, MerchantInvitation
from complaints.participants import home_url
from complaints.services import shop_staff
from complaints.services.administration import InvalidField
from complaints.services.shop_staff import InvitationUnusable
from complaints.web.errors import translated
from complaints.workflow import Refusal


class InvitationForm(FlaskForm):
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=120)])
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), Length(max=200)],
        description=_l("At least 10 characters, mixing letters with digits or symbols."),
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
    )


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def invitation(token: str):
    try:
        invitation = shop_staff.find_invitation(token)
    except InvitationUnusable as unusable:
        return _unusable(unusable)
    shop = db.session.get(Merchant, invitation.merchant_id)
    problem = None
    if current_user.is_authenticated:
        # Nobody opens a second account on the side; the link keeps working after signing out.
        problem = _(
            "You are signed in as %(email)s. Sign out first to accept this invitation.",
            email=current_user.email,
        )
    elif shop_staff.email_already_registered(invitation):
        problem = _("An account with this email already exists. Sign in with it instead.")
    if problem is not None:
        status = 409 if request.method == "POST" else 200
        return _page(invitation, shop, problem=problem), status
    form = InvitationForm(data={"name": invitation.name} if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            user = shop_staff.accept_invitation(
                token, name=form.name.data, password=form.password.data, locale=session.get("locale")
            )
        except InvalidField as invalid:
            db.session.rollback()
            form[invalid.field].errors.append(translated(invalid))
        except InvitationUnusable as unusable:
            return _unusable(unusable)
        except Refusal as refusal:
            db.session.rollback()
            return _page(invitation, shop, problem=translated(refusal)), 409
        else:
            db.session.commit()
            session.clear()
            login_user(user)
            flash(
                _(
                    "Welcome, %(name)s. You now answer complaints for %(shop)s.",
                    name=user.name,
                    shop=shop.name,
                ),
                "success",
            )
            return redirect(home_url(user))
    status = 400 if form.errors else 200
    return _page(invitation, shop, form=form), status


def _page(invitation: MerchantInvitation, shop: Merchant, form=None, problem: str | None = None) -> str:
    return render_template(
        "auth/invitation.html", invitation=invitation, shop=shop, form=form, problem=problem
    )


def _unusable(unusable: InvitationUnusable):
    """An unknown link is a 404; one that was used, revoked or ran out is gone (410)."""
    db.session.rollback()
    status = 404 if unusable.status is None else 410
    return render_template(
        "auth/invitation.html", invitation=None, shop=None, form=None, problem=translated(unusable)
    ), status
