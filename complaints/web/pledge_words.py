"""A pledge policy's window and scope in words, in the reader's language: the admin pages, the audit
log and the public scorecard say them the same way."""

from __future__ import annotations

from flask_babel import format_decimal, get_locale, ngettext
from flask_babel import gettext as _

from complaints.admin.pledge_forms import MAJOR_LABEL
from complaints.models import SlaPolicy, SlaTarget
from complaints.sla import policy as sla_policy


def window_text(target: SlaTarget) -> str:
    """ "24 hours", "15 working days", "1.5 hours"."""
    amount, unit = sla_policy.describe_window(target)
    number = format_decimal(amount)
    count = int(amount) if amount == amount.to_integral_value() else 2
    if unit == "hours":
        return ngettext("%(amount)s hour", "%(amount)s hours", count, amount=number)
    return ngettext("%(amount)s working day", "%(amount)s working days", count, amount=number)


def scope_text(policy: SlaPolicy) -> str:
    category = policy.category.display_name(str(get_locale())) if policy.category else _("Any category")
    return _("%(category)s · %(size)s", category=category, size=MAJOR_LABEL[policy.major])
