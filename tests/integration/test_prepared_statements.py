"""How a request's transaction ends (complaints/prepared_statements.py): COMMIT when it surely only
read, ROLLBACK otherwise, with nothing written by a request that did not commit; and, on
PostgreSQL, statements prepared once and kept from request to request, except those planned for
their values each time."""

from __future__ import annotations

import re

import pytest
from flask import abort
from sqlalchemy import event, select, text, update
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from complaints.extensions import db
from complaints.models import Category
from complaints.prepared_statements import only_read
from tests.support import AuthActions, World, statements_during


@pytest.fixture
def world(app):
    with app.app_context():
        return World.build()


@pytest.fixture
def endings(app):
    """How each transaction on the engine ended, in order: "commit" or "rollback"."""
    ended: list[str] = []
    with app.app_context():
        engine = db.engine
    event.listen(engine, "commit", lambda conn: ended.append("commit"))
    event.listen(engine, "rollback", lambda conn: ended.append("rollback"))
    return ended


@pytest.fixture
def routes(app):
    """Routes that read, write and fail in the ways a view may, added before the first request."""

    def first_category() -> Category:
        return db.session.scalars(select(Category).order_by(Category.id)).first()

    def read():
        return first_category().code

    def flush_then_refuse():
        db.session.add(Category(code="flushed", name_zh="写入", name_en="Flushed"))
        db.session.flush()
        return "refused", 400

    def pending_only():
        first_category().name_en = "Renamed but never committed"
        return "not saved", 200

    def bulk_update_then_refuse():
        db.session.execute(update(Category).values(name_en="Updated but never committed"))
        return "refused", 409

    def read_then_raise():
        first_category()
        raise RuntimeError("a bug after reading")

    def read_then_abort():
        first_category()
        abort(404)

    def failed_select_caught():
        try:
            db.session.execute(text("SELECT no_such_column FROM categories"))
        except SQLAlchemyError:
            return "the view carried on", 200
        return "the statement did not fail", 500

    def read_then_commit_fails():
        first_category()

        def connection_lost(session):
            raise OperationalError("COMMIT", {}, ConnectionError("server closed the connection"))

        event.listen(db.session(), "before_commit", connection_lost, once=True)
        return "read"

    def nested_read():
        with db.session.begin_nested():
            first_category()
        return "read in a savepoint"

    for view in (
        read,
        flush_then_refuse,
        pending_only,
        bulk_update_then_refuse,
        read_then_raise,
        read_then_abort,
        failed_select_caught,
        read_then_commit_fails,
        nested_read,
    ):
        app.add_url_rule(f"/_test/{view.__name__}", view.__name__, view)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    return app


def _names(app) -> set[str]:
    with app.app_context():
        return {category.name_en for category in db.session.scalars(select(Category))}


def _codes(app) -> set[str]:
    with app.app_context():
        return set(db.session.scalars(select(Category.code)))


def test_a_request_that_only_read_ends_with_commit(routes, world, endings):
    client = routes.test_client()
    assert client.get("/_test/read").status_code == 200
    assert endings == ["commit"]


def test_a_real_page_that_only_reads_ends_with_commit(app, world, endings):
    client = app.test_client()
    AuthActions(client).login(world.agent.email)
    endings.clear()
    assert client.get("/desk/").status_code == 200
    assert endings == ["commit"]


def test_a_flushed_insert_is_rolled_back_when_the_request_does_not_commit(routes, world, endings):
    client = routes.test_client()
    assert client.get("/_test/flush_then_refuse").status_code == 400
    assert endings == ["rollback"]
    assert "flushed" not in _codes(routes)


def test_an_unflushed_change_is_neither_flushed_nor_committed(routes, world, endings):
    client = routes.test_client()
    assert client.get("/_test/pending_only").status_code == 200
    assert endings == ["rollback"]
    assert "Renamed but never committed" not in _names(routes)


def test_a_bulk_update_without_commit_is_rolled_back(routes, world, endings):
    client = routes.test_client()
    assert client.get("/_test/bulk_update_then_refuse").status_code == 409
    assert endings == ["rollback"]
    assert "Updated but never committed" not in _names(routes)


def test_a_request_that_raised_is_rolled_back(routes, world, endings):
    client = routes.test_client()
    assert client.get("/_test/read_then_raise").status_code == 500
    assert endings == ["rollback"]


def test_an_error_page_rolls_back_even_a_request_that_only_read(routes, world, endings):
    client = routes.test_client()  # web/errors.py: an error page drops whatever the request did
    assert client.get("/_test/read_then_abort").status_code == 404
    assert endings == ["rollback"]


def test_a_failed_select_the_view_caught_ends_quietly_and_the_next_request_works(routes, world, endings):
    client = routes.test_client()
    response = client.get("/_test/failed_select_caught")
    assert (response.status_code, response.text) == (200, "the view carried on")
    # (PostgreSQL aborted the transaction, and only a rollback ends it; SQLite's commits.)
    assert client.get("/_test/read").status_code == 200


