"""Administration: a shop's staff accounts, and invitations to open one by e-mail."""

from __future__ import annotations

from flask import abort, flash, redirect, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from complaints.admin.forms import ShopInvitationForm, ShopStaffForm
from complaints.admin.views import NEW_INVITATION, _get_or_404, _save, bp, render_merchants
from complaints.extensions import db
from complaints.models import Merchant, MerchantInvitation, Role
from complaints.services import shop_staff
from complaints.web.errors import translated
from complaints.web.guards import roles_required
from complaints.workflow import Refusal


@bp.route("/merchants/<int:merchant_id>/staff/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new_shop_staff(merchant_id: int):
    merchant = _get_or_404(Merchant, merchant_id)
    form = ShopStaffForm()

    def save():
        values = {name: form[name].data for name in ("name", "email", "password")}
        return shop_staff.create_shop_staff(merchant, **values, actor=current_user)

    return _save(
        form,
        save,
        _("The account was created."),
        "admin.merchants",
        title=_("New staff account of %(shop)s", shop=merchant.name),
        submit=_("Create the account"),
    )


@bp.route("/merchants/<int:merchant_id>/invitations/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def invite_shop_staff(merchant_id: int):
    merchant = _get_or_404(Merchant, merchant_id)
    form = ShopInvitationForm()
    created = {}

    def save():
        invitation, token = shop_staff.invite_shop_staff(
            merchant, name=form.name.data, email=form.email.data, actor=current_user
        )
        created.update(invitation=invitation, token=token)

    def hand_over():
        # The link exists only now: mailed if SMTP is configured, and shown to the admin once
        # (the merchants page takes it out of the session).
        invitation = created["invitation"]
        link = url_for("auth.invitation", token=created["token"], _external=True)
        emailed = shop_staff.send_invitation_email(invitation, link)
        session[NEW_INVITATION] = {"email": invitation.email, "link": link, "emailed": emailed}

    return _save(
        form,
        save,
        _("The invitation was created."),
        "admin.merchants",
        then=hand_over,
        title=_("Invite staff of %(shop)s", shop=merchant.name),
        submit=_("Create the invitation"),
    )


@bp.post("/merchants/invitations/<int:invitation_id>/revoke")
@roles_required(Role.ADMIN)
def revoke_invitation(invitation_id: int):
    invitation = _get_or_404(MerchantInvitation, invitation_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        revoked = shop_staff.revoke_invitation(invitation, actor=current_user)
    except Refusal as refusal:
        db.session.rollback()
        return render_merchants(status=409, refusal=translated(refusal))
    db.session.commit()
    if revoked:
        flash(
            _("The invitation to %(email)s was revoked: its link no longer works.", email=invitation.email),
            "success",
        )
    return redirect(url_for("admin.merchants"))
