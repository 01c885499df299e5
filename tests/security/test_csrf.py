"""CSRF: every POST endpoint refuses a form without a valid token and changes nothing.

The endpoints are read from app.url_map when the tests are collected, so a new form is probed
from the day it exists. Each probe signs in as someone who may use the endpoint and sends a form
that would change the world (see endpoints.ATTACKS) with no token, a made-up token, or a token
taken from the attacker's own session; the control sends the same form with the victim's own
token and must get past the check.
"""

from __future__ import annotations

import pytest

from tests.security.endpoints import UnknownArgument, requests, role_for
from tests.security.support import CSRF_REFUSAL, assert_security_headers, differences, token_of

APP_CONFIG = {"WTF_CSRF_ENABLED": True}

POSTS = requests("POST")


def _url_or_fail(request, planted) -> str:
    try:
        return request.url(planted)
    except UnknownArgument as unknown:
        pytest.fail(str(unknown))


def _forged_token(kind: str, planted) -> str | None:
    if kind == "missing":
        return None
    if kind == "made-up":
        return "IjE2YmZkN2U0ZGFmZmE0YzM0ZmQ1In0.aAbBcC.forged-signature-0123456789"
    # The attacker's own, perfectly valid token: it belongs to another session.
    return token_of(planted.fresh_client(None))


def test_every_post_endpoint_is_probed():
    assert {r.endpoint for r in POSTS} >= {
        "auth.login",
        "auth.logout",
        "portal.act",
        "desk.act",
        "admin.new_user",
    }
    assert all(r.action != "<unknown action table>" for r in POSTS), (
        "an <action> route without an action table"
    )


@pytest.mark.parametrize("token", ["missing", "made-up", "attackers-own"])
@pytest.mark.parametrize("request_", POSTS, ids=str)
def test_a_form_without_the_sessions_csrf_token_is_refused_and_changes_nothing(planted, request_, token):
    role = role_for(request_)
    client = planted.client(role)
    url = _url_or_fail(request_, planted)
    data = request_.attack(planted)
    forged = _forged_token(token, planted)
    if forged is not None:
        data["csrf_token"] = forged
    before = planted.snapshot()

    response = client.post(url, data=data)

    assert response.status_code == 400
    assert CSRF_REFUSAL in response.text
    assert_security_headers(response, "the CSRF refusal")
    assert differences(before, planted.snapshot()) == []
    if role is not None:  # still signed in: a refused sign-out did not sign anyone out
        assert client.get("/notifications").status_code == 200


@pytest.mark.parametrize("request_", POSTS, ids=str)
def test_the_same_form_with_the_sessions_own_token_gets_past_the_check(planted, request_):
    """The control: the probes above fail because of the token, not because of the form."""
    client = planted.fresh_client(role_for(request_))
    url = _url_or_fail(request_, planted)
    data = {**request_.attack(planted), "csrf_token": token_of(client)}

    response = client.post(url, data=data)

    assert CSRF_REFUSAL not in response.text
