"""Forms of the desk: queue filters, search, and one small form per action on a complaint.

Every action form is on the same page, so field names are unique across them (they become the
ids the labels point at). The complaint's version travels in a hidden field named "version",
drawn from the complaint itself, so a page re-shown after a refusal always carries the latest one.
Each action form knows the parameters `apply_action` takes (`params()`).
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    MultipleFileField,
    RadioField,
    SearchField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, Optional, StopValidation
from wtforms.widgets import HiddenInput

from complaints.models import AGENT_OUTCOMES, WaitingOn
from complaints.services.conversation import MAX_BODY
from complaints.services.staff_search import MAX_QUERY_LENGTH
from complaints.web.labels import OUTCOME
from complaints.web.params import MoneyField, chosen_files, within_sane_years


class QueueFilterForm(FlaskForm):
    """Filters of a queue page, read from the query string (GET; no CSRF needed)."""

    class Meta:
        csrf = False

    queue = HiddenField()
    state = SelectField(_l("Status"), default="")
    category_id = SelectField(_l("Category"), default="")
    # Typed, not chosen from a list: a marketplace has thousands of shops.
    merchant_id = StringField(_l("Shop"), default="", description=_l("A shop's name or shop code."))
    assignee_id = SelectField(_l("Handled by"), default="")
    sort = SelectField(_l("Order"), default="due")

    def drop_invalid(self) -> None:
        """Validate, then forget any value not among the choices: a stale or hand-made link
        shows the unfiltered queue rather than an error."""
        self.validate()
        for field in self:
            if field.errors:
                field.data = ""
                field.errors = []


class SavedFilterForm(FlaskForm):
    """Keeping the queue view one looks at under a name. `query` is that view's query string;
    the view reads it through QueueFilterForm again, so only what the queue recognises is kept."""

    filter_name = StringField(
        _l("Save this view as"),
        validators=[DataRequired(), Length(max=80, message=_l("At most 80 characters."))],
        description=_l("Its filters and order, under a name of yours, above the queue."),
    )
    query = HiddenField(validators=[Optional(), Length(max=2000)])


class SavedFilterDeleteForm(FlaskForm):
    """Forgetting one of one's saved filters (CSRF only); `query`: the queue view to go back to."""

    query = HiddenField(validators=[Optional(), Length(max=2000)])


class SearchForm(FlaskForm):
    """A search and what narrows it, read from the query string (GET; no CSRF needed)."""

    class Meta:
        csrf = False

    q = SearchField(
        _l("Search complaints"),
        validators=[Length(max=MAX_QUERY_LENGTH)],
        description=_l("A complaint reference, an order number, or words from the complaint."),
    )
    state = SelectField(_l("Status"), default="", validate_choice=True)
    shop = StringField(
        _l("Shop"),
        default="",
        validators=[Optional(), Length(max=200)],
        description=_l("A shop's name or shop code."),
    )
    filed_from = DateField(_l("Filed from"), validators=[Optional(), within_sane_years], format="%Y-%m-%d")
    filed_to = DateField(_l("Filed until"), validators=[Optional(), within_sane_years], format="%Y-%m-%d")


def _body(label, description=None):
    return TextAreaField(
        label, validators=[DataRequired(), Length(max=MAX_BODY)], description=description or ""
    )


class ActionForm(FlaskForm):
    """An action that only adds to the complaint (a message); the version is not checked."""

    version = IntegerField(widget=HiddenInput(), validators=[Optional()])

    def params(self) -> dict:
        return {}


class GuardedActionForm(ActionForm):
    """An action that changes the state or the assignment: it must say which version it saw."""

    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])


class ClaimForm(GuardedActionForm):
    """Taking a complaint: nothing to fill in beyond the version the agent saw."""


class AssignForm(GuardedActionForm):
    assignee_id = SelectField(_l("Assign to"), coerce=int, validators=[InputRequired()])
    handover = TextAreaField(
        _l("Why hand it over?"),
        validators=[Optional(), Length(max=2000, message=_l("At most 2,000 characters."))],
        description=_l("Needed when someone already handles it. Only the platform's staff see it."),
    )

    def params(self) -> dict:
        return {"assignee_id": self.assignee_id.data, "handover": (self.handover.data or "").strip() or None}


class ReplyForm(ActionForm):
    reply_body = _body(_l("Reply to the consumer"), _l("The consumer sees this reply."))
    reply_files = MultipleFileField(
        _l("Attach files (optional)"), description=_l("JPEG, PNG or PDF, at most 10 MB each.")
    )

    def params(self) -> dict:
        return {"body": self.reply_body.data, "files": chosen_files(self.reply_files.data)}


class NoteForm(ActionForm):
    note_body = _body(_l("Internal note"), _l("Only the platform's staff see this note."))

    def params(self) -> dict:
        return {"body": self.note_body.data}


class RequestInfoForm(ActionForm):
    party = RadioField(
        _l("Ask"),
        choices=[
            SelectChoice(WaitingOn.CONSUMER.value, _l("The consumer")),
            SelectChoice(WaitingOn.MERCHANT.value, _l("The shop")),
        ],
        default=WaitingOn.CONSUMER.value,
        validators=[InputRequired()],
    )
    request_body = _body(
        _l("What do you need to know?"),
        _l("The consumer or the shop answers it on their own page; the consumer sees both questions."),
    )

    def params(self) -> dict:
        return {"party": self.party.data, "body": self.request_body.data}


class MerchantAnswerForm(ActionForm):
    answer_body = _body(_l("The merchant's answer"), _l("The consumer sees the merchant's answer."))

    def params(self) -> dict:
        return {"body": self.answer_body.data}


