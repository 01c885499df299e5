"""Administration: an API client's webhook endpoints (added, turned on and off, their signing secret
replaced, shown once), their deliveries with every attempt, and sending a delivery again.
services/webhooks.py writes and delivers the events."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectChoice

from complaints.admin.api_client_forms import WebhookEndpointForm
from complaints.admin.views import _get_or_404, _place_problems, bp
from complaints.extensions import db
from complaints.models import (
    AdminAction,
    ApiClient,
    Role,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from complaints.services import admin_audit, webhooks
from complaints.services.administration import InvalidField
from complaints.web.guards import roles_required
from complaints.web.labels import DELIVERY_STATUS, WEBHOOK_EVENT

NEW_SECRET = "new_webhook_secret"  # the session key under which a new secret waits to be shown, once
DELIVERIES_SHOWN = 50


def _form(formdata=None) -> WebhookEndpointForm:
    form = WebhookEndpointForm(formdata=formdata)
    form.events.choices = [
        SelectChoice(kind, f"{WEBHOOK_EVENT[kind]} ({kind})") for kind in webhooks.EVENT_TYPES
    ]
    return form


def _page(client: ApiClient, form: WebhookEndpointForm, status: int = 200):
    endpoints = db.session.scalars(
        select(WebhookEndpoint).where(WebhookEndpoint.client_id == client.id).order_by(WebhookEndpoint.id)
    ).all()
    deliveries = db.session.scalars(
        select(WebhookDelivery)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .where(WebhookEndpoint.client_id == client.id)
        .order_by(WebhookDelivery.id.desc())
        .limit(DELIVERIES_SHOWN)
    ).all()
    return (
        render_template(
            "admin/webhooks.html",
            client=client,
            endpoints=endpoints,
            deliveries=deliveries,
            form=form,
            button=FlaskForm(formdata=None),
            new_secret=session.pop(NEW_SECRET, None),
            event_names=WEBHOOK_EVENT,
            statuses=DELIVERY_STATUS,
        ),
        status,
    )


@bp.get("/api-clients/<int:client_id>/webhooks")
@roles_required(Role.ADMIN)
def webhooks_page(client_id: int):
    return _page(_get_or_404(ApiClient, client_id), _form())


@bp.post("/api-clients/<int:client_id>/webhooks")
@roles_required(Role.ADMIN)
def add_webhook(client_id: int):
    client = _get_or_404(ApiClient, client_id)
    form = _form(request.form)
    if not form.validate():
        return _page(client, form, 400)
    try:
        endpoint = webhooks.add_endpoint(client, form.url.data, form.events.data)
    except InvalidField as invalid:
        db.session.rollback()
        _place_problems(form, [invalid])
        return _page(client, form, 400)
    admin_audit.record(
        current_user,
        AdminAction.WEBHOOK_ADDED,
        "webhook",
        endpoint.id,
        url=endpoint.url,
        events=endpoint.events,
    )
    db.session.commit()
    session[NEW_SECRET] = {"url": endpoint.url, "secret": endpoint.secret}
    return redirect(url_for("admin.webhooks_page", client_id=client.id))


def _endpoint_or_404(endpoint_id: int) -> WebhookEndpoint:
    endpoint = _get_or_404(WebhookEndpoint, endpoint_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    return endpoint


@bp.post("/webhooks/<int:endpoint_id>/toggle")
@roles_required(Role.ADMIN)
def toggle_webhook(endpoint_id: int):
    endpoint = _endpoint_or_404(endpoint_id)
    endpoint.active = not endpoint.active
    action = AdminAction.WEBHOOK_ACTIVATED if endpoint.active else AdminAction.WEBHOOK_DEACTIVATED
    admin_audit.record(current_user, action, "webhook", endpoint.id, url=endpoint.url)
    db.session.commit()
    flash(
        _("The endpoint is on: it hears of new events.")
        if endpoint.active
        else _("The endpoint is off: new events are not sent to it."),
        "success",
    )
    return redirect(url_for("admin.webhooks_page", client_id=endpoint.client_id))


@bp.post("/webhooks/<int:endpoint_id>/rotate")
@roles_required(Role.ADMIN)
def rotate_webhook_secret(endpoint_id: int):
    endpoint = _endpoint_or_404(endpoint_id)
    endpoint.secret = webhooks.new_secret()
    admin_audit.record(
        current_user, AdminAction.WEBHOOK_SECRET_ROTATED, "webhook", endpoint.id, url=endpoint.url
    )
    db.session.commit()
    session[NEW_SECRET] = {"url": endpoint.url, "secret": endpoint.secret}
    return redirect(url_for("admin.webhooks_page", client_id=endpoint.client_id))


@bp.get("/webhooks/deliveries/<int:delivery_id>")
@roles_required(Role.ADMIN)
def webhook_delivery(delivery_id: int):
    delivery = _get_or_404(WebhookDelivery, delivery_id)
    attempts = db.session.scalars(
        select(WebhookAttempt).where(WebhookAttempt.delivery_id == delivery.id).order_by(WebhookAttempt.id)
    ).all()
    return render_template(
        "admin/webhook_delivery.html",
        delivery=delivery,
        attempts=attempts,
        button=FlaskForm(formdata=None),
        statuses=DELIVERY_STATUS,
    )


@bp.post("/webhooks/deliveries/<int:delivery_id>/replay")
@roles_required(Role.ADMIN)
def replay_webhook(delivery_id: int):
    delivery = _get_or_404(WebhookDelivery, delivery_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    webhooks.replay(delivery)
    admin_audit.record(
        current_user,
        AdminAction.WEBHOOK_REPLAYED,
        "webhook",
        delivery.endpoint_id,
        event=delivery.event.public_id,
    )
    db.session.commit()
    flash(_("The event will be sent again within a minute."), "success")
    return redirect(url_for("admin.webhook_delivery", delivery_id=delivery.id))
