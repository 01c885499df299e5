"""The promises in force are cached per process, and a change made anywhere is seen at once.

"Another process" is played by plain SQL on a separate connection: it changes the database without
this process's sessions flushing anything, as a second gunicorn worker would.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import event, text

from complaints.extensions import db
from complaints.models import CalendarDay, SlaPolicy
from complaints.services import pledges
from complaints.sla import policy
from complaints.timekeeping import now

GENERAL, MAJOR = 1, 2
CN = 1


def _fresh_session() -> None:
    """End the session as a request ends, so the next read is a new request's."""
    db.session.commit()
    db.session.remove()


def _elsewhere(sql: str, **params) -> None:
    with db.engine.begin() as connection:
        connection.execute(text(sql), params)


def _statements(fn) -> tuple[object, int]:
    seen = []
    listener = lambda *args: seen.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        return fn(), len(seen)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)


def test_a_new_request_reads_the_promises_in_force_with_one_statement(app):
    with app.app_context():
        first = policy.in_force(None, False)
        policy.calendar_of(CN, now())
        _fresh_session()
        again, statements = _statements(lambda: policy.in_force(None, False))
        assert again == first
        assert statements == 1  # the fingerprint; the promises and their calendar come from memory
        _, statements = _statements(lambda: policy.calendar_of(CN, now()))
        assert statements == 0  # the same request does not ask again


def test_a_version_published_by_another_process_is_in_force_at_the_next_request(app, world):
    with app.app_context():
        before = policy.in_force(None, False)
        _fresh_session()
        _elsewhere(
            "INSERT INTO sla_policy_versions (policy_id, number, created_at, note) "
            "VALUES (:policy, 99, :at, 'published elsewhere')",
            policy=GENERAL,
            at=now().replace(tzinfo=None),
        )
        _elsewhere(
            "INSERT INTO sla_targets (version_id, kind, amount, unit, calendar_id, warn_percent, pause_on, "
            "breach_actions) SELECT max(id), 'response', 2, 'hours', 2, 50, '[]', '[]' FROM sla_policy_versions"
        )
        after = policy.in_force(None, False)
        assert after.version_id > before.version_id
        assert set(after.by_kind) == {"response"}
        assert after.get("response").amount == 2


def test_a_policy_deactivated_by_another_process_is_no_longer_in_force(app, world):
    with app.app_context():
        assert policy.in_force(None, True).version_id != policy.in_force(None, False).version_id
        _fresh_session()
        _elsewhere("UPDATE sla_policies SET active = :off WHERE id = :id", off=False, id=MAJOR)
        assert policy.in_force(None, True).version_id == policy.in_force(None, False).version_id


def test_a_holiday_declared_by_another_process_counts_at_the_next_request(app, world):
    with app.app_context():
        start = now()
        monday = start.date() + timedelta(days=(7 - start.weekday()) % 7 or 7)
        cal = policy.calendar_of(CN, start)
        assert cal.spans_for(monday)
        _fresh_session()
        _elsewhere(
            "INSERT INTO calendar_days (calendar_id, day, is_working, note) VALUES (:cal, :day, :no, 'closed')",
            cal=CN,
            day=monday,
            no=False,
        )
        _elsewhere(
            "UPDATE work_calendars SET updated_at = :at WHERE id = :cal",
            at=start.replace(tzinfo=None),
            cal=CN,
        )
        assert not policy.calendar_of(CN, start).spans_for(monday)


def test_a_change_this_process_flushes_is_seen_in_the_same_request(app, world):
    with app.app_context():
        assert policy.calendar_of(CN, now()).spans_for(date(2026, 3, 9))
        db.session.add(CalendarDay(calendar_id=CN, day=date(2026, 3, 9), is_working=False, note="closed"))
        db.session.flush()
        assert not policy.calendar_of(CN, now()).spans_for(date(2026, 3, 9))
        assert policy.in_force(None, True).version_id != policy.in_force(None, False).version_id
        pledges.set_policy_active(db.session.get(SlaPolicy, MAJOR), False)
        assert policy.in_force(None, True).version_id == policy.in_force(None, False).version_id


def test_each_request_reads_the_signed_in_user_and_the_fingerprint_with_one_statement_built_once(
    app, client, auth, world
):
    auth.login(world.agent.email)
    executed = []
    listener = lambda conn, clause, *args: executed.append(clause)  # noqa: E731
    with app.app_context():
        event.listen(db.engine, "before_execute", listener)
    try:
        for _ in range(2):
            with app.app_context():  # a request of its own, as a served one is (world keeps one open)
                assert client.get("/desk/").status_code == 200
    finally:
        with app.app_context():
            event.remove(db.engine, "before_execute", listener)
    users = [c for c in executed if str(c).startswith("SELECT users.id")]
    assert len(users) == 2  # one a request, with the fingerprint in it: no statement reads that alone
    assert all("sla_policy_versions" in str(c) for c in users)
    assert not [c for c in executed if str(c).startswith("SELECT (SELECT max(sla_policy_versions.id)")]
    # the same object both times: SQLAlchemy finds it compiled without building or walking it again
    assert users[0] is users[1]
