"""Administration: staff accounts, shops and complaint categories (mediation organisations are in
services/organisations.py, the pledge in services/pledges.py and work_calendars.py).

Each use case validates what the admin typed, changes the models and flushes; the caller commits,
and rolls back on Refusal. A refusal that belongs to one field of the admin's form is an
InvalidField, so the form can show its message beside that field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from complaints.bounds import find
from complaints.extensions import db
from complaints.models import AdminAction, Category, MediationOrganisation, Merchant, Role, User
from complaints.services import accounts, admin_audit
from complaints.timekeeping import now
from complaints.workflow import N_, Refusal

# The roles an admin creates here; consumers sign up themselves.
STAFF_ROLES = (Role.AGENT, Role.SUPERVISOR, Role.MEDIATOR, Role.MERCHANT, Role.ADMIN)

T = TypeVar("T")


class InvalidField(Refusal):
    """A refusal about one field of the admin's form (`field` is the form field's name)."""

    def __init__(self, field: str, template: str, **params):
        super().__init__(template, **params)
        self.field = field


class InvalidFields(Refusal):
    """Several field problems found at once, so the admin sees them all beside their fields."""

    def __init__(self, problems: list[InvalidField]):
        super().__init__(N_("Please correct the marked fields."))
        self.problems = problems


@dataclass
class Page(Generic[T]):
    """One page of a list, and the id to continue after (None on the last page)."""

    items: list[T]
    next_after: int | None


def _page(query, model, after: int | None, size: int) -> Page:
    """Keyset page over the primary key: `size` rows after `after`, in id order."""
    if after is not None:
        query = query.where(model.id > after)
    rows = list(db.session.scalars(query.order_by(model.id).limit(size + 1)))
    has_more = len(rows) > size
    rows = rows[:size]
    return Page(items=rows, next_after=rows[-1].id if has_more and rows else None)


def _required(field: str, value: str | None, max_length: int) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidField(field, N_("Fill in this field."))
    if len(text) > max_length:
        raise InvalidField(field, N_("At most %(max)s characters."), max=max_length)
    return text


def _taken(column, value: str, exclude_id: int | None, model) -> bool:
    """Whether another row already has `value` in `column` (read over its unique index)."""
    query = select(func.count()).select_from(model).where(column == value)
    if exclude_id is not None:
        query = query.where(model.id != exclude_id)
    return db.session.scalar(query) > 0


def _flush_unique(field: str, message: str) -> None:
    """Flush; a unique index that another request filled first is the same refusal as ours."""
    try:
        db.session.flush()
    except IntegrityError as exc:
        raise InvalidField(field, message) from exc


# --- Staff accounts -------------------------------------------------------------------------


def list_users(role: Role | None = None, after: int | None = None, size: int = 50) -> Page[User]:
    """Accounts in the order they were created, optionally of one role.

    role: only accounts with this role; None for all.
    after: the id the previous page ended with; None for the first page.
    size: accounts per page.
    """
    query = select(User)
    if role is not None:
        query = query.where(User.role == role)
    return _page(query, User, after, size)


def create_staff_account(
    *,
    email: str,
    name: str,
    password: str,
    role: Role,
    mediation_org_id: int | None = None,
    shop_code: str | None = None,
    actor: User | None = None,
) -> User:
    """Create a staff account (agent, supervisor, mediator, merchant staff or admin).

    email: unique, compared case-insensitively.
    password: the first password, which must pass the password rules.
    role: one of STAFF_ROLES.
    mediation_org_id: the mediator's organisation (required for mediators, ignored otherwise).
    shop_code: the code of the shop merchant staff work for (required for them, ignored otherwise).
    actor: the admin creating it, for the audit log; None for the system.
    Raises InvalidField naming the field at fault. The caller commits.
    """
    if role not in STAFF_ROLES:
        raise InvalidField("role", N_("Choose a staff role."))
    name = _required("name", name, 120)
    if accounts.email_taken(email):
        raise InvalidField("email", N_("An account with this email already exists."))
    try:
        accounts.check_password_rules(password)
    except Refusal as refusal:
        raise InvalidField("password", refusal.template, **refusal.params) from refusal
    org_id = mediation_org_id if role is Role.MEDIATOR else None
    if role is Role.MEDIATOR and (org_id is None or find(MediationOrganisation, org_id) is None):
        raise InvalidField("mediation_org_id", N_("A mediator belongs to a mediation organisation."))
    shop_id = None
    if role is Role.MERCHANT:
        shop_id = _shop_id(shop_code)
    user = accounts.create_user(
        email=email,
        name=name,
        password=password,
        role=role,
        mediation_org_id=org_id,
        merchant_id=shop_id,
    )
    admin_audit.record(
        actor,
        AdminAction.STAFF_CREATED,
        "user",
        user.id,
        **_user_detail(user),
        organisation=user.mediation_org.name if user.mediation_org else None,
        organisation_en=user.mediation_org.name_en if user.mediation_org else None,
        shop_code=user.merchant.shop_code if user.merchant else None,
    )
    return user


def _user_detail(user: User) -> dict:
    return {"name": user.name, "email": user.email, "role": user.role}


def _shop_id(shop_code: str | None) -> int:
    code = (shop_code or "").strip()
    if not code:
        raise InvalidField("shop_code", N_("Merchant staff belong to a shop."))
    shop_id = db.session.scalar(select(Merchant.id).where(Merchant.shop_code == code))
    if shop_id is None:
        raise InvalidField("shop_code", N_("No shop has the code %(code)s."), code=code)
    return shop_id


def set_user_active(admin: User, user: User, active: bool) -> User:
    """Let `user` sign in again (active=True) or stop them from signing in (False).

    admin: who does it; an admin cannot deactivate their own account, so that at least one
    admin always remains able to sign in. A change (not a repeat) is recorded in the audit log.
    """
    if not active and user.id == admin.id:
        raise Refusal(N_("You cannot deactivate your own account."))
    changed = user.active != active
    user.active = active
    if active:
        user.failed_logins = 0
        user.locked_until = None
    db.session.flush()
    if changed:
        action = AdminAction.USER_ACTIVATED if active else AdminAction.USER_DEACTIVATED
        admin_audit.record(admin, action, "user", user.id, **_user_detail(user))
    return user


# --- Shops ----------------------------------------------------------------------------------

_SHOP_CODE_TAKEN = N_("Another shop already has this shop code.")


def list_merchants(after: int | None = None, size: int = 50) -> Page[Merchant]:
    """Shops in the order they were added, a page at a time (`after`: the previous page's end)."""
    return _page(select(Merchant), Merchant, after, size)


def _merchant_values(merchant_id: int | None, shop_code: str, name: str, contact_email: str | None):
    code = _required("shop_code", shop_code, 32)
    if _taken(Merchant.shop_code, code, merchant_id, Merchant):
        raise InvalidField("shop_code", _SHOP_CODE_TAKEN)
    email = (contact_email or "").strip().lower() or None
    return code, _required("name", name, 200), email


def create_merchant(
    *, shop_code: str, name: str, contact_email: str | None, active: bool = True, actor: User | None = None
) -> Merchant:
    """Add a shop.

    shop_code: the marketplace's code of the shop, unique.
    name: the shop's name as consumers know it.
    contact_email: where the platform writes to the shop; optional.
    active: whether consumers can file complaints against it.
    actor: the admin adding it, for the audit log; None for the system.
    """
    code, name, email = _merchant_values(None, shop_code, name, contact_email)
    merchant = Merchant(shop_code=code, name=name, contact_email=email, active=active, created_at=now())
    db.session.add(merchant)
    _flush_unique("shop_code", _SHOP_CODE_TAKEN)
    admin_audit.record(
        actor, AdminAction.MERCHANT_CREATED, "merchant", merchant.id, **_merchant_state(merchant)
    )
    return merchant


def update_merchant(
    merchant: Merchant,
    *,
    shop_code: str,
    name: str,
    contact_email: str | None,
    active: bool,
    actor: User | None = None,
) -> Merchant:
    """Change a shop's code, name, contact email or whether it is active (as create_merchant).

    actor: the admin changing it; a change (not a save with nothing changed) is in the audit log.
    """
    code, name, email = _merchant_values(merchant.id, shop_code, name, contact_email)
    before = _merchant_state(merchant)
    merchant.shop_code, merchant.name, merchant.contact_email, merchant.active = code, name, email, active
    _flush_unique("shop_code", _SHOP_CODE_TAKEN)
    subject = ("merchant", merchant.id, merchant.name)
    _record_update(actor, AdminAction.MERCHANT_UPDATED, subject, before, _merchant_state(merchant))
    return merchant


def _merchant_state(merchant: Merchant) -> dict:
    return {
        "name": merchant.name,
        "shop_code": merchant.shop_code,
        "contact_email": merchant.contact_email,
        "active": merchant.active,
    }


def _record_update(actor: User | None, action: AdminAction, subject, before: dict, after: dict) -> None:
    """Record an edit of `subject` in the audit log with the values it changed, if it changed any."""
    changed = admin_audit.changes(before, after)
    if changed:
        subject_type, subject_id, name = subject
        admin_audit.record(actor, action, subject_type, subject_id, name=name, changes=changed)


# --- Categories -----------------------------------------------------------------------------

_CATEGORY_CODE_TAKEN = N_("Another category already has this code.")


def list_categories() -> list[Category]:
    """Every category, in the order they were added (there are few)."""
    return list(db.session.scalars(select(Category).order_by(Category.id)))


def _category_values(category_id: int | None, code: str, name_zh: str, name_en: str):
    code = _required("code", code, 32)
    if _taken(Category.code, code, category_id, Category):
        raise InvalidField("code", _CATEGORY_CODE_TAKEN)
    return code, _required("name_zh", name_zh, 100), _required("name_en", name_en, 100)


def create_category(
    *, code: str, name_zh: str, name_en: str, active: bool = True, actor: User | None = None
) -> Category:
    """Add a complaint category.

    code: a short unique code, used in reports and policies.
    name_zh, name_en: the category's name in Chinese and in English.
    active: whether consumers can choose it when filing.
    actor: the admin adding it, for the audit log; None for the system.
    """
    code, name_zh, name_en = _category_values(None, code, name_zh, name_en)
    category = Category(code=code, name_zh=name_zh, name_en=name_en, active=active)
    db.session.add(category)
    _flush_unique("code", _CATEGORY_CODE_TAKEN)
    admin_audit.record(
        actor,
        AdminAction.CATEGORY_CREATED,
        "category",
        category.id,
        name=category.code,
        **_category_state(category),
    )
    return category


def update_category(
    category: Category, *, code: str, name_zh: str, name_en: str, active: bool, actor: User | None = None
) -> Category:
    """Change a category's code, names or whether it is active (as create_category).

    actor: the admin changing it; a change (not a save with nothing changed) is in the audit log.
    """
    code, name_zh, name_en = _category_values(category.id, code, name_zh, name_en)
    before = _category_state(category)
    category.code, category.name_zh, category.name_en, category.active = code, name_zh, name_en, active
    _flush_unique("code", _CATEGORY_CODE_TAKEN)
    subject = ("category", category.id, category.code)
    _record_update(actor, AdminAction.CATEGORY_UPDATED, subject, before, _category_state(category))
    return category


def _category_state(category: Category) -> dict:
    return {
        "code": category.code,
        "name_zh": category.name_zh,
        "name_en": category.name_en,
        "active": category.active,
    }
