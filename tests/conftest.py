"""Fixtures every test uses: an app with its own database, a client, a frozen clock, people.

Migrating costs more than most tests do, so each xdist worker migrates a template database once
and every test starts from a copy of it: on SQLite a copy of the file; on PostgreSQL
(TEST_DATABASE_URL) the worker's database emptied back to what the migrations left, which measured
faster than a `CREATE DATABASE ... TEMPLATE` per test. A test may still run migrations on its own.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from complaints import create_app
from complaints.extensions import db
from complaints.timekeeping import FrozenClock, install_clock
from tests.support import AuthActions, World

WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_call(item):
    """Each case of a parametrized @given test starts from the test's own settings.

    Hypothesis's pytest plugin wraps the settings of a parametrized test in new ones for every
    case (parent: the settings the previous case left on the shared function), so the chain grows
    by one per case. A derandomized test has database=None, which settings.database never caches,
    so every case walks the whole chain: past ~950 cases in one process (the fuzz test has more
    than 1000) that is Python's recursion limit. Putting the settings back after each case keeps
    the chain two long.
    """
    function = getattr(getattr(item, "obj", None), "__func__", getattr(item, "obj", None))
    own = getattr(function, "_hypothesis_internal_use_settings", None)
    yield
    if own is not None:
        function._hypothesis_internal_use_settings = own


def _database_url(tmp_path) -> str:
    """An empty database for a fixture that migrates its own: a SQLite file under `tmp_path`, or
    (TEST_DATABASE_URL) this worker's PostgreSQL database, which that fixture downgrades after."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        return f"sqlite:///{tmp_path / 'test.sqlite3'}"
    return _ensure_postgres_database(_with_database(base, f"{_database_name(base)}_{WORKER}"))


def _postgres_admin(url: str):
    """An autocommit connection to the cluster's `postgres` database (CREATE/DROP DATABASE)."""
    import psycopg
    from sqlalchemy.engine import make_url

    admin = make_url(url).set(drivername="postgresql", database="postgres")
    return psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True)


def _database_name(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).database


