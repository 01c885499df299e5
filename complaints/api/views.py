"""The JSON API under /api/v1 (flask-smorest). Thin: authenticate the client, resolve whom it acts
for, parse input, call one service, serialise. Visibility and actions are the web's own:
participants' scoped queries and lifecycle.act_on_complaint; filing goes through services.filing."""

from __future__ import annotations

import hashlib
import json

from flask import current_app, g, request
from flask.views import MethodView
from flask_smorest import Blueprint

from complaints import participants
from complaints.api import problems
from complaints.api.problems import ApiProblem
from complaints.api.schemas import (
    ActionIn,
    AttachmentOut,
    ClockOut,
    ComplaintOut,
    ComplaintPage,
    EventOut,
    ListQuery,
    MessageOut,
    NewComplaint,
    NewMessage,
    OfferOut,
    ReputationMonthOut,
    ScorecardOut,
)
from complaints.bounds import parse_id
from complaints.extensions import csrf, db, limiter
from complaints.models import Complaint, User
from complaints.services import api_clients, filing, reputation, scorecard
from complaints.services.attachments import Upload
from complaints.services.complaint_view import load_complaint_view
from complaints.services.lifecycle import act_on_complaint
from complaints.workflow import Action, Refusal

bp = Blueprint("api", __name__, url_prefix="/api/v1", description="PledgeDesk's integration API")
csrf.exempt(bp)
problems.register(bp)
ACTING_FOR = "PledgeDesk-Acting-For"
PUBLIC_ENDPOINTS = {"api.scorecard_figures", "api.docs"}
_AUTH = [{"bearerAuth": []}]
IDEMPOTENCY_KEY = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": True,
    "description": "Chosen by the client per complaint; a retry with the same key files nothing new.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"},
}


def _client_key() -> str:
    """Requests are counted per token (the limit check runs before authentication), and
    requests without one per address."""
    secret = request.headers.get("Authorization", "").partition(" ")[2].strip()
    if secret:
        return "api-token:" + hashlib.sha256(secret.encode()).hexdigest()[:32]
    return f"api-address:{request.remote_addr}"


limiter.limit(lambda: current_app.config.get("API_RATE_LIMIT", "120/minute"), key_func=_client_key)(bp)


@bp.before_request
def _authenticate():
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    client = api_clients.authenticate(secret.strip()) if scheme.lower() == "bearer" else None
    if client is None:
        return problems.problem(
            401, "invalid_token", "Send a live API token as 'Authorization: Bearer <token>'."
        )
    g.api_client = client
    return None


def _needs(scope: str) -> None:
    if scope not in g.api_client.scopes:
        raise ApiProblem(403, "missing_scope", f"This client lacks the scope {scope}.", scope=scope)


def _acting_user() -> User:
    acting = api_clients.acting_for(g.api_client, request.headers.get(ACTING_FOR))
    if acting.user is not None:
        return acting.user
    if acting.problem == "missing":
        raise ApiProblem(
            400, "acting_for_required", f"Say whom the client acts for in the {ACTING_FOR} header."
        )
    if acting.problem == "malformed":
        raise ApiProblem(
            400, "acting_for_malformed", f"{ACTING_FOR} is consumer:<user id> or merchant:<user id>."
        )
    raise ApiProblem(403, "acting_for_forbidden", "This client may not act for that person.")


def _view(user: User, reference: str):
    view = load_complaint_view(user, reference) if len(reference) <= 20 else None
    if view is None:
        raise ApiProblem(404, "complaint_not_found", "No such complaint, or not one you may see.")
    return view


