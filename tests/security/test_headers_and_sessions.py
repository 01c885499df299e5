"""Security headers on every response, and cookies a thief or another site cannot use.

Every page of the url_map (as someone who may see it) and every kind of error page carries the
content security policy (no inline script), nosniff, X-Frame-Options DENY and a Referrer-Policy.
The session cookie is HttpOnly and SameSite=Lax (Secure when configured, and in production),
a new one is issued at sign-in, and after sign-out even a copied cookie no longer works.
"""

from __future__ import annotations

import io

import pytest
from sqlalchemy import update

from complaints.extensions import db
from complaints.models import User
from tests.files import pdf_bytes
from tests.security.endpoints import UnknownArgument, requests, role_for
from tests.security.support import assert_security_headers, build_people, sign_in, token_of
from tests.support import PASSWORD

APP_CONFIG = {"MAX_CONTENT_LENGTH": 200_000}  # so that the 413 page is cheap to reach

PAGES = requests("GET")


@pytest.mark.parametrize("request_", PAGES, ids=str)
def test_every_page_carries_the_security_headers(planted, request_):
    try:
        response = request_.send(planted.client(role_for(request_)), planted)
    except UnknownArgument as unknown:
        pytest.fail(str(unknown))
    assert response.status_code == 200, response.status_code
    assert_security_headers(response, str(request_))


ERRORS = {  # kind of error page -> (who, method, url or a function of the world, form)
    "302-sign-in-first": (None, "GET", "/desk/", None),
    "400-form-error": ("consumer", "POST", "/portal/complaints/new", {"title": ""}),
    "403-wrong-role": ("consumer", "GET", "/desk/", None),
    "404-unknown-page": ("consumer", "GET", "/no/such/page", None),
    "404-unknown-complaint": ("consumer", "GET", "/portal/complaints/C-2026-999999", None),
    "405-wrong-method": ("consumer", "GET", "/logout", None),
    "409-refused-action": (
        "consumer",
        "POST",
        lambda w: f"/portal/complaints/{w.refs['resolved']}/withdraw",
        lambda w: {"version": str(w.versions["resolved"])},
    ),
    "413-too-large": (
        "consumer",
        "POST",
        lambda w: f"/portal/complaints/{w.refs['mediated']}/evidence",
        lambda w: {"evidence": [(io.BytesIO(pdf_bytes() + b"0" * 300_000), "big.pdf")]},
    ),
}


@pytest.mark.parametrize("kind", ERRORS)
def test_every_error_page_carries_the_security_headers(planted, kind):
    role, method, url, form = ERRORS[kind]
    url = url(planted) if callable(url) else url
    client = planted.client(role)
    if method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, data=form(planted) if callable(form) else form)
    assert response.status_code == int(kind[:3])
    assert_security_headers(response, kind)


def _set_cookie(response, name: str) -> dict[str, str] | None:
    """The attributes of the Set-Cookie for `name` (lower-cased keys; "" for flags), or None."""
    for header in response.headers.getlist("Set-Cookie"):
        first, *attributes = [part.strip() for part in header.split(";")]
        key, _, value = first.partition("=")
        if key == name:
            parsed = {"value": value}
            for attribute in attributes:
                k, _, v = attribute.partition("=")
                parsed[k.lower()] = v
            return parsed
    return None


def test_the_session_cookie_is_httponly_and_samesite_lax(planted):
    cookie = _set_cookie(sign_in(planted.app.test_client(), planted.email("consumer")), "session")
    assert cookie is not None
    assert "httponly" in cookie
    assert cookie.get("samesite") == "Lax"


def test_with_secure_cookies_configured_the_session_cookie_is_secure(own_app):
    app = own_app(SESSION_COOKIE_SECURE=True)
    build_people(app)
    cookie = _set_cookie(sign_in(app.test_client(), "agent@example.com"), "session")
    assert cookie is not None and "secure" in cookie and "httponly" in cookie


PRODUCTION = {"SECRET_KEY": "a-production-like-secret", "ARGON2_TIME_COST": 1, "ARGON2_MEMORY_KIB": 1024}


@pytest.mark.parametrize(
    ("name", "flag"),
    [
        ("session", "secure"),
        ("session", "httponly"),
        ("session", "samesite"),
        ("remember_token", "secure"),
        ("remember_token", "httponly"),
        ("remember_token", "samesite"),
    ],
)
def test_in_production_the_sign_in_cookies_are_secure_httponly_and_samesite(own_app, name, flag):
    app = own_app("production", RATELIMIT_ENABLED=False, **PRODUCTION)
    build_people(app)
    response = sign_in(app.test_client(), "agent@example.com", remember="y")
    cookie = _set_cookie(response, name)
    assert cookie is not None, f"no {name} cookie"
    if flag == "samesite":
        assert cookie.get("samesite") in ("Lax", "Strict")
    else:
        assert flag in cookie


def _session_of(app, cookie_value: str) -> dict:
    return dict(app.session_interface.get_signing_serializer(app).loads(cookie_value))


def test_signing_in_issues_a_new_session_cookie(own_app):
    app = own_app(WTF_CSRF_ENABLED=True)
    build_people(app)
    client = app.test_client()
    client.get("/login")  # an anonymous session (it holds the CSRF secret)
    before = client.get_cookie("session").value
    with client.session_transaction() as session:
        session["planted"] = "by an attacker who fixed this cookie"
    planted_value = client.get_cookie("session").value

    sign_in(client, "agent@example.com")
    after = client.get_cookie("session").value

    assert after not in (before, planted_value)
    assert "planted" not in _session_of(app, after)
    assert "_user_id" not in _session_of(app, planted_value)


def _signed_in_copy(app, email: str, **more):
    client = app.test_client()
    sign_in(client, email, **more)
    return client


@pytest.mark.parametrize("cookie", ["session", "remember_token"])
def test_after_signing_out_a_copied_cookie_no_longer_signs_anyone_in(own_app, cookie):
    app = own_app(WTF_CSRF_ENABLED=True)
    build_people(app)
    victim = _signed_in_copy(app, "agent@example.com", remember="y")
    stolen = victim.get_cookie(cookie).value

    response = victim.post("/logout", data={"csrf_token": token_of(victim)})
    assert response.status_code == 302
    assert "_user_id" not in _session_of(app, _set_cookie(response, "session")["value"])
    assert victim.get("/desk/").status_code == 302  # the victim is signed out

    thief = app.test_client()
    thief.set_cookie(cookie, stolen)
    answer = thief.get("/desk/")
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/login")


def test_a_deactivated_account_is_signed_out_of_the_session_it_had(own_app):
    app = own_app()
    build_people(app)
    agent = _signed_in_copy(app, "agent@example.com")
    assert agent.get("/desk/").status_code == 200
    with app.app_context():
        db.session.execute(update(User).where(User.email == "agent@example.com").values(active=False))
        db.session.commit()
        db.session.remove()
    assert agent.get("/desk/").status_code == 302
    assert (
        app.test_client()
        .post("/login", data={"email": "agent@example.com", "password": PASSWORD})
        .status_code
        != 302
    )