def _with_database(url: str, name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(database=name).render_as_string(hide_password=False)


def _ensure_postgres_database(url: str) -> str:
    name = _database_name(url)
    with _postgres_admin(url) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')
    return url


def _create_postgres_database(url: str, template: str | None = None) -> str:
    """(Re)create the database of `url`, empty or as a copy of the database `template`."""
    name = _database_name(url)
    copy_of = f' TEMPLATE "{template}"' if template else ""
    with _postgres_admin(url) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"{copy_of}')
    return url


def _drop_postgres_database(url: str) -> None:
    with _postgres_admin(url) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{_database_name(url)}" WITH (FORCE)')


def _migrate(url: str, folder: Path) -> None:
    """Run every migration on `url`, then close every connection to it: SQLite folds its WAL into
    the file, and PostgreSQL copies a template only when nobody is connected to it."""
    app = create_app(
        "testing", {"SQLALCHEMY_DATABASE_URI": url, "ATTACHMENT_DIR": str(folder / "attachments")}
    )
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        db.session.remove()
        db.engine.dispose()


class _PostgresDatabases:
    """This worker's PostgreSQL databases: a migrated template, and the one the tests use in turn.

    Between two tests the working database is emptied (TRUNCATE, then the rows the migrations
    seed go back). That costs half of a `CREATE DATABASE ... TEMPLATE`, and a database that
    lives on keeps its warm caches: the whole suite ran about twice as fast this way. When a test
    changed the schema (it ran migrations) or the emptying fails, the template is copied again.
    """

    def __init__(self, base: str, folder: Path):
        from sqlalchemy import create_engine

        prefix = f"{_database_name(base)}_{WORKER}"  # {prefix} itself is _database_url's
        self.template = _create_postgres_database(_with_database(base, f"{prefix}_template"))
        _migrate(self.template, folder)
        self.url = _with_database(base, f"{prefix}_test")
        self._copy_template()
        self.engine = create_engine(self.url, pool_size=1, pool_pre_ping=True)
        with self.engine.connect() as connection:
            self.schema = self._schema(connection)
            self.tables, self.seeds = self._tables_and_seeds(connection)

    def _copy_template(self) -> None:
        _create_postgres_database(self.url, _database_name(self.template))

    @staticmethod
    def _schema(connection) -> str:
        return connection.execute(text(_SCHEMA_FINGERPRINT)).scalar_one()

    @staticmethod
    def _tables_and_seeds(connection):
        from sqlalchemy import MetaData, select

        metadata = MetaData()
        metadata.reflect(connection)
        tables = [t for t in metadata.sorted_tables if t.name != "alembic_version"]
        seeds = [(t, [dict(row) for row in connection.execute(select(t)).mappings()]) for t in tables]
        return tables, [(table, rows) for table, rows in seeds if rows]

    def fresh(self) -> str:
        """The working database as the migrations left it."""
        from sqlalchemy import insert
        from sqlalchemy.exc import DBAPIError

        try:
            with self.engine.begin() as connection:
                connection.execute(text(_OTHER_CONNECTIONS_CLOSED))  # a leaked one would block TRUNCATE
                if self._schema(connection) != self.schema:
                    raise _SchemaChanged
                connection.execute(text("SET LOCAL lock_timeout = '10s'"))
                names = ", ".join(f'"{table.name}"' for table in self.tables)
                connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
                for table, rows in self.seeds:
                    connection.execute(insert(table), rows)
                    if "id" in table.c:  # the next row gets the id it would have got
                        connection.execute(
                            text("SELECT setval(pg_get_serial_sequence(:table, 'id'), :last)"),
                            {"table": f'"{table.name}"', "last": max(row["id"] for row in rows)},
                        )
        except (_SchemaChanged, DBAPIError):
            self.engine.dispose()
            self._copy_template()
        return self.url

    def drop(self) -> None:
        self.engine.dispose()
        _drop_postgres_database(self.url)
        _drop_postgres_database(self.template)


class _SchemaChanged(Exception):
    """The working database's schema is no longer the template's."""


_SCHEMA_FINGERPRINT = """
SELECT md5(string_agg(item, ',' ORDER BY item)) FROM (
    SELECT c.relname || '.' || a.attname || ':' || format_type(a.atttypid, a.atttypmod) AS item
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND a.attnum > 0 AND NOT a.attisdropped
    UNION ALL SELECT indexdef FROM pg_indexes WHERE schemaname = 'public'
    UNION ALL SELECT version_num FROM alembic_version
) AS schema
"""
_OTHER_CONNECTIONS_CLOSED = """
SELECT pg_terminate_backend(pid) FROM pg_stat_activity
WHERE datname = current_database() AND pid <> pg_backend_pid()
"""


@pytest.fixture(scope="session")
def template_database(tmp_path_factory):
    """This worker's migrated database, made once: a SQLite file, or PostgreSQL's databases."""
    folder = tmp_path_factory.mktemp(f"template-{WORKER}")
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        path = folder / "template.sqlite3"
        _migrate(f"sqlite:///{path}", folder)
        connection = sqlite3.connect(path)  # the last connection to close folds the WAL into the file
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.close()
        assert not Path(f"{path}-wal").exists(), "the template's WAL was not folded into its file"
        yield path
        return
    databases = _PostgresDatabases(base, folder)
    yield databases
    databases.drop()


def _copy_of_template(template, tmp_path) -> str:
    """A database of this test's own, as the migrations left it."""
    if isinstance(template, _PostgresDatabases):
        return template.fresh()
    path = tmp_path / "test.sqlite3"
    shutil.copyfile(template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def clock():
    return FrozenClock(datetime(2026, 3, 2, 2, 0, tzinfo=UTC))  # Monday 10:00 in Shanghai


@pytest.fixture
def app(tmp_path, clock, template_database):
    database = _copy_of_template(template_database, tmp_path)
    app = create_app(
        "testing",
        {"SQLALCHEMY_DATABASE_URI": database, "ATTACHMENT_DIR": str(tmp_path / "attachments")},
    )
    install_clock(app, clock)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def world(app):
    """A small marketplace: merchants, categories, a mediation organisation, one user per role.

    Built in its own app context, then the test gets a fresh one: requests from test clients
    push their own contexts, so nothing (the signed-in user on `g`, the locale) leaks between
    two clients or between a client and the test's own database work.
    """
    with app.app_context():
        world = World.build()
        db.session.remove()
    with app.app_context():
        yield world


@pytest.fixture
def auth(client):
    return AuthActions(client)
