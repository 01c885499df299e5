"""The agent and supervisor desk: queues, search, working a complaint."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectChoice

from complaints import participants
from complaints.desk.forms import (
    ACTION_FORMS,
    ActionForm,
    GuardedActionForm,
    QueueFilterForm,
    SavedFilterDeleteForm,
    SavedFilterForm,
    SearchForm,
)
from complaints.services import queue_order, queues, staff_search
from complaints.services import saved_filters as saved_filter_service
from complaints.services import search as search_text
from complaints.services.categories import active_categories
from complaints.services.complaint_view import ComplaintView, load_complaint_view
from complaints.services.decisions import claim_refusal
from complaints.services.errors import ComplaintNotFound, InvalidUpload
from complaints.services.filing import find_shop
from complaints.services.lifecycle import act_on_complaint
from complaints.services.mediation import active_organisations
from complaints.web import agreement_pages, referral_pages
from complaints.web.errors import translated
from complaints.web.guards import STAFF, SUPERVISORS, roles_required
from complaints.web.labels import STATE
from complaints.web.params import parse_id
from complaints.workflow import Action, Refusal, State

bp = Blueprint("desk", __name__, url_prefix="/desk")

TABS = (
    (queues.UNASSIGNED, _l("Unassigned")),
    (queues.MINE, _l("Mine")),
    (queues.OPEN, _l("All open")),
)

DONE = {
    "claim": _l("You now handle this complaint."),
    "assign": _l("The complaint is assigned."),
    "reply": _l("Your reply was sent to the consumer."),
    "note": _l("Your internal note was saved."),
    "request_info": _l("Your request for information was recorded."),
    "merchant_answer": _l("The merchant's answer was recorded."),
    "verify": _l("The complaint is verified."),
    "reject": _l("The complaint is rejected; the consumer has been told why."),
    "resolve": _l("The complaint is resolved."),
    "escalate": _l("The complaint is referred to mediation."),
    "reclassify": _l(
        "The category and amount are corrected; the pledged times follow the policy that now applies."
    ),
    "mark_duplicate": _l(
        "The complaint is closed as a duplicate; the consumer is told which complaint goes on."
    ),
}


# The queue's orders, as the filter offers them and the column headings name them.
SORTS = (
    (queue_order.BY_DUE, _l("Due soonest first")),
    (queue_order.BY_PRIORITY, _l("Most urgent first")),
    (queue_order.OLDEST, _l("Oldest first")),
    (queue_order.NEWEST, _l("Newest first")),
)


def queue_filter_form(formdata=None) -> QueueFilterForm:
    """The queue's filter form read from `formdata` (default: the query string); a value not
    among the choices is dropped (see drop_invalid)."""
    form = QueueFilterForm(formdata=request.args if formdata is None else formdata)
    supervisor = participants.supervises(current_user)
    categories, staff = queues.queue_filter_choices(with_staff=supervisor)
    any_ = SelectChoice("", _("Any"))
    form.state.choices = [SelectChoice("", _("Open states"))] + [
        SelectChoice(s.value, str(STATE[s])) for s in State
    ]
    form.category_id.choices = [any_] + [SelectChoice(str(c.id), _category_name(c)) for c in categories]
    form.assignee_id.choices = [any_, SelectChoice(queues.UNASSIGNED, _("Nobody"))] + [
        SelectChoice(str(u.id), u.name) for u in staff
    ]
    form.sort.choices = [SelectChoice(key, str(name)) for key, name in SORTS]
    if not supervisor:
        del form.assignee_id  # agents work their own and the unassigned; supervisors see who has what
    form.drop_invalid()
    form.shop = None
    if form.merchant_id.data:
        shop = find_shop(form.merchant_id.data, include_inactive=True)
        form.shop = shop
        if shop is None:
            form.merchant_id.errors = [
                _("We could not find that shop. Check its name or shop code on your order.")
            ]
    return form


def _category_name(category) -> str:
    return category.display_name(str(get_locale()))


def queue_filter_of(form: QueueFilterForm) -> queues.QueueFilter:
    queue = form.queue.data if form.queue.data in queues.QUEUES else queues.OPEN
    state, category, merchant = form.state.data, form.category_id.data, form.merchant_id.data
    assignee = form.assignee_id.data if "assignee_id" in form else ""
    return queues.QueueFilter(
        queue=queue,
        state=State(state) if state else None,
        category_id=int(category) if category else None,
        # An unknown shop matches nothing (id 0) rather than silently showing every shop.
        merchant_id=(form.shop.id if form.shop else 0) if merchant else None,
        assignee=None if not assignee else assignee if assignee == queues.UNASSIGNED else int(assignee),
    )


def queue_params(form: QueueFilterForm, filters: queues.QueueFilter, sort: str) -> dict[str, str]:
    """The queue view as its normalised parameters (what a saved filter keeps): a shop by its code."""
    return {
        "queue": filters.queue,
        "state": filters.state.value if filters.state else "",
        "category_id": str(filters.category_id or ""),
        "merchant_id": form.shop.shop_code if form.shop else "",
        "assignee_id": str(filters.assignee or ""),
        "sort": sort,
    }


@bp.get("/")
@roles_required(*STAFF)
def queue():
    return render_queue(queue_filter_form(), request.args)


def render_queue(form: QueueFilterForm, args, save_form=None, status: int = 200):
    """The queue page for the filter `form` read from `args` (the query string, or the query a
    refused save sent), with the viewer's saved filters and the form that saves this view."""
    filters = queue_filter_of(form)
    sort = queue_order.effective_sort(filters, form.sort.data)
    after = args.get("after")
    page = queue_order.sorted_queue_page(current_user, filters, sort, after)
    kept = {k: v for k, v in args.items() if k not in ("after", "sort") and v}
    next_url = url_for("desk.queue", **kept, sort=sort, after=page.next_cursor) if page.next_cursor else None
    first_url = url_for("desk.queue", **kept, sort=sort) if after else None
    sort_urls = {key: url_for("desk.queue", **kept, sort=key) for key, _name in SORTS}
    current = saved_filter_service.canonical_query(queue_params(form, filters, sort))
    if save_form is None:
        save_form = SavedFilterForm(formdata=None, query=current)
    body = render_template(
        "desk/queue.html",
        form=form,
        bulk=_bulk.bulk_form(),
        filters=filters,
        sort=sort,
        sort_name=dict(SORTS)[sort],
        sort_urls=sort_urls,
        tabs=TABS,
        page=page,
        next_url=next_url,
        first_url=first_url,
        saved=saved_filter_service.saved_filters(current_user),
        current_query=current,
        save_form=save_form,
        delete_form=SavedFilterDeleteForm(formdata=None, query=current),
    )
    return body, status


