"""Forms of the agreement pages: accept or decline it, confirm the payment, confirm (or not) the
receipt.

They sit on one page, so field names are unique across them. Each knows the parameters of its
workflow action (`params()`).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectChoice, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from complaints.services.agreements import MAX_NOTE, NOT_ARRIVED, RECEIVED
from complaints.workflow import Action


class AcceptAgreementForm(FlaskForm):
    action = Action.ACCEPT_AGREEMENT
    accept_terms = BooleanField(
        _l("I have read the terms and I accept this agreement"),
        validators=[DataRequired(message=_l("Tick the box to accept the agreement."))],
    )

    def params(self) -> dict:
        return {}


class DeclineAgreementForm(FlaskForm):
    action = Action.DECLINE_AGREEMENT
    decline_reason = TextAreaField(
        _l("Why you do not accept it"),
        validators=[
            DataRequired(message=_l("Say why you do not accept the agreement.")),
            Length(max=MAX_NOTE),
        ],
        description=_l(
            "The other party and the mediator read this. The mediation then counts as not settled."
        ),
    )

    def params(self) -> dict:
        return {"reason": self.decline_reason.data}


class PaymentForm(FlaskForm):
    action = Action.CONFIRM_PAYMENT
    paid_note = TextAreaField(
        _l("Note (optional)"),
        validators=[Optional(), Length(max=MAX_NOTE)],
        description=_l("For example how and when it was paid. The consumer sees this."),
    )

    def params(self) -> dict:
        return {"note": self.paid_note.data}


class ReceiptForm(FlaskForm):
    action = Action.CONFIRM_RECEIPT
    receipt_answer = RadioField(
        _l("Did you receive what was agreed?"),
        choices=[
            SelectChoice(RECEIVED, _l("Yes, I received it")),
            SelectChoice(NOT_ARRIVED, _l("No, it did not arrive")),
        ],
        validators=[InputRequired(message=_l("Say whether you received it."))],
    )
    receipt_note = TextAreaField(
        _l("What did not arrive? (needed if it did not arrive)"),
        validators=[Optional(), Length(max=MAX_NOTE)],
    )

    def params(self) -> dict:
        return {"answer": self.receipt_answer.data, "note": self.receipt_note.data}


# The steps by the last part of their URL.
STEP_FORMS: dict[str, type[FlaskForm]] = {
    "accept": AcceptAgreementForm,
    "decline": DeclineAgreementForm,
    "paid": PaymentForm,
    "receipt": ReceiptForm,
}