@bp.route("/complaints")
class Complaints(MethodView):
    @bp.doc(security=_AUTH, parameters=[IDEMPOTENCY_KEY])
    @bp.arguments(NewComplaint, error_status_code=400)
    @bp.response(201, ComplaintOut)
    @bp.alt_response(200, schema=ComplaintOut, description="A retried request: the complaint filed first.")
    def post(self, data):
        """File a complaint for the consumer the client acts for (at most once per Idempotency-Key)."""
        _needs("complaints:write")
        user = _acting_user()
        if user.role.value != "consumer":
            raise ApiProblem(403, "consumers_only", "Only a consumer files a complaint.")
        key = request.headers.get("Idempotency-Key", "").strip()
        if not key or len(key) > api_clients.MAX_KEY:
            raise ApiProblem(
                400, "idempotency_key_required", "Send an Idempotency-Key header (1-255 characters)."
            )
        fingerprint = hashlib.sha256(
            json.dumps({"for": user.id, **data}, sort_keys=True, default=str).encode()
        ).hexdigest()
        draft = filing.ComplaintDraft(**data)
        try:
            complaint, created = api_clients.file_once(g.api_client, user, key, fingerprint, draft)
        except api_clients.IdempotencyMismatch as reused:
            raise ApiProblem(409, "idempotency_key_reused", reused.message) from reused
        except Refusal as refused:  # an unknown or inactive shop or category, and the like
            raise ApiProblem(400, "complaint_refused", refused.message) from refused
        return complaint, 201 if created else 200

    @bp.doc(security=_AUTH)
    @bp.arguments(ListQuery, location="query", error_status_code=400)
    @bp.response(200, ComplaintPage)
    def get(self, query):
        """The complaints the acting person sees, newest first; pass next_cursor to go on."""
        _needs("complaints:read")
        user = _acting_user()
        stmt = participants.visible_complaints(user).order_by(Complaint.id.desc())
        if "state" in query:
            stmt = stmt.where(Complaint.state == query["state"])
        if "merchant_id" in query:
            stmt = stmt.where(Complaint.merchant_id == query["merchant_id"])
        if "cursor" in query:
            after = parse_id(query["cursor"])
            if after is None:
                raise ApiProblem(400, "invalid_cursor", "The cursor is not one this API gave.")
            stmt = stmt.where(Complaint.id < after)
        rows = list(db.session.scalars(stmt.limit(query["limit"] + 1)))
        more = len(rows) > query["limit"]
        rows = rows[: query["limit"]]
        return {"items": rows, "next_cursor": str(rows[-1].id) if more else None}


@bp.route("/complaints/<string:reference>")
@bp.doc(security=_AUTH)
@bp.response(200, ComplaintOut)
def complaint(reference):
    """One complaint."""
    _needs("complaints:read")
    return _view(_acting_user(), reference).complaint


@bp.route("/complaints/<string:reference>/messages")
class Messages(MethodView):
    @bp.doc(security=_AUTH)
    @bp.response(200, MessageOut(many=True))
    def get(self, reference):
        """The messages the acting person sees."""
        _needs("complaints:read")
        return _view(_acting_user(), reference).messages

    @bp.doc(security=_AUTH)
    @bp.arguments(NewMessage, error_status_code=400)
    @bp.response(201, ComplaintOut)
    def post(self, data, reference):
        """Post a public reply (the workflow's reply action)."""
        _needs("complaints:write")
        user = _acting_user()
        _view(user, reference)
        return act_on_complaint(
            user, reference, Action.REPLY, data.get("version"), body=data["body"], files=[]
        )


@bp.route("/complaints/<string:reference>/offers")
@bp.doc(security=_AUTH)
@bp.response(200, OfferOut(many=True))
def offers(reference):
    """The shop's offers to settle, newest first; answer one with accept_settlement or
    decline_settlement and its id."""
    _needs("complaints:read")
    return _view(_acting_user(), reference).offers


_FILES = {
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {"file": {"type": "array", "items": {"type": "string", "format": "binary"}}},
            }
        }
    }
}


@bp.route("/complaints/<string:reference>/attachments")
class Attachments(MethodView):
    @bp.doc(security=_AUTH)
    @bp.response(200, AttachmentOut(many=True))
    def get(self, reference):
        """The complaint's evidence the acting person sees."""
        _needs("complaints:read")
        return _view(_acting_user(), reference).evidence

    @bp.doc(security=_AUTH, requestBody=_FILES)
    @bp.response(201, AttachmentOut(many=True))
    def post(self, reference):
        """Add evidence (multipart `file`, one or more): checked as on the web (its real type, size,
        how many at once) before any is kept; the workflow's add_evidence action."""
        _needs("complaints:write")
        user = _acting_user()
        view = _view(user, reference)
        uploads = [Upload(f.filename or "", f.read()) for f in request.files.getlist("file")]
        if not uploads:
            raise ApiProblem(
                400,
                "invalid_input",
                "Send the files as multipart field 'file'.",
                errors={"file": ["Required."]},
            )
        before = {a.id for a in view.attachments}
        act_on_complaint(user, reference, Action.ADD_EVIDENCE, None, files=uploads)
        return [a for a in _view(user, reference).evidence if a.id not in before], 201


