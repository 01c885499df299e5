"""Who opens the platform's own areas, and what an API client may do: questions answered from the
participant policy's entries (complaints/participants.py holds the entries, one per role, and
re-exports these, so callers ask `participants.<question>` as for complaints).

| area | who |
|---|---|
| guarantee deposits | every shop's ledger: the platform's staff and admins; a shop's staff: their own; top up, adjust, export: supervisors and admins; request payouts: the platform's staff; approve them: supervisors |
| shop reputation | as the deposits: read every shop's, a shop's own, record order volume (supervisors, admins), decide measures (supervisors) |
| dashboard and service reports | supervisors and admins |
| API clients | act for a consumer with `consumers:act`, for a shop's staff with `merchant:<shop id>`; hear (webhooks) of the complaints they would see so |
"""

from __future__ import annotations

from complaints.models import Role, User


def sees_every_deposit(user: User | None) -> bool:
    """Whether `user` reads every shop's guarantee deposit (the platform's staff and admins)."""
    return participants.of(user).deposits == "every_shop"


def sees_deposit_of(user: User | None, merchant_id: int) -> bool:
    """Whether `user` may read the ledger of shop `merchant_id` (a shop's staff: their own only)."""
    entry = participants.of(user)
    own = entry.deposits == "own_shop" and getattr(user, "merchant_id", None) == merchant_id
    return entry.deposits == "every_shop" or own


def reputation_roles(what: str) -> tuple[Role, ...]:
    """Who opens the shops' reputation: "read" every shop's (those who read every shop's deposit:
    the platform's staff and admins), "own_shop" (a shop's staff, their own), "record" a month's
    order volume and export the measures for regulators (those who keep the deposits' ledgers:
    supervisors and admins), "decide" on measures against a shop (supervisors)."""
    return deposit_roles(
        {"read": "read", "own_shop": "own_shop", "record": "keep", "decide": "approve"}[what]
    )


def sees_reputation_of(user: User | None, merchant_id: int) -> bool:
    """Whether `user` may read shop `merchant_id`'s reputation: every shop's for the platform's
    staff and admins, their own for a shop's staff (as the deposit ledgers)."""
    return user is not None and sees_deposit_of(user, merchant_id)


def report_roles() -> tuple[Role, ...]:
    """Who reads the supervisors' dashboard and the service reports: supervisors and admins."""
    return participants.roles_where(lambda p: p.reads_reports)


def keeps_deposits(user: User | None) -> bool:
    """Whether `user` tops up and adjusts shops' deposits and exports their ledgers."""
    return user is not None and participants.of(user).keeps_deposits


def requests_payouts(user: User | None) -> bool:
    """Whether `user` may ask for a payout from a shop's deposit to a complaint's consumer."""
    return user is not None and participants.of(user).requests_payouts


def deposit_roles(what: str) -> tuple[Role, ...]:
    """The roles that may open a part of the deposit pages: "read" (every shop's ledger), "keep"
    (top up, adjust, export), "request" (ask for payouts), "approve" (approve, pay, refuse)."""
    tests = {
        "read": lambda p: p.deposits == "every_shop",
        "keep": lambda p: p.keeps_deposits,
        "request": lambda p: p.requests_payouts,
        "approve": lambda p: p.supervises,
        "own_shop": lambda p: p.deposits == "own_shop",
    }
    return participants.roles_where(tests[what])


# --- API clients ----------------------------------------------------------------------------
# An API client is the marketplace's system acting for one person (PledgeDesk-Acting-For): for a
# consumer if it holds `consumers:act`, for a shop's staff member if it holds `merchant:<shop id>`
# of that shop. It then sees and does exactly what that person would on the web.


def api_client_acts_for(scopes: list[str], user: User | None) -> bool:
    """Whether a client with `scopes` may act for `user`."""
    if user is None or not user.active:
        return False
    party = participants.of(user).party  # what the policy calls the person: consumer, merchant ...
    if party == "consumer":
        return "consumers:act" in scopes
    if party == "merchant" and user.merchant_id is not None:
        return f"merchant:{user.merchant_id}" in scopes
    return False


def api_client_hears_of(scopes: list[str], merchant_id: int, has_consumer: bool) -> bool:
    """Whether a client with `scopes` is told of changes to a complaint about shop `merchant_id`
    (webhooks): it would see that complaint acting for someone it may act for, its consumer
    (`consumers:act`, a complaint with a consumer) or the shop's staff (`merchant:<shop id>`)."""
    return ("consumers:act" in scopes and has_consumer) or f"merchant:{merchant_id}" in scopes


# The entries these questions read; imported last, as participants.py imports this module at its end.
from complaints import participants  # noqa: E402
