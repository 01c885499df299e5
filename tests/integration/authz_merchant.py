"""The authorization matrix's cases for the shop's portal (see authz_cases.py for the vocabulary).

Every planted complaint is about the shop the `merchant` role works for; no other role may open
the portal, and the shop reads the platform's question and the consumer's masked contact details,
never the internal notes or the mediation session notes (authz_cases.NEVER_SHOWN_TO)."""

from __future__ import annotations

from tests.integration.authz_cases import (
    ATTACK_TEXT,
    FORM_ERROR,
    MASKED_CONTACT,
    MERCHANT,
    MERCHANT_QUESTION,
    NOT_FOUND,
    PRIVATE,
    Case,
    Payload,
    act,
    only,
    png_upload,
    ref,
)

# The matrix's world is frozen on 2026-03-02; an offer is for a day after it.
OFFER_BY = "2026-03-06"

MERCHANT_PROBE: Payload = lambda w: {  # noqa: E731 - every shop form is invalid with this
    "answer_body": "",
    "message_body": "",
    "offer_kind": "",
    "offer_terms": "",
    "offer_by": "not-a-date",
}

MERCHANT_ACTIONS = {
    # action: (complaint it fits, a valid request that would change that complaint)
    "answer": ("mediated", lambda w: {"answer_body": ATTACK_TEXT, "answer_files": [png_upload()]}),
    "message": ("mediated", lambda w: {"message_body": ATTACK_TEXT}),
    "offer": (
        "received",
        lambda w: {
            "offer_kind": "refund",
            "offer_amount": "10",
            "offer_terms": ATTACK_TEXT,
            "offer_by": OFFER_BY,
        },
    ),
}

MERCHANT_CASES = [
    Case(
        "merchant.complaints", "GET", lambda w: {}, only(MERCHANT), shows={MERCHANT: (PRIVATE["received"],)}
    ),
    Case("merchant.complaints", "GET", lambda w: {"tab": "decided"}, only(MERCHANT), variant="decided"),
    Case(
        "merchant.search",
        "GET",
        lambda w: {"q": w.refs["mediated"]},
        only(MERCHANT),
        shows={MERCHANT: (PRIVATE["mediated"],)},
    ),
    # Another consumer's complaint about the same shop is the shop's too; search finds nothing of
    # other shops (tests/integration/test_merchant_portal.py).
    Case(
        "merchant.complaint",
        "GET",
        ref("mediated"),
        only(MERCHANT),
        shows={MERCHANT: (PRIVATE["mediated"], MERCHANT_QUESTION, *MASKED_CONTACT)},
    ),
    *[
        Case(
            "merchant.act",
            "POST",
            act(key, action),
            only(MERCHANT, ok=FORM_ERROR),
            variant=action,
            attack=attack,
            probe=MERCHANT_PROBE,
            attack_by=MERCHANT,
        )
        for action, (key, attack) in MERCHANT_ACTIONS.items()
    ],
    Case(
        "merchant.act",
        "POST",
        act("received", "verify"),
        only(merchant=NOT_FOUND),
        variant="unknown-action",
        attack=lambda w: {"message_body": ATTACK_TEXT},
    ),
]
