"""Money amounts as people type them: taken exactly, or refused with a reason; never rounded.

An amount is plain ASCII digits with at most two decimals (fen), optionally grouped in thousands
by commas: `299`, `299.5`, `1,299.50`. Full-width digits (`１２３`), underscores (`1_000`),
exponents (`1e3`), signs, `NaN`, more than two decimals (`0.001`) are refused, so that what is
stored is exactly what the person meant. Forms (web/params.MoneyField) and services both use it.
"""

from __future__ import annotations

import re
from decimal import Decimal

from complaints.workflow import N_, Refusal

LARGEST = Decimal("9999999999.99")
_PLAIN = re.compile(r"(?:[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+)(?:\.[0-9]{1,2})?", re.ASCII)
_TOO_PRECISE = re.compile(r"(?:[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+)\.[0-9]{3,}", re.ASCII)


class InvalidAmount(Refusal):
    """A money amount that cannot be taken as typed; the message says why."""


def parse_amount(value, *, field: str = "amount") -> Decimal | None:
    """The amount `value` means (a Decimal with two places), None when blank, or InvalidAmount.

    value: text as typed, or a Decimal already parsed (checked by the same rules).
    field: how the message names the field.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, Decimal):
        amount = value
        if not amount.is_finite() or amount.as_tuple().exponent < -2:
            raise InvalidAmount(N_("Use at most two decimals (fen)."))
    else:
        amount = _from_text(str(value).strip())
    if amount < 0:
        raise InvalidAmount(N_("The amount cannot be negative. Enter 0 if you claim no money."))
    if amount > LARGEST:
        raise InvalidAmount(N_("%(field)s must be between 0 and 9,999,999,999.99."), field=field)
    return amount.quantize(Decimal("0.01"))  # adds places, never drops one: checked above


def _from_text(text: str) -> Decimal:
    if text.startswith("-") and _PLAIN.fullmatch(text[1:]):
        raise InvalidAmount(N_("The amount cannot be negative. Enter 0 if you claim no money."))
    if _TOO_PRECISE.fullmatch(text):
        raise InvalidAmount(N_("Use at most two decimals (fen)."))
    if not _PLAIN.fullmatch(text):
        raise InvalidAmount(N_("Enter an amount of money, such as 299 or 299.50."))
    return Decimal(text.replace(",", ""))
