"""Rate limits: sign-in and registration from one address are limited, with a friendly page.

Each test builds its own app with RATELIMIT_ENABLED=True (the shared limiter is configured by the
app built last, so no other app may be built while these tests send requests).
"""

from __future__ import annotations

import pytest

from tests.security.support import assert_security_headers

TOO_MANY = "Too many attempts. Wait a moment and try again."
ATTACKER, NEIGHBOUR = {"REMOTE_ADDR": "203.0.113.7"}, {"REMOTE_ADDR": "198.51.100.9"}


@pytest.fixture
def limited_app(own_app):
    return own_app(RATELIMIT_ENABLED=True)


def _sign_in_attempt(client, n: int, environ):
    # Unknown addresses, so that the per-account lockout (5 failures) plays no part.
    data = {"email": f"guess-{n}@example.com", "password": "wrong-password-1"}
    return client.post("/login", data=data, environ_base=environ)


def test_the_eleventh_sign_in_within_a_minute_from_one_address_is_refused_kindly(limited_app):
    client = limited_app.test_client()
    answers = [_sign_in_attempt(client, n, ATTACKER).status_code for n in range(10)]
    assert answers == [400] * 10

    eleventh = _sign_in_attempt(client, 10, ATTACKER)

    assert eleventh.status_code == 429
    assert TOO_MANY in eleventh.text
    assert eleventh.mimetype == "text/html" and "<h1>" in eleventh.text
    assert "Retry-After" in eleventh.headers
    assert_security_headers(eleventh, "429")
    # Another address is not punished for the attacker's attempts.
    assert _sign_in_attempt(limited_app.test_client(), 11, NEIGHBOUR).status_code == 400


def _register(app, n: int):
    password = "another-horse-42"
    return app.test_client().post(
        "/register",
        data={
            "name": f"Person {n}",
            "email": f"person-{n}@example.com",
            "password": password,
            "confirm": password,
        },
        environ_base=ATTACKER,
    )


def test_the_sixth_registration_within_a_minute_from_one_address_is_refused_kindly(limited_app):
    from sqlalchemy import func, select

    from complaints.extensions import db
    from complaints.models import User

    assert [_register(limited_app, n).status_code for n in range(5)] == [302] * 5

    sixth = _register(limited_app, 5)

    assert sixth.status_code == 429
    assert TOO_MANY in sixth.text
    assert_security_headers(sixth, "429")
    with limited_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 5
        db.session.remove()


def test_a_consumer_posting_replies_in_a_loop_is_slowed_down_per_account(limited_app):
    from sqlalchemy import func, select

    from complaints.extensions import db
    from complaints.models import Message
    from tests.support import PASSWORD, World

    with limited_app.app_context():
        world = World.build()
        reference = world.file()
        db.session.remove()
    client = limited_app.test_client()
    client.post("/login", data={"email": world.consumer.email, "password": PASSWORD})
    url = f"/portal/complaints/{reference}/reply"
    answers = [client.post(url, data={"body": f"message {n}"}).status_code for n in range(30)]
    assert answers == [302] * 30

    thirty_first = client.post(url, data={"body": "one too many"})

    assert thirty_first.status_code == 429
    assert TOO_MANY in thirty_first.text
    with limited_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Message)) == 30
        db.session.remove()
