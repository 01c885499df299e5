"""The authorization matrix's cases for the shops' reputation (see authz_cases.py for the vocabulary).

The platform's staff and admins read every shop's; supervisors and admins record a month's order
volume; a shop's staff read their own shop's page only; the scoring model is public."""

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
]
