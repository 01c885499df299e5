"""Faults: a web worker killed in the middle of a filing, the scheduler killed in the middle of a
sweep, the database locked for longer than a request will wait. After each, what a person was told
and what the database and the disk hold must agree: a complaint is there whole or not at all,
references stay gapless, every SLA mark is recorded once, and a busy database is a polite 503.

Each test starts and stops its own processes (gunicorn on 127.0.0.1, a sweeper) with deadlines.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from complaints.extensions import db
from complaints.models import Event, Notification, SlaClock
from complaints.services.audit import verify_chains
from complaints.services.pledge_keeping import sweep
from tests.load.harness import (
    BUSY_MESSAGE,
    FAST_HASHING,
    ROOT,
    Server,
    Session,
    attachment_dir,
    connect,
    database_path,
    files_on_disk,
    filing_fields,
    flask_command,
    multipart,
    pdf,
    prepare,
    token,
)

CONSUMER = "fault-consumer@example.com"
SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW = "/portal/complaints/new"


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> tuple[Path, dict]:
    """One migrated database with a consumer, a shop and a category, copied for each test."""
    folder = tmp_path_factory.mktemp("template")
    ids = prepare(folder, [(CONSUMER, "consumer"), ("fault-agent@example.com", "agent")], env=FAST_HASHING)
    return folder, ids


@pytest.fixture
def site(template, tmp_path) -> tuple[Path, dict]:
    folder, ids = template
    for name in ("pledgedesk.sqlite3", "pledgedesk.sqlite3-wal", "pledgedesk.sqlite3-shm"):
        if (folder / name).exists():
            shutil.copy(folder / name, tmp_path / name)
    return tmp_path, ids


def _year() -> int:
    return datetime.now(UTC).year


def _state(workdir: Path) -> dict:
    """What the database and the disk hold, for comparing before and after a fault."""
    con = connect(database_path(workdir))
    try:
        counter = con.execute("SELECT last_seq FROM reference_counters WHERE year = ?", (_year(),)).fetchone()
        return {
            "references": [r[0] for r in con.execute("SELECT reference FROM complaints ORDER BY id")],
            "counter": counter[0] if counter else 0,
            "attachments": [
                (r["reference"], r["stored_name"], r["size"], r["sha256"])
                for r in con.execute(
                    "SELECT c.reference, a.stored_name, a.size, a.sha256 FROM attachments a "
                    "JOIN complaints c ON c.id = a.complaint_id ORDER BY a.id"
                )
            ],
            "messages": con.execute("SELECT count(*) FROM messages").fetchone()[0],
            "events": con.execute("SELECT count(*) FROM events").fetchone()[0],
            "files": files_on_disk(attachment_dir(workdir)),
        }
    finally:
        con.close()


def _assert_whole_or_absent(workdir: Path, evidence: list[bytes]) -> dict:
    """The filing that was cut off left either a whole complaint or nothing at all."""
    state = _state(workdir)
    con = connect(database_path(workdir))
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()
    assert len(state["references"]) in (0, 1), state["references"]
    # The counter advanced with the complaint or not at all: no number was used up for nothing.
    assert state["counter"] == len(state["references"])
    if state["references"]:
        assert state["references"] == [f"C-{_year()}-000001"]
        assert sorted(sha for *_, sha in state["attachments"]) == sorted(
            hashlib.sha256(data).hexdigest() for data in evidence
        )
        assert len(state["attachments"]) == len(evidence)
    else:
        assert state["attachments"] == []
    stored = {name: size for _ref, name, size, _sha in state["attachments"]}
    orphans = sorted(set(state["files"]) - set(stored))
    assert not orphans, (
        f"{len(orphans)} evidence files on disk belong to no complaint "
        f"(sizes {[state['files'][o] for o in orphans]}; complaints {state['references']}, "
        f"counter {state['counter']})"
    )
    assert state["files"] == stored, "an attachment's file is missing or truncated"
    return state


def _signed_in(server: Server) -> Session:
    session = Session(server.base)
    session.login(CONSUMER)
    return session


def _evidence(count: int, size: int) -> list[bytes]:
    return [pdf(size, f"scan {n}") for n in range(count)]


def _filing_request(session: Session, ids: dict, evidence: list[bytes]) -> tuple[bytes, str]:
    form = session.get(NEW)
    assert form.status == 200
    fields = filing_fields(token(form.text), ids["merchant_id"], ids["category_id"], "Cut off while filing")
    files = [("evidence", f"scan-{n}.pdf", data, "application/pdf") for n, data in enumerate(evidence)]
    return multipart(fields, files)


def _open_post(server: Server, session: Session, path: str, content_type: str, length: int):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    connection.putrequest("POST", path)
    connection.putheader("Cookie", session.cookie_header())
    connection.putheader("Content-Type", content_type)
    connection.putheader("Content-Length", str(length))
    connection.putheader("Accept-Language", "en")
    connection.endheaders()
    return connection


def _the_worker(server: Server) -> int:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        pids = server.worker_pids()
        if len(pids) == 1:
            return pids[0]
        time.sleep(0.05)
    raise AssertionError(f"expected one gunicorn worker, found {server.worker_pids()}")


def _kill_and_wait_for_replacement(server: Server, pid: int) -> None:
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        pids = server.worker_pids()
        if pids and pid not in pids:
            server.wait_ready(seconds=max(1.0, deadline - time.monotonic()))
            return
        time.sleep(0.05)
    raise AssertionError("gunicorn did not replace the killed worker")


def _response_or_none(connection: http.client.HTTPConnection) -> int | None:
    try:
        return connection.getresponse().status
    except (OSError, http.client.HTTPException):
        return None
    finally:
        connection.close()


def _file_small_complaint(session: Session, ids: dict) -> str:
    body, content_type = _filing_request(session, ids, [pdf(2000, "after the fault")])
    done = session.request("POST", NEW, body, content_type)
    assert done.status == 302, done.text[:500]
    return done.location


def test_worker_killed_while_the_filing_is_still_arriving_leaves_nothing_behind(site):
    workdir, ids = site
    evidence = _evidence(3, 4 * 1024 * 1024)
    with Server(workdir, workers=1, env=FAST_HASHING) as server:
        session = _signed_in(server)
        body, content_type = _filing_request(session, ids, evidence)
        worker = _the_worker(server)
        connection = _open_post(server, session, NEW, content_type, len(body))
        connection.send(body[: len(body) // 2])
        time.sleep(0.5)  # the worker is inside the request, waiting for the rest of the body
        _kill_and_wait_for_replacement(server, worker)
        assert _response_or_none(connection) is None  # nobody was told it was filed

        state = _assert_whole_or_absent(workdir, evidence)
        assert state["references"] == [] and state["files"] == {}

        # The replacement worker takes the next filing, and it gets the first number of the year.
        assert _file_small_complaint(session, ids) == f"/portal/complaints/C-{_year()}-000001/filed"


def test_worker_killed_while_storing_the_evidence_leaves_a_whole_complaint_or_none(site):
    workdir, ids = site
    evidence = _evidence(5, 9 * 1024 * 1024)  # 45 MB: writing and syncing them takes a while
    folder = attachment_dir(workdir)
    with Server(workdir, workers=1, env=FAST_HASHING) as server:
        session = _signed_in(server)
        body, content_type = _filing_request(session, ids, evidence)
        worker = _the_worker(server)
        connection = _open_post(server, session, NEW, content_type, len(body))
        sender = threading.Thread(target=_send_quietly, args=(connection, body), daemon=True)
        sender.start()
        deadline = time.monotonic() + 60
        while not files_on_disk(folder):  # the first evidence file appears: the filing is mid-write
            assert time.monotonic() < deadline, "the worker never started storing the evidence"
            time.sleep(0.001)
        _kill_and_wait_for_replacement(server, worker)
        sender.join(timeout=10)
        assert _response_or_none(connection) is None

        # The killed transaction never committed, but the file it was writing stays on disk:
        # the hourly prune (here run at once) removes files that no attachment row names.
        flask_command(workdir, "attachments", "prune", "--older-than", "0")
        state = _assert_whole_or_absent(workdir, evidence)
        following = len(state["references"]) + 1
        assert _file_small_complaint(session, ids) == f"/portal/complaints/C-{_year()}-{following:06d}/filed"


def _send_quietly(connection: http.client.HTTPConnection, body: bytes) -> None:
    with contextlib.suppress(OSError):  # the worker died while we were still sending
        connection.send(body)


# --- the scheduler killed in the middle of a sweep ----------------------------------------------

KILLED_SWEEPER = r"""
import sys, time
from datetime import datetime
from complaints import create_app
from complaints.extensions import db
from complaints.timekeeping import FrozenClock, install_clock
from complaints.services import pledge_keeping

