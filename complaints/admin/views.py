"""Administration: users, merchants, categories, mediation organisations."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectChoice

from complaints.admin.forms import (
    CategoryForm,
    MerchantForm,
    NewUserForm,
    OrganisationForm,
    UserActiveForm,
    UserFilterForm,
)
from complaints.bounds import find
from complaints.extensions import db
from complaints.models import Category, MediationOrganisation, Merchant, Role, User
from complaints.services import administration, shop_staff
from complaints.services import organisations as mediation_organisations
from complaints.services.administration import InvalidField, InvalidFields
from complaints.web.errors import translated
from complaints.web.guards import roles_required
from complaints.web.labels import ROLE
from complaints.web.params import parse_id
from complaints.workflow import Refusal

bp = Blueprint("admin", __name__, url_prefix="/admin")

# The session key under which an invitation's link waits to be shown to the admin, once.
NEW_INVITATION = "new_shop_invitation"


def _page_size() -> int:
    return max(1, int(current_app.config["QUEUE_PAGE_SIZE"]))


def _after() -> int | None:
    return parse_id(request.args.get("after"))


def _save(
    form: FlaskForm,
    save: Callable[[], object],
    done: str,
    back: str,
    then: Callable[[], None] | None = None,
    **page,
):
    """Validate `form`, run the use case `save`, commit, and go back to the list `back`.

    A refusal about one field is shown beside it (400); any other refusal above the form (409).
    Shows the form again with what the admin typed when anything is wrong.
    then: what to do once the change is committed (e.g. send an e-mail).
    """
    status, refusal = 200, None
    if form.validate_on_submit():
        try:
            save()
        except (InvalidField, InvalidFields) as invalid:
            db.session.rollback()
            refusal = _place_problems(form, getattr(invalid, "problems", [invalid]))
            status = 409 if refusal else 400
        except Refusal as refused:
            db.session.rollback()
            status, refusal = 409, translated(refused)
        else:
            db.session.commit()
            if then is not None:
                then()
            flash(done, "success")
            return redirect(url_for(back))
    if form.errors:
        status = 400
    body = render_template("admin/form.html", form=form, refusal=refusal, back=back, **page)
    return body, status


def _place_problems(form: FlaskForm, problems: list[InvalidField]) -> str | None:
    """Put each problem beside the field of its name; return those that have no field."""
    loose = []
    for problem in problems:
        field = getattr(form, problem.field, None) if problem.field else None
        if field is None:
            loose.append(translated(problem))
        else:
            field.errors.append(translated(problem))
    return " ".join(loose) or None


# --- Users ----------------------------------------------------------------------------------


def _user_filter() -> tuple[UserFilterForm, Role | None]:
    form = UserFilterForm(formdata=request.args)
    form.role.choices = [SelectChoice("", _("Any role"))] + [
        SelectChoice(r.value, str(ROLE[r])) for r in Role
    ]
    # An unknown role in the address lists everyone rather than showing an error.
    role = form.role.data if form.role.data in {r.value for r in Role} else None
    form.role.data = role or ""
    return form, Role(role) if role else None


def _render_users(status: int = 200, refusal: str | None = None):
    form, role = _user_filter()
    page = administration.list_users(role, _after(), _page_size())
    args = {"role": role.value} if role else {}
    next_url = url_for("admin.users", **args, after=page.next_after) if page.next_after else None
    first_url = url_for("admin.users", **args) if _after() else None
    body = render_template(
        "admin/users.html",
        form=form,
        page=page,
        next_url=next_url,
        first_url=first_url,
        toggle=UserActiveForm(formdata=None),
        refusal=refusal,
    )
    return body, status


@bp.get("/users")
@roles_required(Role.ADMIN)
def users():
    return _render_users()


@bp.route("/users/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new_user():
    form = NewUserForm()
    locale = str(get_locale())
    form.mediation_org_id.choices = [SelectChoice("", _("None"))] + [
        SelectChoice(
            str(o.id), o.in_locale(locale) if o.active else _("%(name)s (inactive)", name=o.in_locale(locale))
        )
        for o in mediation_organisations.list_organisations()
    ]

    def save():
        values = form.values()
        values["role"] = Role(values["role"])
        return administration.create_staff_account(**values, actor=current_user)

    return _save(
        form,
        save,
        _("The account was created."),
        "admin.users",
        title=_("New staff account"),
        submit=_("Create the account"),
    )


@bp.post("/users/<int:user_id>/active")
@roles_required(Role.ADMIN)
def toggle_user(user_id: int):
    user = find(User, user_id)
    if user is None:
        abort(404)
    form = UserActiveForm()
    if not form.validate_on_submit():
        abort(400)
    active = form.active.data == "1"
    try:
        administration.set_user_active(current_user, user, active)
    except Refusal as refusal:
        db.session.rollback()
        return _render_users(status=409, refusal=translated(refusal))
    db.session.commit()
    if active:
        flash(_("%(email)s can sign in again.", email=user.email), "success")
    else:
        flash(_("%(email)s can no longer sign in.", email=user.email), "success")
    return redirect(url_for("admin.users"))


# --- Merchants ------------------------------------------------------------------------------


@bp.get("/merchants")
@roles_required(Role.ADMIN)
def merchants():
    return render_merchants()


def render_merchants(status: int = 200, refusal: str | None = None):
    """The shops, each with its staff and open invitations; and, once, the link of the invitation
    just created (shop_staff.py puts it in the session)."""
    page = administration.list_merchants(_after(), _page_size())
    next_url = url_for("admin.merchants", after=page.next_after) if page.next_after else None
    first_url = url_for("admin.merchants") if _after() else None
    ids = [m.id for m in page.items]
    body = render_template(
        "admin/merchants.html",
        page=page,
        next_url=next_url,
        first_url=first_url,
        staff=shop_staff.staff_of_shops(ids),
        invitations=shop_staff.open_invitations_of_shops(ids),
        invitation_status=shop_staff.status_of,
        new_invitation=session.pop(NEW_INVITATION, None),
        revoke=FlaskForm(formdata=None),
        refusal=refusal,
    )
    return body, status


@bp.route("/merchants/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new_merchant():
    return _reference_form(
        MerchantForm,
        administration.create_merchant,
        _("The shop was added."),
        "admin.merchants",
        title=_("New shop"),
        submit=_("Add the shop"),
    )


@bp.route("/merchants/<int:merchant_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_merchant(merchant_id: int):
    merchant = _get_or_404(Merchant, merchant_id)
    return _reference_form(
        MerchantForm,
        administration.update_merchant,
        _("The shop was saved."),
        "admin.merchants",
        row=merchant,
        title=_("Shop %(code)s", code=merchant.shop_code),
        submit=_("Save"),
    )


# --- Categories -----------------------------------------------------------------------------


@bp.get("/categories")
@roles_required(Role.ADMIN)
def categories():
    return render_template("admin/categories.html", categories=administration.list_categories())


@bp.route("/categories/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new_category():
    return _reference_form(
        CategoryForm,
        administration.create_category,
        _("The category was added."),
        "admin.categories",
        title=_("New category"),
        submit=_("Add the category"),
    )


@bp.route("/categories/<int:category_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_category(category_id: int):
    category = _get_or_404(Category, category_id)
    return _reference_form(
        CategoryForm,
        administration.update_category,
        _("The category was saved."),
        "admin.categories",
        row=category,
        title=_("Category %(code)s", code=category.code),
        submit=_("Save"),
    )


# --- Mediation organisations ----------------------------------------------------------------


@bp.get("/organisations")
@roles_required(Role.ADMIN)
def organisations():
    return render_template(
        "admin/organisations.html", organisations=mediation_organisations.list_organisations()
    )


@bp.route("/organisations/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new_organisation():
    return _reference_form(
        OrganisationForm,
        mediation_organisations.create_organisation,
        _("The mediation organisation was added."),
        "admin.organisations",
        title=_("New mediation organisation"),
        submit=_("Add the organisation"),
    )


@bp.route("/organisations/<int:organisation_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_organisation(organisation_id: int):
    organisation = _get_or_404(MediationOrganisation, organisation_id)
    return _reference_form(
        OrganisationForm,
        mediation_organisations.update_organisation,
        _("The mediation organisation was saved."),
        "admin.organisations",
        row=organisation,
        title=organisation.in_locale(str(get_locale())),
        submit=_("Save"),
    )


def _reference_form(
    form_class: type[FlaskForm], save: Callable[..., object], done: str, back: str, row=None, **page
):
    """The add page of a reference list, or with `row` the edit page of that row.

    `save` is the use case: called as `save(**values)` to add, `save(row, **values)` to edit.
    """
    form = form_class(obj=row)
    rows = () if row is None else (row,)
    return _save(form, lambda: save(*rows, **_data(form), actor=current_user), done, back, **page)


def _get_or_404(model, row_id: int):
    # Admins see every shop, category and organisation, so these are read by id.
    found = find(model, row_id)
    if found is None:
        abort(404)
    return found


def _data(form: FlaskForm) -> dict:
    """The form's values by field name (the names are the use case's keyword arguments)."""
    return {name: field.data for name, field in form._fields.items() if name != "csrf_token"}


from complaints.admin import api_client_views, audit, calendars, pledges, shop_staff_views, webhook_views  # noqa: F401,E402
