"""The API's request and response bodies (marshmallow), from which the OpenAPI document is built."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from complaints.models import DesiredOutcome
from complaints.workflow import State

_ID = validate.Range(min=1, max=2_147_483_647)
# Amounts in yuan as decimal strings ("299.00"), in and out: never a binary float.
_MONEY = dict(
    validate=validate.Regexp(r"^[0-9]{1,8}(\.[0-9]{1,2})?$", error="An amount in yuan, e.g. 299.00."),
    metadata={"pattern": "^[0-9]{1,8}(\\.[0-9]{1,2})?$", "example": "299.00"},
)
API_ACTIONS = (
    "withdraw",
    "confirm",
    "dispute",
    "reply",
    "merchant_answer",
    "propose_settlement",
    "accept_settlement",
    "decline_settlement",
)


class NewComplaint(Schema):
    merchant_id = fields.Integer(required=True, strict=True, validate=_ID)
    category_id = fields.Integer(required=True, strict=True, validate=_ID)
    order_reference = fields.String(required=True, validate=validate.Length(min=1, max=64))
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = fields.String(required=True, validate=validate.Length(min=1, max=10_000))
    desired_outcome = fields.String(required=True, validate=validate.OneOf([o.value for o in DesiredOutcome]))
    claimed_amount = fields.String(required=True, **_MONEY)


class ComplaintOut(Schema):
    reference = fields.String(required=True)
    state = fields.String(required=True)
    version = fields.Integer(required=True)
    merchant_id = fields.Integer(required=True)
    category_id = fields.Integer(required=True)
    order_reference = fields.String(required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    desired_outcome = fields.String(required=True)
    claimed_amount = fields.String(
        required=True, metadata={"description": "Yuan, as a decimal string: 299.00"}
    )
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)


class ComplaintPage(Schema):
    items = fields.List(fields.Nested(ComplaintOut), required=True)
    next_cursor = fields.String(allow_none=True, required=True)


class ListQuery(Schema):
    state = fields.String(validate=validate.OneOf([s.value for s in State]))
    merchant_id = fields.Integer(validate=_ID)
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))
    cursor = fields.String(validate=validate.Length(max=40))


class MessageOut(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    body = fields.String(required=True)
    created_at = fields.DateTime(required=True)


class NewMessage(Schema):
    body = fields.String(required=True, validate=validate.Length(min=1, max=10_000))
    version = fields.Integer(validate=_ID)


class ActionIn(Schema):
    action = fields.String(required=True, validate=validate.OneOf(API_ACTIONS))
    version = fields.Integer(validate=_ID)
    reason = fields.String(validate=validate.Length(max=2000))
    body = fields.String(validate=validate.Length(max=10_000))
    rating = fields.Integer(validate=validate.Range(min=1, max=5))
    comment = fields.String(validate=validate.Length(max=2000))
    kind = fields.String(validate=validate.Length(max=32))
    amount = fields.String(**_MONEY)
    terms = fields.String(validate=validate.Length(max=2000))
    perform_by = fields.AwareDateTime()
    mediation_org_id = fields.Integer(
        validate=_ID, metadata={"description": "dispute: the organisation asked"}
    )
    offer_id = fields.Integer(
        validate=_ID, metadata={"description": "accept_settlement, decline_settlement: the shop's offer"}
    )


class ClockOut(Schema):
    kind = fields.String(required=True)
    state = fields.String(required=True)
    started_at = fields.DateTime(required=True)
    due_at = fields.DateTime(required=True)
    stopped_at = fields.DateTime(allow_none=True, required=True)
    used_seconds = fields.Integer(required=True)
    paused_seconds = fields.Integer(required=True)
    left_seconds = fields.Integer(allow_none=True, required=True)
    over_seconds = fields.Integer(allow_none=True, required=True)


class EventOut(Schema):
    id = fields.Integer(required=True)
    action = fields.String(required=True)
    from_state = fields.String(allow_none=True, required=True)
    to_state = fields.String(allow_none=True, required=True)
    created_at = fields.DateTime(required=True)
    hash = fields.String(required=True)


class MeasureOut(Schema):
    figure = fields.String(required=True)
    value = fields.Float(allow_none=True, required=True)
    count = fields.Integer(required=True)
    kept = fields.Integer(required=True)
    missed = fields.Integer(required=True)
    falls_short = fields.Boolean(required=True)


class PeriodOut(Schema):
    kind = fields.String(required=True)
    number = fields.Integer(required=True)
    first = fields.Date(required=True)
    last = fields.Date(required=True)
    measures = fields.List(fields.Nested(MeasureOut), required=True)


class ScorecardOut(Schema):
    computed_at = fields.DateTime(required=True)
    mediation_floor_percent = fields.String(required=True, metadata={"description": "A decimal string: 80"})
    recent = fields.List(fields.Nested(PeriodOut), required=True)
    quarters = fields.List(fields.Nested(PeriodOut), required=True)
    months = fields.List(fields.Nested(PeriodOut), required=True)


class Problem(Schema):
    """RFC 9457 problem details, with a stable `code` per error."""

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    code = fields.String(required=True)
    detail = fields.String(required=True)
    errors = fields.Dict(keys=fields.String(), values=fields.Raw())  # 400: the field errors
    scope = fields.String()  # 403 missing_scope: the scope it lacks


class OfferOut(Schema):
    """A shop's offer to settle, as the consumer and the shop see it."""

    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    amount = fields.Decimal(as_string=True, allow_none=True, required=True)
    terms = fields.String(required=True)
    perform_by = fields.DateTime(required=True)
    status = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    answered_at = fields.DateTime(allow_none=True, required=True)


class AttachmentOut(Schema):
    """A file of evidence: its name as sent, its checked type, size and SHA-256."""

    id = fields.Integer(required=True)
    original_name = fields.String(required=True)
    content_type = fields.String(required=True)
    size = fields.Integer(required=True)
    sha256 = fields.String(required=True)
    created_at = fields.DateTime(required=True)


class ReputationMonthOut(Schema):
    """One scored month of a shop (services/reputation_model.py says how it is scored)."""

    month = fields.Date(required=True)
    score = fields.Decimal(as_string=True, required=True)
    grade = fields.String(required=True)
    complaints = fields.Integer(required=True)
    orders = fields.Integer(allow_none=True, required=True)
    decided = fields.Integer(required=True)
    upheld = fields.Integer(required=True)
    replies_met = fields.Integer(required=True)
    replies_missed = fields.Integer(required=True)
    mediations_concluded = fields.Integer(required=True)
    mediations_settled = fields.Integer(required=True)