@bp.get("/at-risk")
@roles_required(*SUPERVISORS)
def at_risk():
    page = queues.at_risk_page(current_user, request.args.get("after"))
    return _pledge_view("at_risk", page)


@bp.get("/breached")
@roles_required(*SUPERVISORS)
def breached():
    page = queues.breached_page(current_user, request.args.get("after"))
    return _pledge_view("breached", page)


def _pledge_view(view: str, page: queues.QueuePage):
    endpoint = f"desk.{view}"
    next_url = url_for(endpoint, after=page.next_cursor) if page.next_cursor else None
    first_url = url_for(endpoint) if request.args.get("after") else None
    return render_template(
        "desk/pledges.html", view=view, tabs=TABS, page=page, next_url=next_url, first_url=first_url
    )


@bp.get("/search")
@roles_required(*STAFF)
def search():
    form = SearchForm(formdata=request.args)
    form.state.choices = [SelectChoice("", _("Any"))] + [SelectChoice(s.value, str(STATE[s])) for s in State]
    results, status = None, 200
    valid = form.validate()
    shop = find_shop(form.shop.data, include_inactive=True) if form.shop.data else None
    if form.shop.data and shop is None:
        form.shop.errors = [_("We could not find that shop. Check its name or shop code on your order.")]
        valid = False
    if not valid:
        status = 400
    elif (form.q.data or "").strip():
        filters = staff_search.SearchFilters(
            state=State(form.state.data) if form.state.data else None,
            merchant_id=shop.id if shop else None,
            filed_from=form.filed_from.data,
            filed_to=form.filed_to.data,
        )
        results = staff_search.search(
            current_user, form.q.data, parse_id(request.args.get("page")) or 1, filters
        )
    next_url = None
    if results and results.has_next:
        args = {k: v for k, v in request.args.items() if k != "page" and v}
        next_url = url_for("desk.search", **args, page=results.page + 1)
    body = render_template(
        "desk/search.html",
        form=form,
        results=results,
        next_url=next_url,
        highlight=search_text.highlight,
        snippet=search_text.snippet,
        narrowed=any(request.args.get(k) for k in ("state", "shop", "filed_from", "filed_to")),
    )
    return body, status


