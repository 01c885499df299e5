"""Webhooks against a small receiver on 127.0.0.1: events written with the change they describe
(and not for one rolled back), only for the complaints the client may see, signed (the receiver
checks every signature), retried with backoff while the receiver is down and all received once it
is up, given up after the last attempt and sent again when an admin replays them."""

from __future__ import annotations

import json
import socket
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import func, select

from complaints.extensions import db
from complaints.models import (
    AdminAuditEntry,
    ApiClient,
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from complaints.services import api_clients, webhooks
from complaints.services.administration import InvalidField
from complaints.timekeeping import now
from complaints.workflow import Action, Refusal
from tests.support import act_as, shanghai


class Receiver:
    """An HTTP receiver on 127.0.0.1 that keeps what it was sent; `up()` starts it on its port."""

    def __init__(self):
        with socket.socket() as probe:  # a free port nobody listens on until up()
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.received: list[tuple] = []
        self.answer = 200
        self.server = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/events"

    def up(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the http.server hook's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((self.headers, body))  # case-insensitive names
                self.send_response(receiver.answer)
                self.end_headers()

            def log_message(self, *args):
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def down(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


@pytest.fixture
def receiver():
    found = Receiver()
    yield found
    found.down()


def _endpoint(world, url: str, scopes: list[str], name: str, events=webhooks.EVENT_TYPES) -> WebhookEndpoint:
    client = api_clients.create_client(name, "Marketplace ops", scopes)
    endpoint = webhooks.add_endpoint(client, url, list(events))
    db.session.commit()
    return endpoint


def _types(endpoint_id: int) -> list[str]:
    return list(
        db.session.scalars(
            select(WebhookEvent.type)
            .join(WebhookDelivery, WebhookDelivery.event_id == WebhookEvent.id)
            .where(WebhookDelivery.endpoint_id == endpoint_id)
            .order_by(WebhookEvent.id)
        )
    )


def test_events_are_written_with_their_change_for_the_clients_that_may_see_the_complaint(
    app, world, receiver
):
    shop_a = _endpoint(world, receiver.url, [f"merchant:{world.merchant_ids[0]}"], "Shop A's back office")
    shop_b = _endpoint(world, receiver.url, [f"merchant:{world.merchant_ids[1]}"], "Shop B's back office")
    consumers = _endpoint(world, receiver.url, ["consumers:act"], "Order pages", events=["complaint.filed"])

    reference = world.file()
    act_as(world, reference, "agent", Action.REPLY, body="您好，我们正在核实。")
    act_as(world, reference, "agent", Action.VERIFY)

    assert _types(shop_a.id) == ["complaint.filed", "message.public", "complaint.state_changed"]
    assert _types(shop_b.id) == []  # not its shop's complaint
    assert _types(consumers.id) == ["complaint.filed"]  # what it subscribed to
    event = db.session.scalars(
        select(WebhookEvent).where(WebhookEvent.type == "complaint.state_changed")
    ).one()
    assert event.public_id.startswith("evt_") and event.payload["id"] == event.public_id
    assert event.payload["data"] == {
        "complaint": {"reference": reference, "state": "verified"},
        "action": "verify",
        "from_state": "received",
        "to_state": "verified",
    }

    with pytest.raises(Refusal):  # refused: nothing changed, so no event either
        act_as(world, reference, "consumer", Action.CONFIRM, rating=5)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(WebhookEvent)) == 3  # one per change and type


def test_a_receiver_down_for_a_while_gets_every_event_once_it_is_up_each_signed(app, world, receiver, clock):
    endpoint = _endpoint(world, receiver.url, [f"merchant:{world.merchant_ids[0]}"], "Shop A's back office")
    references = [world.file() for _ in range(3)]
    for reference in references:
        act_as(world, reference, "agent", Action.VERIFY)

    assert webhooks.deliver_due() == 0  # nobody listens yet
    pending = db.session.scalars(select(WebhookDelivery)).all()
    assert len(pending) == 6 and all(d.attempts == 1 and d.status == DeliveryStatus.PENDING for d in pending)
    assert all(d.next_attempt_at == d.last_attempt_at + timedelta(seconds=30) for d in pending)
    assert all(a.status_code is None and a.error for a in db.session.scalars(select(WebhookAttempt)))

    clock.advance(seconds=10)
    assert webhooks.deliver_due() == 0  # not due again yet: nothing tried
    assert db.session.scalar(select(func.count()).select_from(WebhookAttempt)) == 6

    receiver.up()
    clock.advance(seconds=25)
    assert webhooks.deliver_due() == 6
    ids = [headers["PledgeDesk-Event-Id"] for headers, _ in receiver.received]
    assert len(ids) == len(set(ids)) == 6
    for headers, body in receiver.received:
        assert webhooks.verify(endpoint.secret, headers["PledgeDesk-Signature"], body, at=now().timestamp())
        assert not webhooks.verify("whsec_wrong", headers["PledgeDesk-Signature"], body, at=now().timestamp())
        assert json.loads(body)["id"] == headers["PledgeDesk-Event-Id"]
        assert json.loads(body)["data"]["complaint"]["reference"] in references
    assert webhooks.deliver_due() == 0  # delivered ones are not sent again


def test_a_receiver_that_keeps_failing_is_given_up_and_replayed_by_an_admin(app, world, receiver, clock):
    app.config["WEBHOOK_MAX_ATTEMPTS"] = 3
    _endpoint(world, receiver.url, ["consumers:act"], "Order pages", events=["complaint.filed"])
    world.file()
    receiver.answer = 500
    receiver.up()
    waits = []
    for _ in range(3):
        webhooks.deliver_due()
        delivery = db.session.scalars(select(WebhookDelivery)).one()
        if delivery.next_attempt_at:
            waits.append(delivery.next_attempt_at - delivery.last_attempt_at)
            clock.set(delivery.next_attempt_at)
    assert waits == [timedelta(seconds=30), timedelta(seconds=60)]
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (DeliveryStatus.FAILED, 3, None)
    assert webhooks.deliver_due() == 0

    receiver.answer = 204
    webhooks.replay(delivery)
    db.session.commit()
    assert webhooks.deliver_due() == 1
    assert len(receiver.received) == 4
    assert db.session.get(WebhookDelivery, delivery.id).status == DeliveryStatus.DELIVERED


def test_the_sweep_warns_and_breaches_through_webhooks_too(app, world, receiver, clock):
    endpoint = _endpoint(
        world, receiver.url, [f"merchant:{world.merchant_ids[0]}"], "Shop A", ["clock.breached"]
    )
    clock.set(shanghai(2026, 3, 2, 10, 0))
    world.file()
    from complaints.services.pledge_keeping import sweep

    clock.set(shanghai(2026, 3, 20, 10, 0))
    sweep()
    db.session.commit()
    breached = db.session.scalars(select(WebhookEvent).where(WebhookEvent.type == "clock.breached")).all()
    assert breached and {e.payload["data"]["clock"] for e in breached} >= {"response"}
    assert _types(endpoint.id) == ["clock.breached"] * len(breached)


def test_a_wrong_address_is_refused_and_plain_http_only_where_allowed(app, world):
    client = api_clients.create_client("Marketplace", "Ops", ["consumers:act"])
    for wrong in ("ftp://example.com/x", "not a url", "https://", "", "http://" + "a" * 500):
        with pytest.raises(InvalidField) as refused:
            webhooks.add_endpoint(client, wrong, ["complaint.filed"])
        assert refused.value.field == "url", wrong
    with pytest.raises(InvalidField) as refused:
        webhooks.add_endpoint(client, "https://ops.example.com/hook", ["complaint.nonsense"])
    assert refused.value.field == "events"
    app.config["WEBHOOK_ALLOW_HTTP"] = False
    with pytest.raises(InvalidField):
        webhooks.add_endpoint(client, "http://ops.example.com/hook", ["complaint.filed"])
    assert webhooks.add_endpoint(
        client, "https://ops.example.com/hook", ["complaint.filed"]
    ).secret.startswith("whsec_")


def test_the_admin_pages_add_turn_off_rotate_and_replay_and_each_change_is_audited(
    app, world, client, auth, receiver
):
    auth.login(world.admin.email)
    client.post(
        "/admin/api-clients/new", data={"name": "Order pages", "owner": "Ops", "scopes": "consumers:act"}
    )
    api_client = db.session.scalars(select(ApiClient)).one()
    page = f"/admin/api-clients/{api_client.id}/webhooks"
    assert client.post(page, data={"url": "gopher://x", "events": ["complaint.filed"]}).status_code == 400
    assert client.post(page, data={"url": receiver.url}).status_code == 400
    added = client.post(page, data={"url": receiver.url, "events": ["complaint.filed", "message.public"]})
    assert added.status_code == 302
    endpoint = db.session.scalars(select(WebhookEndpoint)).one()
    shown = client.get(page).get_data(as_text=True)
    assert endpoint.secret in shown  # once
    assert endpoint.secret not in client.get(page).get_data(as_text=True)

    old = endpoint.secret
    assert client.post(f"/admin/webhooks/{endpoint.id}/rotate").status_code == 302
    db.session.refresh(endpoint)
    assert endpoint.secret != old
    assert client.post(f"/admin/webhooks/{endpoint.id}/toggle").status_code == 302
    db.session.refresh(endpoint)
    assert endpoint.active is False
    world.file()  # the endpoint is off: not told
    assert db.session.scalar(select(func.count()).select_from(WebhookDelivery)) == 0
    client.post(f"/admin/webhooks/{endpoint.id}/toggle")
    world.file()
    delivery = db.session.scalars(select(WebhookDelivery)).one()
    webhooks.deliver_due()
    detail = client.get(f"/admin/webhooks/deliveries/{delivery.id}").get_data(as_text=True)
    assert "complaint.filed" in detail and "No answer" in detail
    assert client.post(f"/admin/webhooks/deliveries/{delivery.id}/replay").status_code == 302
    assert client.get("/admin/webhooks/deliveries/999999").status_code == 404
    actions = set(db.session.scalars(select(AdminAuditEntry.action)))
    assert {a.value for a in actions} >= {
        "api_client_created",
        "webhook_added",
        "webhook_secret_rotated",
        "webhook_deactivated",
        "webhook_activated",
        "webhook_replayed",
    }
