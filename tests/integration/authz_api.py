"""The authorization matrix's cases for the integration API and its administration.

A browser session never authenticates the API: every role, signed in or not, gets 401 from an
/api/v1 operation that needs a token (what API clients may do is tests/integration/
test_api_clients.py's matrix of scopes and acting-for). The API's document, its docs page and the
scorecard figures are public; API clients are managed by admins only."""

from __future__ import annotations

from tests.integration.authz_cases import (
    ADMIN,
    ATTACK_TEXT,
    FORM_ERROR,
    NOT_FOUND,
    Case,
    Outcome,
    admin_form,
    admin_only,
    everyone,
    ref,
)

NO_TOKEN = Outcome(401, refused=True)


_ATTACK = lambda w: {"body": ATTACK_TEXT, "action": "withdraw"}  # noqa: E731 - refused before parsing


def _missing(endpoint: str, ids: dict) -> Case:
    """A POST to an administration row that does not exist: 404 for admins, refused for the rest."""
    return Case(
        endpoint, "POST", lambda w: ids, admin_only(NOT_FOUND), variant="missing", attack=lambda w: {}
    )


API_CASES = [
    Case("api-docs.openapi_json", "GET", lambda w: {}, everyone(Outcome(200))),
    Case("api_docs.docs", "GET", lambda w: {}, everyone(Outcome(200))),
    Case("api.scorecard_figures", "GET", lambda w: {}, everyone(Outcome(200))),
    Case("api.Complaints", "GET", lambda w: {}, everyone(NO_TOKEN)),
    Case("api.Complaints", "POST", lambda w: {}, everyone(NO_TOKEN), attack=_ATTACK),
    Case("api.complaint", "GET", ref("received"), everyone(NO_TOKEN)),
    Case("api.Messages", "GET", ref("received"), everyone(NO_TOKEN)),
    Case("api.Messages", "POST", ref("received"), everyone(NO_TOKEN), attack=_ATTACK),
    Case("api.action", "POST", ref("received"), everyone(NO_TOKEN), attack=_ATTACK),
    Case("api.clocks", "GET", ref("received"), everyone(NO_TOKEN)),
    Case("api.timeline", "GET", ref("received"), everyone(NO_TOKEN)),
    Case("api.offers", "GET", ref("received"), everyone(NO_TOKEN)),
    Case("api.Attachments", "GET", ref("received"), everyone(NO_TOKEN)),
    Case("api.Attachments", "POST", ref("received"), everyone(NO_TOKEN), attack=_ATTACK),
    Case("api.shop_reputation", "GET", lambda w: {"merchant_id": w.merchant_id}, everyone(NO_TOKEN)),
    Case("admin.api_client_list", "GET", lambda w: {}, admin_only()),
    *admin_form(
        "admin.new_api_client",
        lambda w: {},
        attack=lambda w: {"name": ATTACK_TEXT, "owner": ATTACK_TEXT, "scopes": "complaints:read"},
        probe=lambda w: {"name": ""},
    ),
    _missing("admin.issue_api_token", dict(client_id=999_999)),
    Case("admin.webhooks_page", "GET", lambda w: {"client_id": w.api_client_id}, admin_only()),
    Case(
        "admin.add_webhook",
        "POST",
        lambda w: {"client_id": w.api_client_id},
        admin_only(FORM_ERROR),
        attack=lambda w: {"url": "https://attacker.example/hook", "events": ["complaint.filed"]},
        probe=lambda w: {"url": "gopher://nowhere", "events": ["complaint.filed"]},
        attack_by=ADMIN,
    ),
    _missing("admin.toggle_webhook", dict(endpoint_id=999_999)),
    _missing("admin.rotate_webhook_secret", dict(endpoint_id=999_999)),
    Case(
        "admin.webhook_delivery", "GET", lambda w: {"delivery_id": 999_999}, admin_only(NOT_FOUND), "missing"
    ),
    _missing("admin.replay_webhook", dict(delivery_id=999_999)),
    _missing("admin.revoke_api_token", dict(client_id=999_999, token_id=999_999)),
]
