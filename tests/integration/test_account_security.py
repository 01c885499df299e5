"""Signing in safely: lockout after repeated failures, a fresh session, logout that ends it."""

from complaints.extensions import db
from complaints.models import User
from tests.support import PASSWORD


def _fail(auth, email, times):
    for _ in range(times):
        response = auth.login(email, "wrong-password-1")
    return response


def test_five_wrong_passwords_lock_the_account_and_say_until_when(client, auth, world, app):
    response = _fail(auth, world.agent.email, 5)
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.text
    # Even the right password is refused while locked.
    response = auth.login(world.agent.email)
    assert response.status_code == 429
    with app.app_context():
        assert db.session.get(User, world.agent.id).locked_until is not None


def test_the_lock_lifts_after_its_time(client, auth, world, clock):
    _fail(auth, world.agent.email, 5)
    clock.advance(minutes=16)
    response = auth.login(world.agent.email)
    assert response.status_code == 302


def test_a_successful_sign_in_resets_the_failure_count(client, auth, world, app):
    _fail(auth, world.agent.email, 4)
    assert auth.login(world.agent.email).status_code == 302
    auth.logout()
    response = _fail(auth, world.agent.email, 4)
    assert response.status_code == 400  # four more failures: not locked yet
    with app.app_context():
        assert db.session.get(User, world.agent.id).locked_until is None


def test_unknown_email_and_wrong_password_get_the_same_answer(client, auth, world):
    unknown = auth.login("nobody@example.com", PASSWORD)
    wrong = auth.login(world.agent.email, "wrong-password-1")
    assert unknown.status_code == wrong.status_code == 400
    assert "Email or password is wrong." in unknown.text
    assert "Email or password is wrong." in wrong.text


def test_signing_in_starts_a_new_session_and_signing_out_ends_it(client, auth, world):
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    auth.login(world.agent.email)
    with client.session_transaction() as session:
        assert "planted" not in session
    assert client.get("/desk/").status_code == 200
    auth.logout()
    response = client.get("/desk/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_login_redirects_only_within_the_site(client, world):
    response = client.post(
        "/login", data={"email": world.agent.email, "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/desk")
