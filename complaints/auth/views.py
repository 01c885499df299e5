from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    get_template_attribute,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from complaints import participants
from complaints.auth.forms import LanguageForm, LoginForm, RegistrationForm
from complaints.extensions import db, limiter
from complaints.participants import home_url
from complaints.services.accounts import AccountLocked, authenticate, register_consumer
from complaints.web.errors import translated
from complaints.web.params import safe_next
from complaints.workflow import Refusal

bp = Blueprint("auth", __name__)


@bp.get("/")
def index():
    if current_user.is_authenticated and participants.of(current_user).home:
        return redirect(home_url(current_user))
    return render_template("auth/index.html")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def login():
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        try:
            user = authenticate(form.email.data, form.password.data)
        except AccountLocked as locked:
            db.session.commit()
            form.password.errors.append(_(locked.template, until=format_datetime(locked.until, "short")))
            return render_template("auth/login.html", form=form), 429
        db.session.commit()  # failed attempts count
        if user is None:
            form.password.errors.append(_("Email or password is wrong."))
        else:
            session.clear()  # a fresh session id on every sign-in
            login_user(user, remember=form.remember.data)
            db.session.commit()
            return redirect(safe_next(form.next.data) or home_url(user))
    status = 400 if form.errors else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    current_user.end_sessions()  # a copied cookie stops working too
    db.session.commit()
    session.clear()
    logout_user()  # after clear(): it marks the remember-me cookie for deletion
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("5 per minute", methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(home_url(current_user))
    form = RegistrationForm()
    if form.validate_on_submit():
        try:
            user = register_consumer(
                email=form.email.data,
                name=form.name.data,
                password=form.password.data,
                locale=session.get("locale"),
            )
        except Refusal as refusal:
            target = form.email if "email" in refusal.template else form.password
            target.errors.append(translated(refusal))
        else:
            db.session.commit()
            session.clear()
            login_user(user)
            flash(_("Welcome, %(name)s. Your account is ready.", name=user.name), "success")
            return redirect(url_for("portal.my_complaints"))
    status = 400 if form.errors else 200
    return render_template("auth/register.html", form=form), status


@bp.post("/language")
def language():
    form = LanguageForm()
    if not form.validate_on_submit():
        abort(400)
    session["locale"] = form.locale.data
    if current_user.is_authenticated:
        current_user.locale = form.locale.data
        db.session.commit()
    return redirect(safe_next(form.next.data) or url_for("auth.index"))


@bp.get("/notifications")
@login_required
def notifications():
    from complaints.services import notifications as outbox

    items = outbox.recent(current_user)
    references = _references_of(items)
    return render_template(
        "auth/notifications.html", items=items, references=references, said=_sentences(items)
    )


def _sentences(items) -> dict[int, tuple[str, str]]:
    """What each notification says, and its next pledged date, in the reader's language and zone.

    The e-mails' macros are called from here, not from the page: a macro of a plain-text template
    called from an HTML one would have its output marked safe unescaped (names come from people).
    Called from Python it returns plain text, which the page escapes."""
    sentence = get_template_attribute("email/_notification.txt", "sentence")
    next_date = get_template_attribute("email/_notification.txt", "next_date")
    return {n.id: (sentence(n, _viewers_instant), next_date(n, _viewers_instant)) for n in items}


@bp.post("/notifications/<int:notification_id>")
@login_required
def notification_open(notification_id: int):
    """Opening a notification marks it read and goes to its complaint (in the reader's area).
    A POST: reading a page never changes anything."""
    from complaints.services import notifications as outbox

    notification = outbox.mark_read(current_user, notification_id)
    if notification is None:
        abort(404)
    db.session.commit()
    reference = _references_of([notification]).get(notification.complaint_id)
    target = participants.complaint_url(current_user, reference) if reference else None
    return redirect(target or url_for("auth.notifications"))


@bp.post("/notifications/read")
@login_required
def notifications_read():
    from complaints.services import notifications as outbox

    outbox.mark_all_read(current_user)
    db.session.commit()
    return redirect(url_for("auth.notifications"))


def _viewers_instant(value) -> str:
    """An instant kept in a notification (ISO text or datetime), in the viewer's zone."""
    from complaints.services.notifications import instant

    moment = instant(value)
    return format_datetime(moment, "medium") if moment else ""


def _references_of(items) -> dict[int, str]:
    """Links only to complaints the reader may open, through their scoped query."""
    from complaints.participants import visible_complaints

    ids = {n.complaint_id for n in items if n.complaint_id}
    if not ids:
        return {}
    from complaints.models import Complaint

    query = visible_complaints(current_user).where(Complaint.id.in_(ids))
    return {c.id: c.reference for c in db.session.scalars(query)}


from complaints.auth import account, invitations  # noqa: E402,F401
