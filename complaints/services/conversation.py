"""Messages on a complaint: replies, internal notes, requests for information, evidence."""

from __future__ import annotations

from complaints.extensions import db
from complaints.models import Complaint, Message, MessageKind, User, WaitingOn
from complaints.services.attachments import store_attachments
from complaints.services.effects import Change, effect
from complaints.timekeeping import now
from complaints.workflow import N_, Action, Refusal

MAX_BODY = 10_000


def _message(complaint: Complaint, user: User, kind: MessageKind, body: str) -> Message:
    body = (body or "").strip()
    if not body:
        raise Refusal(N_("Write a message."))
    if len(body) > MAX_BODY:
        raise Refusal(N_("A message can be at most %(max)s characters."), max=MAX_BODY)
    message = Message(complaint_id=complaint.id, author_id=user.id, kind=kind, body=body, created_at=now())
    db.session.add(message)
    return message


def _is_consumer(complaint: Complaint, user: User) -> bool:
    return complaint.consumer_id == user.id


@effect(Action.REPLY)
def _reply(complaint: Complaint, user: User, params: dict) -> Change:
    message = _message(complaint, user, MessageKind.PUBLIC, params["body"])
    if params.get("files"):
        db.session.flush()
        store_attachments(complaint, user, params["files"], message)
    if _is_consumer(complaint, user):
        complaint.waiting_on_consumer = False
    return Change({"attachments": len(params.get("files") or ())})


@effect(Action.NOTE)
def _note(complaint: Complaint, user: User, params: dict) -> Change:
    _message(complaint, user, MessageKind.INTERNAL, params["body"])
    return Change()


@effect(Action.REQUEST_INFO)
def _request_info(complaint: Complaint, user: User, params: dict) -> Change:
    try:
        party = WaitingOn(params["party"])
    except ValueError as exc:
        raise Refusal(N_("Choose whom to ask: the consumer or the merchant.")) from exc
    # A question to the consumer is a public reply; one to the shop is read by the shop in its
    # portal (and by the consumer, who sees what the platform asked about their complaint).
    kind = MessageKind.PUBLIC if party is WaitingOn.CONSUMER else MessageKind.MERCHANT_QUESTION
    _message(complaint, user, kind, params["body"])
    complaint.set_waiting_on(party, True)
    return Change({"party": party.value})


@effect(Action.MERCHANT_ANSWER)
def _merchant_answer(complaint: Complaint, user: User, params: dict) -> Change:
    message = _message(complaint, user, MessageKind.MERCHANT, params["body"])
    if params.get("files"):
        db.session.flush()
        store_attachments(complaint, user, params["files"], message)
    complaint.waiting_on_merchant = False
    return Change({"attachments": len(params.get("files") or ())})


@effect(Action.ADD_EVIDENCE)
def _add_evidence(complaint: Complaint, user: User, params: dict) -> Change:
    attachments = store_attachments(complaint, user, params["files"])
    if _is_consumer(complaint, user):
        complaint.waiting_on_consumer = False
    return Change({"files": [a.original_name for a in attachments]})