def test_a_commit_that_fails_after_a_read_is_rolled_back_quietly(routes, world, endings):
    client = routes.test_client()
    assert client.get("/_test/read_then_commit_fails").status_code == 200
    assert endings[-1] == "rollback"
    assert client.get("/_test/read").status_code == 200
    assert endings[-1] == "commit"


def test_a_savepoint_counts_as_a_write(routes, world, endings):
    client = routes.test_client()
    assert client.get("/_test/nested_read").status_code == 200
    assert endings[-1] == "rollback"


def test_objects_read_in_an_app_context_stay_loaded_after_it(app, world):
    with app.app_context():
        category = db.session.scalars(select(Category).order_by(Category.id)).first()
    assert category.code  # loaded, not expired by the commit that ended the context


def test_only_read_answers_for_the_session_as_it_stands(app, world):
    with app.app_context():
        session = db.session()
        assert not only_read(session)  # no transaction yet
        db.session.scalars(select(Category)).all()
        assert only_read(session)
        db.session.scalars(select(Category)).first().name_en = "changed"
        assert not only_read(session)  # an unflushed change
        db.session.rollback()
        db.session.execute(update(Category).values(active=True))
        assert not only_read(session)  # a statement that is not a SELECT
        db.session.rollback()
        db.session.scalars(select(Category)).all()
        assert only_read(session)  # a new transaction starts clean


# --- PostgreSQL: prepared statements kept, and not for the search -------------------------------


def _prepared_queries(app, visit, times: int) -> list[bytes]:
    """The queries the connection had prepared after `visit` ran `times` times."""
    seen: list[bytes] = []

    def note(conn, cursor, statement, parameters, context, executemany):
        prepared = getattr(cursor.connection, "_prepared", None)  # psycopg's prepared statements
        seen[:] = [key[0] for key in prepared._names] if prepared is not None else []

    with app.app_context():
        engine = db.engine
    event.listen(engine, "after_cursor_execute", note)
    for _ in range(times):
        visit()
    event.remove(engine, "after_cursor_execute", note)
    return seen


@pytest.fixture
def postgres(app):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("prepared statements are PostgreSQL's (make test-postgres)")


def test_postgresql_keeps_a_pages_statements_prepared_between_requests(app, world, postgres):
    client = app.test_client()
    AuthActions(client).login(world.agent.email)
    prepared = _prepared_queries(app, lambda: client.get("/desk/"), times=7)
    assert any(b"FROM sla_clocks" in query for query in prepared)
    assert any(b"FROM users" in query for query in prepared)


def test_postgresql_plans_a_search_for_its_words_every_time(app, world, postgres):
    with app.app_context():
        reference = world.file(title="蓝牙耳机没有声音", description="蓝牙连不上。")
    client = app.test_client()
    AuthActions(client).login(world.agent.email)
    visit = lambda: client.get("/desk/search", query_string={"q": "蓝牙"})  # noqa: E731
    prepared = _prepared_queries(app, visit, times=7)
    assert reference in visit().get_data(as_text=True)
    assert prepared, "the page's other statements are prepared"
    assert not any(b"to_tsquery" in query for query in prepared)


def test_postgresql_prepares_a_pages_statements_from_their_second_run(app, world, postgres):
    """PostgreSQL plans a prepared statement five times before it may keep one plan: the sooner
    psycopg prepares it, the fewer of a new connection's requests pay for planning."""
    client = app.test_client()
    AuthActions(client).login(world.agent.email)
    client.get("/desk/")  # the sign-in's redirect may land elsewhere: this is the page's first run
    prepared = _prepared_queries(app, lambda: client.get("/desk/"), times=1)
    assert any(b"FROM sla_clocks" in query for query in prepared)


def test_what_a_page_has_the_same_at_every_run_is_written_into_its_statements(app, world):
    """A LIMIT or a list of roles sent as a parameter made PostgreSQL plan the statement again
    at every run (its plan for any value looked dearer than its plan for the value at hand)."""
    client = app.test_client()
    AuthActions(client).login(world.supervisor.email)
    with app.app_context():
        world.file()
    staff = []
    for page in ("/desk/", "/desk/?sort=oldest", "/desk/?sort=priority", "/desk/at-risk"):
        with app.app_context():
            response, statements = statements_during(lambda page=page: client.get(page))
        assert response.status_code == 200
        keys = [s for s in statements if "ORDER BY" in s and " LIMIT " in s and "FROM users" not in s]
        assert keys, page
        for statement in keys:
            assert not re.search(r"LIMIT (\?|%\(|\$)", statement), statement
        staff += [s for s in statements if "FROM users" in s and "users.role IN" in s]
    assert staff and all(re.search(r"users\.role IN \('\w+'", s) for s in staff), staff
