"""A complaint's page reads, with the complaint, whether it has offers, an agreement, a
referral, files and duplicates, and reads only those it has: most complaints have none."""

from __future__ import annotations

import pytest

from complaints.extensions import db
from complaints.services.attachments import Upload
from complaints.services.complaint_view import load_complaint_view
from complaints.workflow import Action
from tests.files import png_bytes
from tests.support import act_as, statements_during

SKIPPED = {
    "offers": "SELECT settlement_offers.",
    "agreement": "SELECT mediation_agreements.",
    "referral": "SELECT mediation_referrals.",
    "files": "SELECT attachments.",
    "duplicates": "SELECT complaints.reference FROM complaints WHERE complaints.duplicate_of_id",
}


def _reads(app, client, url: str) -> tuple[str, dict[str, int]]:
    """The page at `url` (asked for once before, to fill the process's caches) and how many
    statements read each of SKIPPED."""
    client.get(url)
    with app.app_context():
        response, statements = statements_during(lambda: client.get(url))
    assert response.status_code == 200
    counts = {name: len([s for s in statements if s.startswith(start)]) for name, start in SKIPPED.items()}
    return response.text, counts


def test_a_complaint_with_none_of_them_is_shown_without_reading_them(app, client, auth, world):
    reference = world.file()
    auth.login(world.agent.email)
    page, reads = _reads(app, client, f"/desk/complaints/{reference}")
    assert reference in page
    assert reads == dict.fromkeys(SKIPPED, 0)


def test_a_complaint_with_files_and_a_duplicate_reads_and_shows_them(app, client, auth, world):
    first = world.file(files=[Upload("receipt.png", png_bytes())])
    second = world.file()
    act_as(world, second, "agent", Action.MARK_DUPLICATE, original=first)
    auth.login(world.agent.email)
    page, reads = _reads(app, client, f"/desk/complaints/{first}")
    assert "receipt.png" in page and second in page
    assert reads["files"] == 1 and reads["duplicates"] == 1
    assert reads["offers"] == reads["agreement"] == reads["referral"] == 0


def test_sqlite_answers_what_a_complaint_has_from_indexes_when_no_complaint_repeats_another(app, world):
    """At a million complaints none of which repeats another, SQLite's statistics put them all
    under one key of the duplicates' index. An EXISTS that needs more than the index then read
    every complaint (250 ms a page)."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("EXPLAIN QUERY PLAN and sqlite_stat1 are SQLite's")
    with app.app_context():
        reference = world.file()
        connection = db.session.connection()
        connection.exec_driver_sql("ANALYZE")
        connection.exec_driver_sql("DELETE FROM sqlite_stat1 WHERE idx = 'ix_complaints_duplicate_of'")
        connection.exec_driver_sql(
            "INSERT INTO sqlite_stat1 VALUES ('complaints', 'ix_complaints_duplicate_of', '1000000 1000000')"
        )
        connection.exec_driver_sql("ANALYZE sqlite_schema")  # the planner reads the statistics again
        _, statements = statements_during(lambda: load_complaint_view(world.user("agent"), reference))
        with_flags = next(s for s in statements if "EXISTS" in s)
        plan = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + with_flags, (reference,)).all()
    steps = [row[-1] for row in plan]
    assert len([s for s in steps if "USING COVERING INDEX" in s]) == 5, steps  # the five EXISTS
    assert not [s for s in steps if s.startswith("SCAN")], steps
