"""The desk's saved filters: keep the queue view one looks at under a name, or forget one."""

from __future__ import annotations

from urllib.parse import parse_qsl

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from complaints.desk.forms import SavedFilterDeleteForm, SavedFilterForm
from complaints.desk.views import bp, queue_filter_form, queue_filter_of, queue_params, render_queue
from complaints.extensions import db
from complaints.services import queue_order
from complaints.services import saved_filters as service
from complaints.web.errors import translated
from complaints.web.guards import STAFF, roles_required
from complaints.workflow import Refusal


def _query_args(query: str | None) -> MultiDict:
    """The queue parameters a posted query string names (anything else is ignored)."""
    pairs = parse_qsl(query or "", keep_blank_values=False)
    return MultiDict([(key, value) for key, value in pairs if key in service.QUERY_KEYS])


def _queue_url(query: str) -> str:
    return url_for("desk.queue") + (f"?{query}" if query else "")


@bp.post("/saved-filters")
@roles_required(*STAFF)
def save_filter():
    save_form = SavedFilterForm()
    args = _query_args(save_form.query.data)
    form = queue_filter_form(args)
    if not save_form.validate_on_submit():
        return render_queue(form, args, save_form=save_form, status=400)
    if form.merchant_id.errors:  # an unknown shop: the view would list nothing
        save_form.filter_name.errors = [_("Correct the filters before you save them.")]
        return render_queue(form, args, save_form=save_form, status=400)
    filters = queue_filter_of(form)
    params = queue_params(form, filters, queue_order.effective_sort(filters, form.sort.data))
    try:
        saved, new = service.save_filter(current_user, save_form.filter_name.data, params)
    except Refusal as refusal:
        db.session.rollback()
        save_form.filter_name.errors = [translated(refusal)]
        return render_queue(form, args, save_form=save_form, status=400)
    db.session.commit()
    if new:
        flash(_("Saved filter “%(name)s” kept above the queue.", name=saved.name), "success")
    else:
        flash(_("Saved filter “%(name)s” updated.", name=saved.name), "success")
    return redirect(_queue_url(saved.query))


@bp.post("/saved-filters/<filter_id>/delete")
@roles_required(*STAFF)
def delete_filter(filter_id: str):
    form = SavedFilterDeleteForm()
    if not form.validate_on_submit():
        abort(400)
    deleted = service.delete_filter(current_user, filter_id)
    if deleted is None:
        abort(404)
    db.session.commit()
    flash(_("Saved filter “%(name)s” deleted.", name=deleted.name), "success")
    args = _query_args(form.query.data)
    filters_form = queue_filter_form(args)
    filters = queue_filter_of(filters_form)
    params = queue_params(filters_form, filters, queue_order.effective_sort(filters, filters_form.sort.data))
    return redirect(_queue_url(service.canonical_query(params)))