uri, at, verb, batch, batch_size, marker = sys.argv[1:7]
app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": uri})
install_clock(app, FrozenClock(datetime.fromisoformat(at)))
real_record, real_notify = pledge_keeping.record_due, pledge_keeping.notify
done = {"sla_warning": 0, "sla_breach": 0}
current = {}


def record_due(kind, when, size):
    current["verb"] = kind
    return real_record(kind, when, size)


def notify_then_hang(notices):
    sent = real_notify(notices)
    kind = current["verb"]
    done[kind] += 1
    if kind == verb and done[kind] == int(batch):
        db.session.flush()  # this batch's marks, events and notices are written, not committed
        open(marker, "w").close()
        time.sleep(120)  # SIGKILL arrives here
    return sent


pledge_keeping.record_due, pledge_keeping.notify = record_due, notify_then_hang
with app.app_context():
    pledge_keeping.sweep(batch_size=int(batch_size))
"""

COMPLAINTS = 60
BATCH = 10


def _count(verb: str) -> int:
    return db.session.scalar(select(func.count()).select_from(Event).where(Event.action == verb))


def _marked(column) -> int:
    return db.session.scalar(select(func.count()).select_from(SlaClock).where(column.is_not(None)))


@pytest.mark.parametrize(
    ("verb", "batch"), [("sla_warning", 3), ("sla_breach", 2)], ids=["during-warnings", "during-breaches"]
)
def test_sweep_killed_mid_batch_then_run_again_records_every_warning_and_breach_once(
    app, world, clock, tmp_path, verb, batch
):
    for _ in range(COMPLAINTS):
        world.file()
    # Two days later: every response clock is past its warning point and its due time.
    clock.set(datetime(2026, 3, 4, 10, tzinfo=SHANGHAI))
    db.session.commit()
    db.session.remove()

    marker = tmp_path / "mid-batch"
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            KILLED_SWEEPER,
            app.config["SQLALCHEMY_DATABASE_URI"],
            clock.now().isoformat(),
            verb,
            str(batch),
            str(BATCH),
            str(marker),
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert child.poll() is None, f"the sweeper ended early: {child.communicate()[1][-2000:]}"
            assert time.monotonic() < deadline, "the sweeper never reached the batch to kill"
            time.sleep(0.01)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(timeout=10)

    # The killed run kept its committed batches only; the batch it was killed in left no trace.
    committed = (batch - 1) * BATCH
    warned, breached = (committed, 0) if verb == "sla_warning" else (COMPLAINTS, committed)
    assert (_count("sla_warning"), _count("sla_breach")) == (warned, breached)
    assert (_marked(SlaClock.warned_at), _marked(SlaClock.breached_at)) == (warned, breached)

    report = sweep(batch_size=BATCH)  # the scheduler is back
    assert (report.warned, report.breached) == (COMPLAINTS - warned, COMPLAINTS - breached)

    per_clock = db.session.execute(
        select(Event.action, Event.complaint_id, func.count())
        .where(Event.action.in_(["sla_warning", "sla_breach"]))
        .group_by(Event.action, Event.complaint_id)
    ).all()
    assert len(per_clock) == 2 * COMPLAINTS
    assert {count for *_, count in per_clock} == {1}
    assert (_marked(SlaClock.warned_at), _marked(SlaClock.breached_at)) == (COMPLAINTS, COMPLAINTS)
    supervisor_notices = db.session.scalar(
        select(func.count()).select_from(Notification).where(Notification.user_id == world.supervisor.id)
    )
    assert supervisor_notices == COMPLAINTS  # one breach notice per complaint, none twice
    assert not sweep()  # nothing left to record
    checked, breaks = verify_chains()
    assert breaks == [] and checked > 0


# --- the database locked for longer than a request waits -----------------------------------------


def test_writes_while_the_database_is_locked_get_the_busy_page_and_change_nothing(site):
    workdir, ids = site
    folder = attachment_dir(workdir)
    with Server(workdir, workers=3, env=FAST_HASHING) as server:
        filer, replier, adder = _signed_in(server), _signed_in(server), _signed_in(server)
        reference = _file_small_complaint(filer, ids).split("/")[3]
        page = f"/portal/complaints/{reference}"
        csrf = token(replier.get(page).text)
        filing = _filing_request(filer, ids, [pdf(30_000, "locked filing")])
        before = _state(workdir)
        writes = {
            "reply": lambda: replier.post(
                f"{page}/reply",
                {"csrf_token": csrf, "body": "A reply sent while the database is locked"},
                [("attachments", "photo.pdf", pdf(50_000, "locked reply"), "application/pdf")],
            ),
            # Evidence is written to disk before the first database write: the refused request
            # must take its file away again.
            "evidence": lambda: adder.post(
                f"{page}/evidence",
                {"csrf_token": token(adder.get(page).text)},
                [("evidence", "receipt.pdf", pdf(50_000, "locked evidence"), "application/pdf")],
            ),
            "filing": lambda: filer.request("POST", NEW, *filing),
        }
        answers, seen_on_disk = {}, set()
        lock = sqlite3.connect(database_path(workdir), isolation_level=None, timeout=5)
        try:
            lock.execute("BEGIN EXCLUSIVE")  # held longer than the app's busy timeout (10 s)
            assert replier.get(page).status == 200  # reading still works while someone writes (WAL)
            threads = [
                threading.Thread(target=lambda k=k, w=w: answers.__setitem__(k, w()), daemon=True)
                for k, w in writes.items()
            ]
            for thread in threads:
                thread.start()
            deadline = time.monotonic() + 45
            while any(t.is_alive() for t in threads) and time.monotonic() < deadline:
                seen_on_disk |= set(files_on_disk(folder)) - set(before["files"])
                time.sleep(0.01)
        finally:
            lock.rollback()
            lock.close()

        assert set(answers) == set(writes), "a request did not come back within 45 s"
        for kind, answer in answers.items():
            assert answer.status == 503, (kind, answer.status, answer.error, answer.text[:500])
            assert answer.headers.get("retry-after") == "5"
            assert BUSY_MESSAGE in answer.text
            assert "Traceback" not in answer.text and "OperationalError" not in answer.text
        assert seen_on_disk, "the evidence was never written, so its removal was not tested"
        # Nothing half-written: no message, no attachment row, no file, no number used up.
        assert _state(workdir) == before

        # Once the lock is gone the same filing goes through with the next number.
        retried = filer.request("POST", NEW, *filing)
        assert retried.status == 302
        assert retried.location == f"/portal/complaints/C-{_year()}-000002/filed"
