"""API clients (issue 14): an admin creates them, issues tokens shown once (only a hash kept),
revokes them; the scope and acting-for matrix; CSRF spares token requests, not the web forms."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from complaints import create_app
from complaints.extensions import db
from complaints.models import ApiClient, ApiToken
from tests.api_support import ALL, headers, make_client, new_complaint


def test_admin_creates_a_client_issues_and_revokes_tokens(client, world, auth):
    auth.login(world.admin.email)
    created = client.post(
        "/admin/api-clients/new",
        data={
            "name": "Shop back office",
            "owner": "Ops",
            "scopes": f"complaints:read merchant:{world.merchant_ids[0]}",
        },
    )
    assert created.status_code == 302
    api_client = db.session.scalar(select(ApiClient).where(ApiClient.name == "Shop back office"))
    assert api_client.scopes == ["complaints:read", f"merchant:{world.merchant_ids[0]}"]
    client.post(f"/admin/api-clients/{api_client.id}/tokens")
    page = client.get("/admin/api-clients").get_data(as_text=True)
    secret = re.search(r"pdk_[A-Za-z0-9_-]+", page).group(0)
    assert secret not in client.get("/admin/api-clients").get_data(as_text=True)  # shown once
    token = db.session.scalar(select(ApiToken).where(ApiToken.client_id == api_client.id))
    assert secret not in token.secret_hash and len(token.secret_hash) == 64
    acting = headers(secret, f"merchant:{world.merchant.id}")
    assert client.get("/api/v1/complaints", headers=acting).status_code == 200
    # Rotation: a second token, then the first revoked.
    client.post(f"/admin/api-clients/{api_client.id}/tokens")
    second = re.search(r"pdk_[A-Za-z0-9_-]+", client.get("/admin/api-clients").get_data(as_text=True)).group(
        0
    )
    assert client.post(f"/admin/api-clients/{api_client.id}/tokens/{token.id}/revoke").status_code == 302
    refused = client.get("/api/v1/complaints", headers=acting)
    assert refused.status_code == 401 and refused.json["code"] == "invalid_token"
    assert (
        client.get("/api/v1/complaints", headers=headers(second, f"merchant:{world.merchant.id}")).status_code
        == 200
    )


def test_unknown_scope_is_refused(client, world, auth):
    auth.login(world.admin.email)
    response = client.post("/admin/api-clients/new", data={"name": "X", "owner": "Y", "scopes": "everything"})
    assert response.status_code == 400
    assert "Unknown scope: everything" in response.get_data(as_text=True)
    assert db.session.scalar(select(ApiClient)) is None


@pytest.mark.parametrize(
    ("scopes", "acting", "status", "code"),
    [
        (ALL, "consumer", 200, None),
        (["complaints:read", "consumers:act"], "consumer", 200, None),
        (["complaints:read"], "consumer", 403, "acting_for_forbidden"),
        (["consumers:act"], "consumer", 403, "missing_scope"),
        (ALL, None, 400, "acting_for_required"),
        (ALL, "nobody", 400, "acting_for_malformed"),
        (ALL, "agent", 403, "acting_for_forbidden"),
        (ALL, "merchant", 403, "acting_for_forbidden"),
        (["complaints:read", "merchant:1"], "merchant", 200, None),
        (["complaints:read", "merchant:2"], "merchant", 403, "acting_for_forbidden"),
    ],
)
def test_scope_and_acting_for_matrix(client, world, scopes, acting, status, code):
    ref = world.file()
    token = make_client(world, scopes)
    acting_header = {
        None: None,
        "nobody": "nobody:1",
        "consumer": f"consumer:{world.consumer.id}",
        "agent": f"consumer:{world.agent.id}",
        "merchant": f"merchant:{world.merchant.id}",
    }[acting]
    response = client.get(f"/api/v1/complaints/{ref}", headers=headers(token, acting_header))
    assert response.status_code == status, response.json
    if code:
        assert response.json["code"] == code


def test_visibility_follows_the_participant_policy(client, world):
    mine, theirs = world.file(), world.file("other_consumer", merchant_id=world.merchant_ids[1])
    token = make_client(world, [*ALL, f"merchant:{world.merchant_ids[0]}"])
    consumer = headers(token, f"consumer:{world.consumer.id}")
    shop = headers(token, f"merchant:{world.merchant.id}")
    assert client.get(f"/api/v1/complaints/{mine}", headers=consumer).status_code == 200
    hidden = client.get(f"/api/v1/complaints/{theirs}", headers=consumer)
    assert hidden.status_code == 404 and hidden.json["code"] == "complaint_not_found"
    assert (
        client.get(f"/api/v1/complaints/{theirs}/clocks", headers=shop).status_code == 404
    )  # another shop's
    listed = client.get("/api/v1/complaints", headers=shop).json["items"]
    assert [c["reference"] for c in listed] == [mine]
    filing = client.post(
        "/api/v1/complaints", json=new_complaint(world), headers={**shop, "Idempotency-Key": "s"}
    )
    assert filing.status_code == 403 and filing.json["code"] == "consumers_only"


def test_no_or_bad_token_is_401(client, world):
    assert client.get("/api/v1/complaints").json["code"] == "invalid_token"
    response = client.get("/api/v1/complaints", headers={"Authorization": "Bearer pdk_wrong"})
    assert response.status_code == 401 and response.mimetype == "application/problem+json"


def test_csrf_spares_token_requests_only(tmp_path, world, app):
    guarded = create_app(
        "testing",
        {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "WTF_CSRF_ENABLED": True},
    )
    with guarded.app_context():
        token = make_client(world, ALL)
    web = guarded.test_client()
    filed = web.post(
        "/api/v1/complaints",
        json=new_complaint(world),
        headers=headers(token, f"consumer:{world.consumer.id}", "csrf"),
    )
    assert filed.status_code == 201, filed.json
    assert web.post("/login", data={"email": world.admin.email, "password": "x"}).status_code == 400
