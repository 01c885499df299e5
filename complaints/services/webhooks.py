"""Webhooks: the marketplace hears of what changes on the complaints it may see.

Writing. Every transaction that appends to a complaint's timeline (complaints/timeline.py keeps
what it appended) writes, just before it commits and in the same transaction, one outbox event per
kind of change below, and one delivery of it to each active endpoint that subscribes to its type
and whose client may see the complaint (participants.api_client_hears_of). So an event exists if
and only if its change was committed: none is lost, none is sent for a change rolled back.

| event type | when |
|---|---|
| complaint.filed | a complaint is filed |
| complaint.state_changed | its state changes (verified, rejected, referred, resolved, withdrawn, closed ...) |
| message.public | a public message: a reply, a question to a party, the shop's answer |
| clock.warning / clock.breached | a pledged window reaches its warning point / its due instant |
| settlement.offered | the shop offers a settlement |
| mediation.outcome | the mediator records the outcome |

Payloads are thin: the event's id, type and time, the complaint's reference and state, and the facts
of the change (action, states, the clock's kind and due instant); the receiver reads the rest through
the API, as the person its client acts for.

Delivering. The scheduler's `deliver_webhooks` job POSTs each due delivery as JSON, signed:

    PledgeDesk-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the endpoint's secret>

A 2xx answer delivers it; anything else (or no answer within WEBHOOK_TIMEOUT_SECONDS) is retried
after 30 s, 1 min, 2 min ... up to 6 h between tries, WEBHOOK_MAX_ATTEMPTS times, then given up
(failed) until an admin replays it. Every attempt is kept and shown to admins.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
import urllib.error
import urllib.request
import uuid
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from complaints import participants
from complaints.extensions import db
from complaints.models import (
    ApiClient,
    Complaint,
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from complaints.services.administration import InvalidField
from complaints.timekeeping import now
from complaints.workflow import N_

EVENT_TYPES = (
    "complaint.filed",
    "complaint.state_changed",
    "message.public",
    "clock.warning",
    "clock.breached",
    "settlement.offered",
    "mediation.outcome",
)
_MESSAGES = frozenset({"reply", "request_info", "merchant_answer", "ask_party"})
_BY_ACTION = {
    "filed": "complaint.filed",
    "sla_warning": "clock.warning",
    "sla_breach": "clock.breached",
    "propose_settlement": "settlement.offered",
    "record_outcome": "mediation.outcome",
}
_FACTS = ("clock", "due_at", "outcome", "amount", "kind")  # what of an event's detail a payload carries
FIRST_WAIT = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=6)
SIGNATURE_HEADER = "PledgeDesk-Signature"


def types_of(action: str, from_state: str | None, to_state: str | None, public: bool) -> list[str]:
    """The webhook event types one timeline entry makes (see the table above)."""
    found = [_BY_ACTION[action]] if action in _BY_ACTION else []
    if to_state is not None and to_state != from_state and action != "filed":  # filing is no change
        found.append("complaint.state_changed")
    if action in _MESSAGES and public:
        found.append("message.public")
    return found


# --- The outbox, written with the change ------------------------------------------------------


@event.listens_for(Session, "before_commit")
def _write_outbox(session: Session) -> None:
    appended = session.info.pop("timeline_appended", None)
    if not appended:
        return
    endpoints = session.execute(
        select(WebhookEndpoint, ApiClient.scopes)
        .join(ApiClient, ApiClient.id == WebhookEndpoint.client_id)
        .where(WebhookEndpoint.active.is_(True), ApiClient.active.is_(True))
    ).all()
    if not endpoints:
        return
    wanted = {t for endpoint, _ in endpoints for t in endpoint.events}
    entries = [(entry, types) for entry in appended if (types := set(types_of(*entry[1:5])) & wanted)]
    if not entries:
        return
    ids = {entry[0] for entry, _ in entries}
    complaints = {
        row.id: row
        for row in session.execute(
            select(
                Complaint.id,
                Complaint.reference,
                Complaint.state,
                Complaint.merchant_id,
                Complaint.consumer_id,
            ).where(Complaint.id.in_(ids))
        )
    }
    for (complaint_id, action, from_state, to_state, _public, detail, at), types in entries:
        complaint = complaints.get(complaint_id)
        if complaint is None:
            continue
        hearing = [
            endpoint
            for endpoint, scopes in endpoints
            if participants.api_client_hears_of(
                scopes, complaint.merchant_id, complaint.consumer_id is not None
            )
        ]
        for kind in sorted(types):
            to = [e for e in hearing if kind in e.events]
            if to:
                _enqueue(session, kind, complaint, action, from_state, to_state, detail or {}, at, to)


def _enqueue(session, kind, complaint, action, from_state, to_state, detail, at, endpoints) -> None:
    public_id = f"evt_{uuid.uuid4().hex}"
    facts = {key: detail[key] for key in _FACTS if key in detail}
    payload = {
        "id": public_id,
        "type": kind,
        "created_at": at.isoformat(),
        "data": {
            "complaint": {
                "reference": complaint.reference,
                "state": str(getattr(complaint.state, "value", complaint.state)),
            },
            "action": action,
            **({"from_state": from_state, "to_state": to_state} if to_state else {}),
            **facts,
        },
    }
    outbox = WebhookEvent(
        public_id=public_id, type=kind, complaint_id=complaint.id, payload=payload, created_at=at
    )
    session.add(outbox)
    for endpoint in endpoints:
        session.add(
            WebhookDelivery(
                event=outbox,
                endpoint_id=endpoint.id,
                status=DeliveryStatus.PENDING,
                attempts=0,
                next_attempt_at=at,
            )
        )


# --- Endpoints ------------------------------------------------------------------------------


def check_url(url: str) -> str:
    """A receiver's URL as given, or InvalidField: http(s) with a host; plain http only where
    WEBHOOK_ALLOW_HTTP (not in production)."""
    url = (url or "").strip()
    parts = urlsplit(url)
    allowed = ("https", "http") if current_app.config["WEBHOOK_ALLOW_HTTP"] else ("https",)
    if parts.scheme not in allowed or not parts.hostname or len(url) > 500:
        raise InvalidField("url", N_("Give the receiver's full address, starting with https://."))
    return url


def check_events(events: list[str]) -> list[str]:
    chosen = [e for e in EVENT_TYPES if e in set(events)]
    if not chosen or len(chosen) != len(set(events)):
        raise InvalidField("events", N_("Choose at least one of the events listed."))
    return chosen


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def add_endpoint(client: ApiClient, url: str, events: list[str]) -> WebhookEndpoint:
    """A new endpoint of `client` with a fresh secret (the caller commits and shows it once)."""
    endpoint = WebhookEndpoint(
        client_id=client.id,
        url=check_url(url),
        events=check_events(events),
        secret=new_secret(),
        active=True,
        created_at=now(),
    )
    db.session.add(endpoint)
    db.session.flush()
    return endpoint


def replay(delivery: WebhookDelivery) -> None:
    """Send it again as soon as the dispatcher next runs (the receiver tells repeats by the id)."""
    delivery.status = DeliveryStatus.PENDING
    delivery.next_attempt_at = now()


# --- Delivering -----------------------------------------------------------------------------


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The hex HMAC-SHA256 of "<timestamp>.<body>" with `secret`."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def verify(secret: str, header: str, body: bytes, tolerance: int = 300, at: float | None = None) -> bool:
    """What a receiver checks (and the tests do): the signature matches and is recent."""
    try:
        fields = dict(part.split("=", 1) for part in header.split(","))
        timestamp = fields["t"]
        fresh = abs((at if at is not None else time.time()) - int(timestamp)) <= tolerance
    except (KeyError, ValueError):
        return False
    return fresh and hmac.compare_digest(fields.get("v1", ""), signature(secret, timestamp, body))


def wait_after(attempts: int) -> timedelta:
    """How long after the `attempts`-th failed try the next one is made."""
    return min(FIRST_WAIT * (2 ** max(attempts - 1, 0)), LONGEST_WAIT)


def _post(url: str, body: bytes, headers: dict, timeout: float) -> tuple[int | None, str | None]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - http(s) checked
            return response.status, None
    except urllib.error.HTTPError as exc:
        return exc.code, None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return None, str(getattr(exc, "reason", exc))[:500]


def attempt(delivery: WebhookDelivery, at: datetime | None = None) -> bool:
    """Try `delivery` once and record the try (the caller commits). True when delivered."""
    at = at or now()
    body = json.dumps(delivery.event.payload, ensure_ascii=False, separators=(",", ":")).encode()
    timestamp = str(int(at.timestamp()))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "PledgeDesk-Webhooks/1",
        "PledgeDesk-Event-Id": delivery.event.public_id,
        "PledgeDesk-Event-Type": delivery.event.type,
        SIGNATURE_HEADER: f"t={timestamp},v1={signature(delivery.endpoint.secret, timestamp, body)}",
    }
    started = time.perf_counter()
    status, error = _post(delivery.endpoint.url, body, headers, current_app.config["WEBHOOK_TIMEOUT_SECONDS"])
    elapsed = int((time.perf_counter() - started) * 1000)
    db.session.add(
        WebhookAttempt(delivery_id=delivery.id, at=at, status_code=status, error=error, duration_ms=elapsed)
    )
    delivery.attempts += 1
    delivery.last_attempt_at = at
    if status is not None and 200 <= status < 300:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = DeliveryStatus.DELIVERED, at, None
        return True
    if delivery.attempts >= current_app.config["WEBHOOK_MAX_ATTEMPTS"]:
        delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
    else:
        delivery.next_attempt_at = at + wait_after(delivery.attempts)
    return False


def deliver_due(at: datetime | None = None, limit: int = 200) -> int:
    """Try every delivery due at `at` (oldest first, at most `limit`), each committed on its own.
    Returns how many were delivered."""
    at = at or now()
    due = db.session.scalars(
        select(WebhookDelivery.id)
        .where(WebhookDelivery.status == DeliveryStatus.PENDING, WebhookDelivery.next_attempt_at <= at)
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        .limit(limit)
    ).all()
    db.session.commit()  # no transaction is held while a receiver answers
    delivered = 0
    for delivery_id in due:
        delivery = db.session.get(WebhookDelivery, delivery_id)
        if delivery is None or delivery.status != DeliveryStatus.PENDING:
            continue
        delivered += attempt(delivery, at)
        db.session.commit()
    return delivered
