"""Forms of the shop's portal: answer the platform, write to the consumer, offer a settlement.

All three are on one page, so field names are unique across them (they become the ids the labels
point at). Each form knows the parameters `apply_action` takes (`params()`).
"""

from __future__ import annotations

from datetime import datetime, time

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import DateField, RadioField, SearchField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from complaints.mediation.forms import viewer_time_to_utc
from complaints.models import SettlementKind
from complaints.portal.forms import EVIDENCE_TYPES
from complaints.services.conversation import MAX_BODY
from complaints.services.settlements import MAX_TERMS
from complaints.services.staff_search import MAX_QUERY_LENGTH
from complaints.web.labels import SETTLEMENT_KIND
from complaints.web.params import MoneyField, within_sane_years

END_OF_DAY = time(23, 59)


def _files(label) -> MultipleFileField:
    return MultipleFileField(label, render_kw={"accept": EVIDENCE_TYPES})


class AnswerForm(FlaskForm):
    answer_body = TextAreaField(
        _l("Your answer to the platform"),
        validators=[
            DataRequired(_l("Write your answer.")),
            Length(max=MAX_BODY, message=_l("A message can be at most 10,000 characters.")),
        ],
        description=_l("The platform's staff and the consumer see your answer."),
    )
    answer_files = _files(_l("Evidence (optional): photos or PDF, such as a shipping record"))

    def params(self) -> dict:
        return {"body": self.answer_body.data, "files": self.answer_files.data or []}


class MessageForm(FlaskForm):
    message_body = TextAreaField(
        _l("Message to the consumer"),
        validators=[
            DataRequired(_l("Write a message.")),
            Length(max=MAX_BODY, message=_l("A message can be at most 10,000 characters.")),
        ],
        description=_l("The consumer and the platform's staff see this message."),
    )
    message_files = _files(_l("Attach files (optional)"))

    def params(self) -> dict:
        return {"body": self.message_body.data, "files": self.message_files.data or []}


class OfferForm(FlaskForm):
    offer_kind = RadioField(
        _l("What do you offer?"),
        choices=[SelectChoice(kind.value, SETTLEMENT_KIND[kind]) for kind in SettlementKind],
        validators=[InputRequired(message=_l("Choose what you offer."))],
    )
    offer_amount = MoneyField(
        _l("Amount in yuan"),
        validators=[Optional()],
        description=_l("Required for a refund or compensation."),
    )
    offer_terms = TextAreaField(
        _l("What exactly will you do?"),
        validators=[
            DataRequired(_l("Say what you will do.")),
            Length(max=MAX_TERMS, message=_l("At most 2,000 characters.")),
        ],
        description=_l("For example: full refund to the original payment, no need to return the goods."),
    )
    offer_by = DateField(
        _l("Done by"),
        validators=[InputRequired(message=_l("Give the date by which you will do it.")), within_sane_years],
        description=_l("At most 90 days from today. The consumer sees this date."),
    )

    def params(self) -> dict:
        by = self.offer_by.data
        return {
            "kind": self.offer_kind.data,
            "amount": self.offer_amount.data,
            "terms": self.offer_terms.data,
            "perform_by": viewer_time_to_utc(datetime.combine(by, END_OF_DAY)) if by else None,
        }


class ShopSearchForm(FlaskForm):
    """A search in the shop's own complaints, read from the query string (GET; no CSRF needed)."""

    class Meta:
        csrf = False

    q = SearchField(
        _l("Search my shop's complaints"),
        validators=[Length(max=MAX_QUERY_LENGTH)],
        description=_l("A complaint reference, an order number, or words from the complaint."),
    )
    state = SelectField(_l("Status"), default="", validate_choice=True)


ACTION_FORMS: dict[str, type[FlaskForm]] = {
    "answer": AnswerForm,
    "message": MessageForm,
    "offer": OfferForm,
}
