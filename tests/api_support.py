"""Helpers for the API's tests: an API client with a token, and the headers of a request."""

from __future__ import annotations

from complaints.extensions import db
from complaints.services import api_clients


def make_client(world, scopes: list[str], name: str = "Marketplace") -> str:
    """Create an API client with `scopes` and return a live token of it."""
    client = api_clients.create_client(name, "Marketplace ops", scopes)
    secret = api_clients.issue_token(client)
    db.session.commit()
    return secret


def headers(token: str, acting: str | None = None, key: str | None = None) -> dict:
    result = {"Authorization": f"Bearer {token}"}
    if acting:
        result["PledgeDesk-Acting-For"] = acting
    if key:
        result["Idempotency-Key"] = key
    return result


ALL = ["complaints:read", "complaints:write", "consumers:act"]


def new_complaint(world, **overrides) -> dict:
    body = dict(
        merchant_id=world.merchant_ids[0],
        category_id=world.category_ids[0],
        order_reference="ORD-API-1",
        title="耳机左耳没有声音",
        description="收到的蓝牙耳机左耳没有声音。",
        desired_outcome="refund",
        claimed_amount="299.00",
    )
    body.update(overrides)
    return body
