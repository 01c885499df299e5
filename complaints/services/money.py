"""Money amounts as people type them."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from complaints.workflow import N_, Refusal


def parse_amount(value, *, field: str = "amount") -> Decimal | None:
    """A non-negative money amount with at most two decimals, or None when blank."""
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError) as exc:
        raise Refusal(N_("%(field)s must be an amount of money."), field=field) from exc
    if amount < 0 or amount >= Decimal("10000000000"):
        raise Refusal(N_("%(field)s must be between 0 and 9,999,999,999.99."), field=field)
    return amount
