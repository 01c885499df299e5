"""Forms of the administration area: staff accounts, shops, categories, mediation organisations.

Field names match the keyword arguments of the administration services, so a refusal about one
field (administration.InvalidField) is shown beside the field of the same name.
"""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import AnyOf, DataRequired, Email, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from complaints.services.administration import STAFF_ROLES, list_categories
from complaints.services.organisations import CAPACITY_MAX
from complaints.web.i18n import example_hint
from complaints.web.labels import ROLE


class UserFilterForm(FlaskForm):
    """The role filter of the user list, read from the query string (GET; no CSRF needed)."""

    class Meta:
        csrf = False

    role = SelectField(_l("Role"), default="")


class NewUserForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    role = SelectField(
        _l("Role"), choices=[SelectChoice(r.value, ROLE[r]) for r in STAFF_ROLES], validators=[DataRequired()]
    )
    mediation_org_id = SelectField(
        _l("Mediation organisation"),
        description=_l("Required for mediators: they see only the cases referred to it."),
        validators=[Optional()],
    )
    shop_code = StringField(
        _l("Shop code"),
        validators=[Optional(), Length(max=32)],
        description=_l("Required for merchant staff: the code of the shop they work for."),
    )
    password = PasswordField(
        _l("First password"),
        validators=[DataRequired(), Length(max=200)],
        description=_l(
            "At least 10 characters, mixing letters with digits or symbols. Give it to the person privately."
        ),
    )

    def values(self) -> dict:
        org = self.mediation_org_id.data
        return {
            "name": self.name.data,
            "email": self.email.data,
            "role": self.role.data,
            "mediation_org_id": int(org) if org else None,
            "shop_code": self.shop_code.data,
            "password": self.password.data,
        }


class UserActiveForm(FlaskForm):
    """Activate or deactivate an account: `active` is the state wanted, so resending is harmless."""

    active = HiddenField(validators=[AnyOf(["1", "0"])])


class MerchantForm(FlaskForm):
    shop_code = StringField(
        _l("Shop code"),
        validators=[DataRequired(), Length(max=32)],
        description=_l("The marketplace's code of the shop; no two shops share one."),
    )
    name = StringField(_l("Shop name"), validators=[DataRequired(), Length(max=200)])
    contact_email = EmailField(
        _l("Contact email (optional)"), validators=[Optional(), Email(), Length(max=254)]
    )
    active = BooleanField(_l("Active: consumers can file complaints about this shop"), default=True)


class CategoryForm(FlaskForm):
    code = StringField(
        _l("Code"),
        validators=[DataRequired(), Length(max=32)],
        description=_l("A short unique code, used in reports and pledge policies."),
    )
    name_zh = StringField(_l("Name in Chinese"), validators=[DataRequired(), Length(max=100)])
    name_en = StringField(_l("Name in English"), validators=[DataRequired(), Length(max=100)])
    active = BooleanField(_l("Active: consumers can choose this category"), default=True)


class OrganisationForm(FlaskForm):
    name = StringField(
        _l("Name in Chinese"),
        render_kw={"lang": "zh-CN"},
        validators=[DataRequired(), Length(max=200)],
        description=example_hint("上海市消费纠纷人民调解委员会", "zh-CN"),
    )
    name_en = StringField(
        _l("Name in English"),
        render_kw={"lang": "en"},
        validators=[DataRequired(), Length(max=200)],
        description=example_hint("Shanghai Consumer Dispute Mediation Committee", "en"),
    )
    active = BooleanField(_l("Active: complaints can be referred to it"), default=True)
    # What it takes: a referral proposes the organisation that takes the complaint's category
    # with the most room (services/referral_choice.py).
    capacity = IntegerField(
        _l("Capacity: the most cases it mediates at once"),
        default=20,
        validators=[
            Optional(),
            NumberRange(
                min=1, max=CAPACITY_MAX, message=_l("Between 1 and %(max)s cases.", max=CAPACITY_MAX)
            ),
        ],
        description=_l(
            "Referrals waiting for consent and cases in mediation count; a full organisation takes no more. Empty: 20."
        ),
    )
    category_ids = SelectMultipleField(
        _l("Categories it takes"),
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validators=[Optional()],
        description=_l("None ticked: it takes every category."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        locale = str(get_locale())
        self.category_ids.choices = [SelectChoice(c.id, c.display_name(locale)) for c in list_categories()]


class ShopStaffForm(FlaskForm):
    """A merchant staff account of one shop, opened by the admin with a first password."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField(
        _l("First password"),
        validators=[DataRequired(), Length(max=200)],
        description=_l(
            "At least 10 characters, mixing letters with digits or symbols. Give it to the person privately."
        ),
    )


class ShopInvitationForm(FlaskForm):
    """An invitation by e-mail: the invitee chooses their own password through the link."""

    name = StringField(
        _l("Name"),
        validators=[DataRequired(), Length(max=120)],
        description=_l("They can correct it when they accept."),
    )
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