def _with_choices(form: ActionForm, *, organisations: bool = True) -> ActionForm:
    """`form` with its selects' choices. organisations: False when the caller offers the
    organisations itself (referral_pages.offer_organisations, with the proposal)."""
    if hasattr(form, "assignee_id"):
        form.assignee_id.choices = [SelectChoice(u.id, u.name) for u in queues.assignable_staff()]
    if organisations and hasattr(form, "mediation_org_id"):
        locale = str(get_locale())
        form.mediation_org_id.choices = [
            SelectChoice(o.id, o.in_locale(locale)) for o in active_organisations()
        ]
    if hasattr(form, "category_id"):
        form.category_id.choices = [SelectChoice(c.id, _category_name(c)) for c in active_categories()]
    return form


def render_complaint_page(
    view: ComplaintView,
    status: int = 200,
    failed: str | None = None,
    failed_form: ActionForm | None = None,
    refusal: str | None = None,
    kept: dict[str, ActionForm] | None = None,
    canned=None,
):
    """The staff page of a complaint with a form for each action staff may take now.

    failed / failed_form: the action that was refused and its form as sent, shown again with
    what the person typed; `refusal` says why.
    kept: forms to show as they are (a reply with a canned reply inserted), without a refusal.
    canned: the composer's canned-reply picker as sent (with its error), else a fresh one.
    """
    forms = {}
    for name, form_class in ACTION_FORMS.items():
        if name == "claim" and claim_refusal(view.complaint, current_user):
            continue  # not offered: it would be refused
        if view.can(name):
            if name == failed and failed_form is not None:
                forms[name] = failed_form
            elif kept and name in kept:
                forms[name] = kept[name]
            else:  # a fresh form, starting from the complaint as it is now
                fresh = form_class(formdata=None, **_current_values(view.complaint))
                forms[name] = _with_choices(fresh, organisations=False)
                if hasattr(forms[name], "mediation_org_id"):  # the proposal chosen, changeable
                    referral_pages.offer_organisations(
                        forms[name].mediation_org_id, view.complaint, str(get_locale())
                    )
    if "reply" in forms and canned is None:
        canned = _canned.canned_form()
    body = render_template(
        "desk/complaint.html",
        view=view,
        c=view.complaint,
        forms=forms,
        failed=failed,
        refusal=refusal,
        canned=canned,
    )
    return body, status


def _current_values(complaint) -> dict:
    return {
        "assignee_id": complaint.assignee_id,
        "category_id": complaint.category_id,
        "claimed_amount": complaint.claimed_amount,
    }


@bp.get("/complaints/<reference>")
@roles_required(*STAFF)
def complaint(reference: str):
    view = load_complaint_view(current_user, reference)
    if view is None:
        abort(404)
    return render_complaint_page(view)


@bp.post("/complaints/<reference>/<action>")
@roles_required(*STAFF)
def act(reference: str, action: str):
    form_class = ACTION_FORMS.get(action)
    if form_class is None:
        abort(404)
    form = _with_choices(form_class())
    if not form.validate_on_submit():
        return _refused(reference, action, form, status=400)
    guarded = isinstance(form, GuardedActionForm)
    try:
        # The version is compared before the workflow is asked: someone who acted on an old page
        # learns that the complaint changed, rather than why their action no longer fits.
        act_on_complaint(
            current_user,
            reference,
            Action(action),
            form.version.data if guarded else None,
            **form.params(),
        )
    except ComplaintNotFound:
        abort(404)
    except Refusal as refusal:
        return _refused(reference, action, form, status=409, message=translated(refusal))
    except InvalidUpload as invalid:
        form.reply_files.errors = [translated(invalid)]
        return _refused(reference, action, form, status=400)
    flash(str(DONE[action]), "success")
    return redirect(url_for("desk.complaint", reference=reference))


def _refused(reference: str, action: str, form: ActionForm, status: int, message: str | None = None):
    view = load_complaint_view(current_user, reference)
    if view is None:
        abort(404)
    return render_complaint_page(view, status=status, failed=action, failed_form=form, refusal=message)


# The bulk actions and the canned replies live beside the views; importing them registers their routes.
from complaints.desk import bulk as _bulk  # noqa: E402,F401
from complaints.desk import canned as _canned  # noqa: E402
from complaints.desk import saved_filters as _saved_filters  # noqa: E402,F401

# The agreement of a settled mediation: its page, its PDF and the payment when the platform pays.
agreement_pages.register(bp, STAFF)

# A referral to mediation: staff record the answer a shop gave them (a shop without an account).
referral_pages.register(bp, STAFF)
