"""The shop's portal: complaints against my shop, the platform's questions, my replies and offers."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectChoice

from complaints.merchant.forms import ACTION_FORMS, ShopSearchForm
from complaints.models import MessageKind, Role
from complaints.services import search as search_text
from complaints.services import staff_search
from complaints.services.complaint_view import ComplaintView, load_complaint_view
from complaints.services.errors import ComplaintNotFound, InvalidUpload
from complaints.services.lifecycle import act_on_complaint
from complaints.services.shop_desk import DECIDED, OPEN, shop_page
from complaints.web import agreement_pages, referral_pages
from complaints.web.errors import translated
from complaints.web.guards import roles_required
from complaints.web.labels import STATE
from complaints.web.params import chosen_files, parse_id
from complaints.workflow import Action, Refusal, State

bp = Blueprint("merchant", __name__, url_prefix="/merchant")

TABS = ((OPEN, _l("Open")), (DECIDED, _l("Decided")))

ACTIONS = {"answer": Action.MERCHANT_ANSWER, "message": Action.REPLY, "offer": Action.PROPOSE_SETTLEMENT}
FILE_FIELDS = {"answer": "answer_files", "message": "message_files"}

DONE = {
    "answer": _l("Your answer was sent to the platform."),
    "message": _l("Your message was sent to the consumer."),
    "offer": _l("Your offer was sent to the consumer, who can accept or decline it."),
}


@bp.get("/")
@roles_required(Role.MERCHANT)
def complaints():
    tab = request.args.get("tab", OPEN)
    if tab not in (OPEN, DECIDED):
        tab = OPEN
    cursor = request.args.get("after")
    page = shop_page(current_user, tab, cursor)
    next_url = url_for("merchant.complaints", tab=tab, after=page.next_cursor) if page.next_cursor else None
    first_url = url_for("merchant.complaints", tab=tab) if cursor else None
    return render_template(
        "merchant/complaints.html", tab=tab, tabs=TABS, page=page, next_url=next_url, first_url=first_url
    )


@bp.get("/search")
@roles_required(Role.MERCHANT)
def search():
    """The desk's search (a reference, an order number or words), in the shop's complaints only:
    the search reads through the merchant's scoped query."""
    form = ShopSearchForm(formdata=request.args)
    form.state.choices = [SelectChoice("", _("Any"))] + [SelectChoice(s.value, str(STATE[s])) for s in State]
    results, status = None, 200
    if not form.validate():
        status = 400
    elif (form.q.data or "").strip():
        filters = staff_search.SearchFilters(state=State(form.state.data) if form.state.data else None)
        page = parse_id(request.args.get("page")) or 1
        results = staff_search.search(current_user, form.q.data, page, filters)
    next_url = None
    if results and results.has_next:
        args = {k: v for k, v in request.args.items() if k != "page" and v}
        next_url = url_for("merchant.search", **args, page=results.page + 1)
    body = render_template(
        "merchant/search.html",
        form=form,
        results=results,
        next_url=next_url,
        highlight=search_text.highlight,
        snippet=search_text.snippet,
    )
    return body, status


@bp.get("/complaints/<reference>")
@roles_required(Role.MERCHANT)
def complaint(reference: str):
    view = load_complaint_view(current_user, reference)
    if view is None:
        abort(404)
    return _render(view)


@bp.post("/complaints/<reference>/<action>")
@roles_required(Role.MERCHANT)
def act(reference: str, action: str):
    form_class = ACTION_FORMS.get(action)
    if form_class is None:
        abort(404)
    form = form_class()
    if not form.validate_on_submit():
        return _refused(reference, action, form, status=400)
    params = form.params()
    if "files" in params:
        params["files"] = chosen_files(params["files"])
    try:
        act_on_complaint(current_user, reference, ACTIONS[action], None, **params)
    except ComplaintNotFound:
        abort(404)
    except InvalidUpload as refused:
        files = getattr(form, FILE_FIELDS[action])
        files.errors = [*files.errors, translated(refused)]
        return _refused(reference, action, form, status=400)
    except Refusal as refusal:
        return _refused(reference, action, form, status=409, message=translated(refusal))
    flash(str(DONE[action]), "success")
    return redirect(url_for("merchant.complaint", reference=reference))


def _render(view: ComplaintView, status: int = 200, failed=None, failed_form=None, refusal=None):
    """The complaint page with a form for each action the shop may take now; a refused form is
    shown again with what was typed and why."""
    forms = {}
    for name, form_class in ACTION_FORMS.items():
        if view.can(ACTIONS[name]):
            forms[name] = (
                failed_form if name == failed and failed_form is not None else form_class(formdata=None)
            )
    questions = [m for m in view.messages if m.kind is MessageKind.MERCHANT_QUESTION]
    body = render_template(
        "merchant/complaint.html",
        view=view,
        c=view.complaint,
        forms=forms,
        failed=failed,
        refusal=refusal,
        questions=questions,
    )
    return body, status


def _refused(reference: str, action: str, form: FlaskForm, status: int, message: str | None = None):
    view = load_complaint_view(current_user, reference)
    if view is None:
        abort(404)
    return _render(view, status=status, failed=action, failed_form=form, refusal=message)


# The shop's guarantee deposit is a page of this blueprint; importing it registers it.
from complaints.merchant import deposit  # noqa: E402,F401

# The agreement of a settled mediation: its page, its PDF and the shop's steps.
agreement_pages.register(bp, (Role.MERCHANT,))

# A referral to mediation: the shop's staff consent or decline on its page.
referral_pages.register(bp, (Role.MERCHANT,))
