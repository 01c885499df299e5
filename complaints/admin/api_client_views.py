"""Administration: API clients of the integration API, and their tokens (issued, shown once,
revoked)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from complaints.admin.api_client_forms import ApiClientForm
from complaints.admin.views import _get_or_404, _save, bp
from complaints.extensions import db
from complaints.models import ApiClient, Role
from complaints.services import api_clients
from complaints.web.guards import roles_required

# The session key under which a new token's secret waits to be shown to the admin, once.
NEW_TOKEN = "new_api_token"


@bp.get("/api-clients")
@roles_required(Role.ADMIN)
def api_client_list():
    clients = db.session.scalars(select(ApiClient).order_by(ApiClient.name)).all()
    return render_template(
        "admin/api_clients.html",
        clients=clients,
        new_token=session.pop(NEW_TOKEN, None),
        button=FlaskForm(formdata=None),
    )


@bp.route("/api-clients/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new_api_client():
    form = ApiClientForm()

    def save():
        scopes = api_clients.parse_scopes(form.scopes.data)
        return api_clients.create_client(form.name.data, form.owner.data, scopes, current_user)

    return _save(
        form,
        save,
        _("The API client was added. Issue it a token."),
        "admin.api_client_list",
        title=_("New API client"),
        submit=_("Add the API client"),
    )


@bp.post("/api-clients/<int:client_id>/tokens")
@roles_required(Role.ADMIN)
def issue_api_token(client_id: int):
    client = _get_or_404(ApiClient, client_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    secret = api_clients.issue_token(client, current_user)
    db.session.commit()
    session[NEW_TOKEN] = {"client": client.name, "secret": secret}
    return redirect(url_for("admin.api_client_list"))


@bp.post("/api-clients/<int:client_id>/tokens/<int:token_id>/revoke")
@roles_required(Role.ADMIN)
def revoke_api_token(client_id: int, token_id: int):
    client = _get_or_404(ApiClient, client_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    if not api_clients.revoke_token(client, token_id, current_user):
        abort(404)
    db.session.commit()
    flash(_("The token was revoked: requests with it are refused."), "success")
    return redirect(url_for("admin.api_client_list"))
