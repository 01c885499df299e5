"""The authorization matrix's cases for the shops' reputation (see authz_cases.py for the vocabulary).

The platform's staff and admins read every shop's; supervisors and admins record a month's order
volume; a shop's staff read their own shop's page only; the scoring model is public. The complaints
behind a figure of a month follow the shop's page: every shop's for its readers, a shop's staff
their own (through "my shop": any shop's address is refused them); a bad month or figure, or an
unknown shop, is not found."""

from __future__ import annotations

from tests.integration.authz_cases import (
    ADMIN,
    AGENT,
    FORM_ERROR,
    MERCHANT,
    OK,
    SUPERVISOR,
    Case,
    Outcome,
    everyone,
    only,
)
from tests.integration.authz_deposits import shop

READERS = (AGENT, SUPERVISOR, ADMIN)
RECORDERS = (SUPERVISOR, ADMIN)
NOT_FOUND = Outcome(404)


def other_shop(world) -> int:
    """A shop other than the one the matrix's shop staff belong to."""
    from flask import has_app_context

    if not has_app_context():
        return 2
    from complaints.extensions import db
    from complaints.models import Merchant

    return db.session.scalars(db.select(Merchant.id).where(Merchant.id != world.merchant_id)).first()


def figure(name: str, month: str = "2026-03", **shop_of) -> object:
    """The values of a figure's list: `name` of `month`, of the shop `shop_of(w)` gives if any."""
    return lambda w: {**{k: f(w) for k, f in shop_of.items()}, "month": month, "figure": name}


def planted_proposal(world) -> dict:
    """A measure proposed for the first shop (a month graded E), fresh for each cell."""
    from datetime import date

    from flask import has_app_context

    if not has_app_context():
        return {"sanction_id": 1}
    from complaints.extensions import db
    from complaints.models import Sanction, SanctionStatus, SanctionStep
    from complaints.timekeeping import now

    month = date(2001 + len(db.session.execute(db.select(Sanction.id)).all()), 1, 1)  # one per shop and month
    sanction = Sanction(
        merchant_id=world.merchant_id,
        month=month,
        step=SanctionStep.WARNING,
        proposed_step=SanctionStep.WARNING,
        status=SanctionStatus.PROPOSED,
        proposed_at=now(),
    )
    db.session.add(sanction)
    db.session.commit()
    return {"sanction_id": sanction.id}


REPUTATION_CASES = [
    Case("reputation.shops", "GET", lambda w: {}, only(*READERS)),
    Case("reputation.shop", "GET", shop, only(*READERS)),
    Case(
        "reputation.shop",
        "GET",
        lambda w: {"merchant_id": 999_999},
        only(*READERS, ok=Outcome(404)),
        "missing",
    ),
    Case("reputation.my_shop", "GET", lambda w: {}, only(MERCHANT)),
    Case(
        "reputation.shop_figure",
        "GET",
        figure("complaints", merchant_id=lambda w: w.merchant_id),
        only(*READERS),
    ),
    Case(
        "reputation.shop_figure",
        "GET",
        figure("replies_missed", merchant_id=other_shop),
        only(*READERS),
        "another shop",  # a shop's staff asking for another shop than theirs: refused like any
    ),
    Case(
        "reputation.shop_figure",
        "GET",
        figure("complaints", merchant_id=lambda w: 999_999),
        only(*READERS, ok=NOT_FOUND),
        "missing shop",
    ),
    Case(
        "reputation.shop_figure",
        "GET",
        figure("complaints", "2026-13", merchant_id=lambda w: w.merchant_id),
        only(*READERS, ok=NOT_FOUND),
        "bad month",
    ),
    Case(
        "reputation.shop_figure",
        "GET",
        figure("score", merchant_id=lambda w: w.merchant_id),
        only(*READERS, ok=NOT_FOUND),
        "unknown figure",
    ),
    Case("reputation.my_shop_figure", "GET", figure("complaints"), only(MERCHANT)),
    Case(
        "reputation.my_shop_figure",
        "GET",
        figure("upheld", "March"),
        only(MERCHANT, ok=NOT_FOUND),
        "bad month",
    ),
    Case(
        "reputation.my_shop_figure",
        "GET",
        figure("rating_sum"),
        only(MERCHANT, ok=NOT_FOUND),
        "unknown figure",
    ),
    Case("reputation.model", "GET", lambda w: {}, everyone(OK)),
    Case(
        "reputation.record_orders",
        "POST",
        shop,
        only(*RECORDERS, ok=FORM_ERROR),
        attack=lambda w: {"volume_month": "2026-03", "volume_orders": "1200"},
        probe=lambda w: {"volume_month": "March", "volume_orders": "-3"},
        attack_by=SUPERVISOR,
    ),
    Case("reputation.measures", "GET", lambda w: {}, only(*READERS)),
    Case("reputation.notices", "GET", lambda w: {}, everyone(OK)),
    Case("reputation.regulator_csv", "GET", lambda w: {}, only(*RECORDERS)),
    Case(
        "reputation.decide",
        "POST",
        lambda w: {**planted_proposal(w), "action": "dismiss"},
        only(SUPERVISOR, ok=FORM_ERROR),
        variant="dismiss",
        attack=lambda w: {"dismiss_reason": "matrix"},
        probe=lambda w: {"dismiss_reason": ""},
    ),
]
