"""PostgreSQL's prepared statements: kept from request to request, refused where plans differ by value.

psycopg prepares a query that runs again on a connection, so PostgreSQL need not plan it again, but it
forgets every statement it prepared at each ROLLBACK (its `Connection._rollback_gen`), and
Flask-SQLAlchemy ends each request by closing the session, which rolls back. So PostgreSQL
planned every query of every page afresh: on the queue page, 1.7 ms of the 2.7 ms the server
spent. Two rules fix that:

- A transaction that surely wrote nothing ends with COMMIT, which changes nothing a ROLLBACK would
  not and keeps the connection's prepared statements. Surely: every statement it sent began with
  SELECT (anything else, an INSERT, UPDATE, DELETE, a WITH or a SAVEPOINT, counts as a write), the
  session holds no unflushed change and the request raised nothing. Any other transaction is
  left to the rollback, as before. The rule runs on SQLite too, where it changes nothing.
- psycopg prepares a query from its second run on a connection, not its sixth. PostgreSQL plans
  a prepared statement for its values five times before it may settle on one plan, so with
  psycopg's default a page's statements were planned eleven times on each new connection: a
  worker's first ten requests of a page paid 1-3 ms more, the slowest twentieth of the bench's
  PostgreSQL requests. Now six times. (A query run once is not prepared at all.)
- What a statement has the same at every run (a page's LIMIT, the state or the roles a list
  shows) is written into it (`fixed`), not sent as a parameter. With LIMIT $1 or state = $1,
  PostgreSQL's plan for any value looks dearer than its plan for the value at hand, and it plans
  the statement again at every run: the queue's keys and the supervisors' staff list were
  planned on every request, 0.3 ms each.
- A prepared statement is planned for its values five times, then PostgreSQL may settle on one
  plan for every value. A statement whose best plan depends on its values (a search for a rare
  word is read differently from one for a common word) says so with the execution option
  PLAN_EACH_TIME and is never prepared.
"""

from __future__ import annotations

from sqlalchemy import Integer, bindparam, event, literal
from sqlalchemy.exc import SQLAlchemyError

PLAN_EACH_TIME = "pledgedesk_plan_each_time"  # execution option: never prepare this statement
WROTE = "pledgedesk_wrote"  # Connection.info: a statement other than a SELECT ran in this transaction
PREPARE_AFTER_RUNS = 1  # psycopg's prepare_threshold: runs of a query on a connection before it is prepared


def fixed(value, type_=Integer):
    """`value` written into the statement where it runs, not sent as a parameter: for what is the
    same at every run (a page's LIMIT, the state a list shows), so PostgreSQL plans for it once. A
    statement kept for reuse must be built with the same value each time. A tuple is a list of
    values for IN."""
    if isinstance(value, tuple):
        return bindparam(None, list(value), type_, expanding=True, literal_execute=True)
    return literal(value, type_, literal_execute=True)


def _note_statement(conn, cursor, statement, parameters, context, executemany) -> None:
    if statement.lstrip()[:6].upper() != "SELECT":
        conn.info[WROTE] = True


def _forget(conn, *args) -> None:
    conn.info.pop(WROTE, None)


def _prepare_from_the_second_run(dbapi_connection, connection_record) -> None:
    dbapi_connection.prepare_threshold = PREPARE_AFTER_RUNS


def _execute_unprepared(cursor, statement, parameters, context) -> bool:
    """psycopg's execute without preparing, for statements marked PLAN_EACH_TIME."""
    if context is None or not context.execution_options.get(PLAN_EACH_TIME):
        return False
    cursor.execute(statement, parameters, prepare=False)
    return True


def only_read(session) -> bool:
    """Whether the session's transaction is open and has read and nothing else."""
    if not session.in_transaction() or session.in_nested_transaction():
        return False
    if session.new or session.dirty or session.deleted:
        return False
    connections = [conn for conn, *_ in session.get_transaction()._connections.values()]
    return bool(connections) and not any(conn.info.get(WROTE) for conn in connections)


def register(app, db) -> None:
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", _note_statement)
    event.listen(engine, "commit", _forget)
    event.listen(engine, "rollback", _forget)
    if engine.dialect.name == "postgresql":
        event.listen(engine, "do_execute", _execute_unprepared, retval=True)
        event.listen(engine, "connect", _prepare_from_the_second_run)

    # Registered after Flask-SQLAlchemy's own teardown, so it runs before the session is closed.
    @app.teardown_appcontext
    def _commit_what_only_read(exc) -> None:
        if exc is not None:
            return
        session = db.session()  # the Session itself: the scoped proxy has no in_transaction()
        if only_read(session):
            # Left as closing the session leaves them (loaded, not expired): objects read in an
            # app context may be looked at after it, as tests and commands do.
            session.expire_on_commit, expire = False, session.expire_on_commit
            try:
                session.commit()
            except SQLAlchemyError:
                # The connection lost at COMMIT, say: nothing was written, so the request's
                # answer stands; the rollback returns the connection to the pool clean.
                session.rollback()
            finally:
                session.expire_on_commit = expire