@bp.route("/shops/<int:merchant_id>/reputation")
@bp.doc(security=_AUTH)
@bp.response(200, ReputationMonthOut(many=True))
def shop_reputation(merchant_id):
    """A shop's scored months, oldest first, for its own staff (the client acting for one)."""
    _needs("complaints:read")
    user = _acting_user()
    if not participants.sees_reputation_of(user, merchant_id):
        raise ApiProblem(404, "shop_not_found", "No such shop, or not one whose reputation you may see.")
    return reputation.history(merchant_id)


@bp.route("/complaints/<string:reference>/actions", methods=["POST"])
@bp.doc(security=_AUTH)
@bp.arguments(ActionIn, error_status_code=400)
@bp.response(200, ComplaintOut)
def action(data, reference):
    """Take an action: withdraw (reason), confirm (rating 1-5, comment), dispute (reason,
    mediation_org_id), reply (body); a shop's merchant_answer (body) and propose_settlement (kind,
    amount, terms, perform_by). The workflow refuses what the acting person may not do now (409)."""
    _needs("complaints:write")
    user = _acting_user()
    params = {k: v for k, v in data.items() if k not in ("action", "version")}
    if "body" in params:
        params.setdefault("files", [])
    for required in _REQUIRED.get(data["action"], ()):
        if required not in params:
            raise ApiProblem(
                400, "invalid_input", f"{required} is required.", errors={required: ["Required."]}
            )
    return act_on_complaint(user, reference, Action(data["action"]), data.get("version"), **params)


_REQUIRED = {
    "accept_settlement": ("offer_id",),
    "decline_settlement": ("offer_id", "reason"),
    "confirm": ("rating",),
    "dispute": ("reason", "mediation_org_id"),
    "reply": ("body",),
    "merchant_answer": ("body",),
    "propose_settlement": ("kind", "terms", "perform_by"),
}


@bp.route("/complaints/<string:reference>/clocks")
@bp.doc(security=_AUTH)
@bp.response(200, ClockOut(many=True))
def clocks(reference):
    """The pledge's clocks on the complaint: due, used, paused, left or over, in seconds."""
    _needs("complaints:read")

    def seconds(delta):
        return None if delta is None else int(delta.total_seconds())

    return [
        {
            "kind": c.kind.value,
            "state": str(c.state.value if hasattr(c.state, "value") else c.state),
            "started_at": c.started_at,
            "due_at": c.due_at,
            "stopped_at": c.stopped_at,
            "used_seconds": seconds(c.used),
            "paused_seconds": seconds(c.paused),
            "left_seconds": seconds(c.left),
            "over_seconds": seconds(c.over),
        }
        for c in _view(_acting_user(), reference).clocks
    ]


@bp.route("/complaints/<string:reference>/timeline")
@bp.doc(security=_AUTH)
@bp.response(200, EventOut(many=True))
def timeline(reference):
    """The events on the complaint the acting person sees, oldest first, with their chained hashes."""
    _needs("complaints:read")
    return _view(_acting_user(), reference).events


@bp.route("/scorecard")
@bp.response(200, ScorecardOut)
def scorecard_figures():
    """The public pledge scorecard's figures."""
    card = scorecard.scorecard()

    def periods(rows):
        return [
            {
                "kind": row.period.kind,
                "number": row.period.number,
                "first": row.period.first,
                "last": row.period.last,
                "measures": [
                    {
                        "figure": key,
                        "value": m.value,
                        "count": m.count,
                        "kept": m.kept,
                        "missed": m.missed,
                        "falls_short": m.falls_short,
                    }
                    for key, m in row.measures.items()
                ],
            }
            for row in rows
        ]

    return {
        "computed_at": card.computed_at,
        "mediation_floor_percent": card.floor,
        "recent": periods(card.recent),
        "quarters": periods(card.quarters),
        "months": periods(card.months),
    }