class VerifyForm(GuardedActionForm):
    """Verifying a complaint: nothing to fill in beyond the version the agent saw."""


class RejectForm(GuardedActionForm):
    reason = _body(
        _l("Reason for rejection"), _l("The consumer sees this reason and may appeal the decision once.")
    )

    def params(self) -> dict:
        return {"reason": self.reason.data}


class ResolveForm(GuardedActionForm):
    outcome = SelectField(
        _l("Outcome"),
        choices=[SelectChoice(o.value, OUTCOME[o]) for o in AGENT_OUTCOMES],
        validators=[InputRequired()],
    )
    compensation_amount = MoneyField(
        _l("Compensation (optional)"),
        validators=[Optional()],
        description=_l("The amount the consumer receives, if any."),
    )
    resolve_note = TextAreaField(_l("What was decided"), validators=[Optional(), Length(max=MAX_BODY)])

    def params(self) -> dict:
        return {
            "outcome": self.outcome.data,
            "compensation_amount": self.compensation_amount.data,
            "note": (self.resolve_note.data or "").strip() or None,
        }


class EscalateForm(GuardedActionForm):
    mediation_org_id = SelectField(_l("Mediation organisation"), coerce=int, validators=[InputRequired()])
    escalate_reason = _body(_l("Why mediation?"), _l("The mediator and the consumer see this."))

    def params(self) -> dict:
        return {"mediation_org_id": self.mediation_org_id.data, "reason": self.escalate_reason.data}


class ReclassifyForm(GuardedActionForm):
    category_id = SelectField(_l("What the complaint is about"), coerce=int, validators=[InputRequired()])
    claimed_amount = MoneyField(
        _l("Amount claimed (CNY)"),
        validators=[InputRequired(_l("Give the amount claimed (0 if none)."))],
        description=_l("A larger claim may be a major complaint, with shorter pledged times."),
    )

    def params(self) -> dict:
        return {"category_id": self.category_id.data, "claimed_amount": self.claimed_amount.data}


class MarkDuplicateForm(GuardedActionForm):
    original_reference = StringField(
        _l("Reference of the complaint it repeats"),
        validators=[DataRequired(), Length(max=40)],
        description=_l(
            "An earlier complaint of the same consumer about the same shop, e.g. C-2026-000123. "
            "This one is closed, its pledged times end, and the consumer is told to follow that one."
        ),
    )

    def params(self) -> dict:
        return {"original": (self.original_reference.data or "").strip()}


ACTION_FORMS: dict[str, type[ActionForm]] = {
    "claim": ClaimForm,
    "assign": AssignForm,
    "reply": ReplyForm,
    "note": NoteForm,
    "request_info": RequestInfoForm,
    "merchant_answer": MerchantAnswerForm,
    "verify": VerifyForm,
    "reject": RejectForm,
    "resolve": ResolveForm,
    "escalate": EscalateForm,
    "reclassify": ReclassifyForm,
    "mark_duplicate": MarkDuplicateForm,
}


class BulkForm(FlaskForm):
    """One action for the complaints ticked on a queue page (their references come as `ref`)."""

    ACTION_LABELS = {
        "claim": _l("Take them"),
        "assign": _l("Assign them to"),
        "close": _l("Close them (rejected or withdrawn ones)"),
    }

    bulk_action = SelectField(_l("With the selected complaints"), validators=[InputRequired()])
    bulk_assignee_id = SelectField(_l("Assign to"), default="", validate_choice=True)
    bulk_handover = StringField(
        _l("Why hand them over?"),
        validators=[Optional(), Length(max=2000)],
        description=_l("Needed for complaints someone already handles."),
    )

    def assignee(self) -> int | None:
        value = self.bulk_assignee_id.data
        return int(value) if value and str(value).isdigit() else None

    @staticmethod
    def too_many_message() -> str:
        return _("At most 100 complaints at once.")

    @staticmethod
    def nothing_message() -> str:
        return _("Tick the complaints to act on first.")

    @staticmethod
    def assignee_missing_message() -> str:
        return _("Choose whom to assign them to.")


# --- Canned replies -----------------------------------------------------------------------------


class CannedReplyForm(FlaskForm):
    """A canned reply as a supervisor writes it: a title and a text in each language."""

    title_zh = StringField(_l("Title in Chinese"), validators=[DataRequired(), Length(max=120)])
    title_en = StringField(_l("Title in English"), validators=[DataRequired(), Length(max=120)])
    body_zh = TextAreaField(
        _l("Text in Chinese"),
        validators=[DataRequired(), Length(max=4000)],
        description=_l("Consumers who read Chinese get this text."),
    )
    body_en = TextAreaField(
        _l("Text in English"),
        validators=[DataRequired(), Length(max=4000)],
        description=_l("Consumers who read English get this text."),
    )


class CannedReplyActiveForm(FlaskForm):
    """Offering a canned reply to agents again (1) or no longer (0)."""

    active = HiddenField(validators=[InputRequired(), AnyOf(["0", "1"])])


def _a_reply_chosen(form, field) -> None:
    """The insert needs a choice; unlike InputRequired it does not mark the field required, since
    it sits in the reply form, which is sent without one."""
    if not field.data:
        raise StopValidation(_l("Choose a canned reply to insert."))


class CannedInsertForm(FlaskForm):
    """Insert a canned reply at the end of the reply being written (posted with the reply form
    itself, so what was typed comes along)."""

    canned_reply_id = SelectField(
        _l("Canned reply"),
        validators=[_a_reply_chosen],
        description=_l(
            "Added at the end of your reply, in the consumer's language, with the complaint's details filled in."
        ),
    )
    reply_body = TextAreaField(validators=[Optional(), Length(max=MAX_BODY)])
