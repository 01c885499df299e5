"""The desk's canned replies: supervisors write and retire them; agents insert one into a reply.

Inserting works without JavaScript: the reply form's "Insert" button posts the form (what was
typed included) here, and the complaint page comes back with the reply box holding the typed
text and the canned reply after it. static/canned-replies.js does the same in place, asking this
view for the text alone (JSON), so files already chosen stay chosen.
"""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from complaints.desk.forms import CannedInsertForm, CannedReplyActiveForm, CannedReplyForm, ReplyForm
from complaints.desk.views import bp, render_complaint_page
from complaints.extensions import db
from complaints.services import canned_replies as canned
from complaints.services.administration import InvalidField
from complaints.services.complaint_view import load_complaint_view
from complaints.web.errors import translated
from complaints.web.guards import STAFF, SUPERVISORS, roles_required


def canned_form(formdata=None) -> CannedInsertForm:
    """The composer's canned-reply picker, its choices the active canned replies by their title
    in the viewer's language. formdata None: a fresh picker (nothing read from the request)."""
    form = CannedInsertForm(formdata=formdata) if formdata is not None else CannedInsertForm(formdata=None)
    locale = str(get_locale())
    form.canned_reply_id.choices = [SelectChoice("", _("Choose a canned reply"))] + [
        SelectChoice(str(canned_id), title) for canned_id, title in canned.offered_titles(locale)
    ]
    return form


@bp.post("/complaints/<reference>/canned-reply")
@roles_required(*STAFF)
def insert_canned_reply(reference: str):
    """The complaint page again, the chosen canned reply added to the reply being written (or,
    asked for JSON by the page's script, the text to add). Changes nothing."""
    view = load_complaint_view(current_user, reference)
    if view is None:
        abort(404)
    wants_json = request.accept_mimetypes.best == "application/json"
    form = canned_form(request.form)
    problem, status, text = None, 400, None
    if not view.can("reply"):
        problem, status = _("No reply can be written on this complaint now."), 409
    elif form.validate_on_submit():
        chosen = canned.find_canned_reply(form.canned_reply_id.data, active_only=True)
        text = canned.reply_text(chosen, view.complaint, current_user) if chosen else None
        if text is None:
            problem = _("That canned reply is no longer offered. Choose another one.")
        elif len(canned.appended(form.reply_body.data, text)) > canned.MAX_BODY:
            problem = _(
                "With this canned reply the reply would be longer than %(max)s characters.",
                max=canned.MAX_BODY,
            )
    else:
        problem = " ".join(str(e) for errors in form.errors.values() for e in errors)
    if problem:
        form.canned_reply_id.errors = [problem]
    if wants_json:
        return (jsonify(error=problem), status) if problem else jsonify(text=text)
    body = form.reply_body.data if problem else canned.appended(form.reply_body.data, text)
    reply = ReplyForm(formdata=None, reply_body=body)
    if problem:
        return render_complaint_page(
            view, status=status, failed="reply", failed_form=reply, refusal=problem, canned=form
        )
    return render_complaint_page(view, kept={"reply": reply}, canned=canned_form())


# --- Managing them (supervisors) --------------------------------------------------------------


@bp.get("/canned-replies")
@roles_required(*SUPERVISORS)
def canned_replies():
    return render_template(
        "desk/canned_replies.html",
        items=canned.canned_replies(active_only=False),
        placeholders=canned.PLACEHOLDERS,
    )


@bp.route("/canned-replies/new", methods=["GET", "POST"])
@roles_required(*SUPERVISORS)
def new_canned_reply():
    form = CannedReplyForm()
    return _save(form, lambda: canned.create_canned_reply(current_user, **_fields(form)), new=True)


@bp.route("/canned-replies/<int:canned_reply_id>", methods=["GET", "POST"])
@roles_required(*SUPERVISORS)
def edit_canned_reply(canned_reply_id: int):
    found = canned.find_canned_reply(canned_reply_id)
    if found is None:
        abort(404)
    form = CannedReplyForm(obj=found)
    return _save(form, lambda: canned.update_canned_reply(found, current_user, **_fields(form)), new=False)


@bp.post("/canned-replies/<int:canned_reply_id>/active")
@roles_required(*SUPERVISORS)
def toggle_canned_reply(canned_reply_id: int):
    found = canned.find_canned_reply(canned_reply_id)
    if found is None:
        abort(404)
    form = CannedReplyActiveForm()
    if not form.validate_on_submit():
        abort(400)
    active = form.active.data == "1"
    canned.set_active(found, current_user, active)
    db.session.commit()
    title = canned.title_in(found, str(get_locale()))
    if active:
        flash(_("Agents are offered “%(title)s” again.", title=title), "success")
    else:
        flash(_("Agents are no longer offered “%(title)s”.", title=title), "success")
    return redirect(url_for("desk.canned_replies"))


def _fields(form: CannedReplyForm) -> dict:
    return {name: form[name].data for name in ("title_zh", "title_en", "body_zh", "body_en")}


def _save(form: CannedReplyForm, save, *, new: bool):
    """Validate `form`, save through the service, commit and go back to the list; or show the
    form again with what was typed and each problem beside its field (400)."""
    if form.validate_on_submit():
        try:
            save()
        except InvalidField as invalid:
            db.session.rollback()
            form[invalid.field].errors.append(translated(invalid))
        else:
            db.session.commit()
            flash(_("The canned reply is saved.") if not new else _("The canned reply is added."), "success")
            return redirect(url_for("desk.canned_replies"))
    status = 400 if form.errors else 200
    body = render_template(
        "desk/canned_reply_form.html", form=form, new=new, placeholders=canned.PLACEHOLDERS
    )
    return body, status
