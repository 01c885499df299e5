"""`make load`: many people at once against gunicorn (2 workers) on 127.0.0.1, then proof that
nothing acknowledged was lost.

50 consumers (each its own account and cookies) file complaints and reply on them, 10 agents work
the open queue (open a complaint, claim, reply, verify through the desk's forms), and an SLA sweep
runs every 2 s in its own process. The pledge's response window is cut to 36 s for the run, so
warnings and breaches fall due while people act on the same complaints.

The amount of work is fixed (per consumer: filings and replies; per agent: actions) and a global
deadline stops everything. Afterwards the database must show every acknowledged complaint and
reply exactly once, references of the year without a gap, every attachment on disk and no
orphan file, each SLA warning and breach recorded once, and `flask audit verify` must pass.
No request may get a 5xx or go unanswered. Exit status 1 on any violation.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.load.harness import (  # noqa: E402
    BIN,
    FAST_HASHING,
    PASSWORD,
    Reply,
    Server,
    Session,
    attachment_dir,
    connect,
    database_path,
    files_on_disk,
    filing_fields,
    flask_command,
    pdf,
    prepare,
    server_env,
    token,
)

FILED = re.compile(r"^/portal/complaints/(C-\d{4}-\d{6})/filed$")
DESK_LINK = re.compile(r'href="/desk/complaints/(C-\d{4}-\d{6})"')
VERSION = re.compile(r'name="version" value="(\d+)"')

# What each kind of request may answer; anything else is reported. 409: a refusal the person
# sees (someone else changed the complaint first), which is the designed answer to a race.
EXPECTED = {
    "login form": {200},
    "login": {302},
    "filing form": {200},
    "file": {302},
    "filed page": {200},
    "consumer page": {200},
    "consumer reply": {302, 409},
    "queue": {200},
    "desk page": {200},
    "agent claim": {302, 409},
    "agent reply": {302, 409},
    "agent verify": {302, 409},
}

SWEEPER = r"""
import json, os, sys, time
from complaints import create_app
from complaints.extensions import db
from complaints.services.pledge_keeping import sweep

stop_file, interval, seconds = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
app = create_app()
runs = warned = breached = 0
errors = []
end = time.monotonic() + seconds
while time.monotonic() < end and not os.path.exists(stop_file):
    started = time.monotonic()
    with app.app_context():
        try:
            report = sweep()
            warned += report.warned
            breached += report.breached
        except Exception as exc:  # reported, never hidden: the next run takes the work again
            db.session.rollback()
            errors.append(f"{type(exc).__name__}: {exc}"[:300])
        finally:
            db.session.remove()
    runs += 1
    time.sleep(max(0.0, interval - (time.monotonic() - started)))
print(json.dumps({"runs": runs, "warned": warned, "breached": breached, "errors": errors}))
"""


@dataclass
class Outcome:
    kind: str
    status: int
    seconds: float
    who: str
    path: str
    error: str = ""


class Run:
    """What every thread records: each request, each acknowledged write."""

    def __init__(self, base: str, deadline: float, ids: dict):
        self.base = base
        self.deadline = deadline
        self.ids = ids
        self.lock = threading.Lock()
        self.outcomes: list[Outcome] = []
        self.filings: dict[str, str] = {}  # reference -> consumer email
        self.filings_with_evidence: set[str] = set()
        self.replies: dict[str, tuple[str, str]] = {}  # text -> (reference, author email)
        self.thread_errors: list[str] = []

    def over(self) -> bool:
        return time.monotonic() >= self.deadline

    def note(self, kind: str, who: str, path: str, reply: Reply) -> Reply:
        with self.lock:
            self.outcomes.append(Outcome(kind, reply.status, reply.seconds, who, path, reply.error))
        return reply


def consumer(run: Run, email: str, filings: int, replies: int, rng: random.Random) -> None:
    s = Session(run.base)
    form = run.note("login form", email, "/login", s.get("/login"))
    run.note(
        "login",
        email,
        "/login",
        s.post("/login", {"csrf_token": token(form.text), "email": email, "password": PASSWORD}),
    )
    mine: list[str] = []
    for i in range(max(filings, replies)):
        if i < filings and not run.over():
            reference = _file(run, s, email, i)
            if reference:
                mine.append(reference)
        if i < replies and mine and not run.over():
            _consumer_reply(run, s, email, rng.choice(mine), i)


def _file(run: Run, s: Session, email: str, i: int) -> str | None:
    path = "/portal/complaints/new"
    form = run.note("filing form", email, path, s.get(path))
    if form.status != 200:
        return None
    title = f"load {email} filing {i}"
    fields = filing_fields(token(form.text), run.ids["merchant_id"], run.ids["category_id"], title)
    # The first filing of each consumer carries a small PDF: files written under concurrency too.
    files = (
        [("evidence", f"receipt-{i}.pdf", pdf(20_000, f"{email}-{i}"), "application/pdf")] if i == 0 else []
    )
    done = run.note("file", email, path, s.post(path, fields, files))
    found = FILED.match(done.location) if done.status == 302 else None
    if done.status == 302 and not found:
        _misdirected(run, "filing", done)
    if not found:
        return None
    reference = found.group(1)
    with run.lock:
        if reference in run.filings:
            run.thread_errors.append(f"reference {reference} acknowledged twice")
        run.filings[reference] = email
        if files:
            run.filings_with_evidence.add(reference)
    run.note("filed page", email, done.location, s.get(done.location))
    return reference


def _consumer_reply(run: Run, s: Session, email: str, reference: str, i: int) -> None:
    path = f"/portal/complaints/{reference}"
    page = run.note("consumer page", email, path, s.get(path))
    if page.status != 200:
        return
    text = f"load reply from {email} #{i} {uuid.uuid4().hex}"
    done = run.note(
        "consumer reply",
        email,
        path + "/reply",
        s.post(path + "/reply", {"csrf_token": token(page.text), "body": text}),
    )
    if done.status == 302 and done.location == path:
        with run.lock:
            run.replies[text] = (reference, email)
    elif done.status == 302:
        _misdirected(run, "consumer reply", done)


def _misdirected(run: Run, what: str, done: Reply) -> None:
    """A redirect that is not the acknowledgement (e.g. to the sign-in page) is not a success."""
    with run.lock:
        run.thread_errors.append(f"{what} redirected to {done.location}, not to its acknowledgement")


def agent(run: Run, email: str, actions: int, rng: random.Random) -> None:
    s = Session(run.base)
    form = run.note("login form", email, "/login", s.get("/login"))
    run.note(
        "login",
        email,
        "/login",
        s.post("/login", {"csrf_token": token(form.text), "email": email, "password": PASSWORD}),
    )
    done = 0
    while done < actions and not run.over():
        queue = run.note("queue", email, "/desk/?queue=open", s.get("/desk/?queue=open"))
        references = DESK_LINK.findall(queue.text)
        if not references:
            time.sleep(0.2)  # nothing filed yet
            continue
        _work_one(run, s, email, rng.choice(references), rng)
        done += 1


def _work_one(run: Run, s: Session, email: str, reference: str, rng: random.Random) -> None:
    path = f"/desk/complaints/{reference}"
    page = run.note("desk page", email, path, s.get(path))
    if page.status != 200 or run.over():
        return
    available = set(re.findall(rf'action="{re.escape(path)}/(\w+)"', page.text))
    version = VERSION.search(page.text)
    fields = {"csrf_token": token(page.text), "version": version.group(1) if version else ""}
    roll = rng.random()
    if "claim" in available and roll < 0.4:
        action = "claim"
    elif "verify" in available and roll < 0.6:
        action = "verify"
    elif "reply" in available:
        action = "reply"
    else:
        return
    text = None
    if action == "reply":
        text = f"load reply from {email} {uuid.uuid4().hex}"
        fields["reply_body"] = text
    done = run.note(f"agent {action}", email, f"{path}/{action}", s.post(f"{path}/{action}", fields))
    if done.status == 302 and done.location != path:
        _misdirected(run, f"agent {action}", done)
    elif text and done.status == 302:
        with run.lock:
            run.replies[text] = (reference, email)


def start_sweeper(workdir: Path, interval: float, seconds: float) -> tuple[subprocess.Popen, Path]:
    stop_file = workdir / "stop-sweeper"
    process = subprocess.Popen(
        [BIN / "python", "-c", SWEEPER, str(stop_file), str(interval), str(seconds)],
        env=server_env(workdir),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return process, stop_file


def stop_sweeper(process: subprocess.Popen, stop_file: Path) -> dict:
    stop_file.touch()
    try:
        out, err = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate(timeout=10)
        return {"runs": 0, "warned": 0, "breached": 0, "errors": ["the sweeper did not stop"]}
    if process.returncode != 0:
        return {"runs": 0, "warned": 0, "breached": 0, "errors": [f"the sweeper crashed: {err[-2000:]}"]}
    return json.loads(out.strip().splitlines()[-1])


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, int(round(p * len(ordered))) - 1))]


def latency_table(outcomes: list[Outcome]) -> list[str]:
    by_kind: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        by_kind[o.kind].append(o)
    lines = [f"{'request':16} {'count':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  statuses"]
    for kind in EXPECTED:
        rows = by_kind.get(kind, [])
        if not rows:
            continue
        ms = [o.seconds * 1000 for o in rows]
        statuses = ", ".join(f"{k}: {v}" for k, v in sorted(Counter(o.status for o in rows).items()))
        lines.append(
            f"{kind:16} {len(rows):6d} {statistics.median(ms):8.1f} {percentile(ms, 0.95):8.1f} "
            f"{max(ms):8.1f}  {statuses}"
        )
    return lines


def verify_database(workdir: Path, run: Run) -> tuple[list[str], dict]:
    """Every acknowledged write is in the database exactly once; references have no gap; files and
    SLA marks agree with their rows. Returns (violations, numbers)."""
    problems: list[str] = []
    con = connect(database_path(workdir))
    stored = {
        r["reference"]: r["email"]
        for r in con.execute(
            "SELECT c.reference, u.email FROM complaints c JOIN users u ON u.id = c.consumer_id"
        )
    }
    lost_filings = [ref for ref in run.filings if ref not in stored]
    problems += [f"acknowledged complaint {ref} is not in the database" for ref in lost_filings]
    problems += [
        f"{ref} belongs to {stored[ref]}, acknowledged to {who}"
        for ref, who in run.filings.items()
        if ref in stored and stored[ref] != who
    ]
    unacknowledged = sorted(set(stored) - set(run.filings))
    duplicates = con.execute(
        "SELECT reference, count(*) n FROM complaints GROUP BY reference HAVING n > 1"
    ).fetchall()
    problems += [f"reference {r['reference']} stored {r['n']} times" for r in duplicates]

    for row in con.execute("SELECT year, last_seq FROM reference_counters"):
        seqs = sorted(int(ref.rsplit("-", 1)[1]) for ref in stored if ref.startswith(f"C-{row['year']}-"))
        if seqs != list(range(1, row["last_seq"] + 1)):
            missing = sorted(set(range(1, row["last_seq"] + 1)) - set(seqs))[:20]
            problems.append(
                f"references of {row['year']} are not 1..{row['last_seq']} without gaps "
                f"({len(seqs)} complaints; missing {missing})"
            )

    bodies = Counter(
        r["body"] for r in con.execute("SELECT body FROM messages WHERE body LIKE 'load reply from %'")
    )
    where = {
        r["body"]: r["reference"]
        for r in con.execute(
            "SELECT m.body, c.reference FROM messages m JOIN complaints c ON c.id = m.complaint_id "
            "WHERE m.body LIKE 'load reply from %'"
        )
    }
    lost_replies = [text for text in run.replies if bodies[text] == 0]
    problems += [f"acknowledged reply lost: {text!r}" for text in lost_replies]
    problems += [f"reply stored {bodies[t]} times: {t!r}" for t in run.replies if bodies[t] > 1]
    problems += [
        f"reply {t!r} is on {where[t]}, acknowledged on {ref}"
        for t, (ref, _who) in run.replies.items()
        if t in where and where[t] != ref
    ]
    unacknowledged_replies = sorted(set(bodies) - set(run.replies))

    problems += _check_files(con, workdir, run)
    problems += _check_sla_marks(con)
    numbers = {
        "complaints": len(stored),
        "lost_filings": len(lost_filings),
        "unacknowledged_filings": unacknowledged,
        "lost_replies": len(lost_replies),
        "unacknowledged_replies": unacknowledged_replies,
        "warnings": con.execute("SELECT count(*) FROM events WHERE action = 'sla_warning'").fetchone()[0],
        "breaches": con.execute("SELECT count(*) FROM events WHERE action = 'sla_breach'").fetchone()[0],
        "messages": sum(bodies.values()),
    }
    con.close()
    return problems, numbers


def _check_files(con, workdir: Path, run: Run) -> list[str]:
    problems = []
    rows = con.execute(
        "SELECT a.stored_name, a.size, c.reference FROM attachments a JOIN complaints c ON c.id = a.complaint_id"
    ).fetchall()
    on_disk = files_on_disk(attachment_dir(workdir))
    for row in rows:
        if on_disk.get(row["stored_name"]) != row["size"]:
            problems.append(
                f"attachment {row['stored_name']} of {row['reference']} missing or truncated on disk"
            )
    orphans = set(on_disk) - {r["stored_name"] for r in rows}
    problems += [f"orphan file on disk: {name}" for name in sorted(orphans)]
    with_files = {r["reference"] for r in rows}
    problems += [
        f"{ref} was acknowledged with evidence but has no attachment"
        for ref in sorted(run.filings_with_evidence - with_files)
    ]
    return problems


def _check_sla_marks(con) -> list[str]:
    """Each clock's warning and breach is an event exactly when the clock carries the mark."""
    problems = []
    for verb, column in (("sla_warning", "warned_at"), ("sla_breach", "breached_at")):
        marked = Counter(
            (r[0], r[1])
            for r in con.execute(f"SELECT complaint_id, kind FROM sla_clocks WHERE {column} IS NOT NULL")  # noqa: S608
        )
        events = Counter(
            (r[0], json.loads(r[1])["clock"])
            for r in con.execute("SELECT complaint_id, detail FROM events WHERE action = ?", (verb,))
        )
        for key in sorted(set(marked) | set(events)):
            if marked[key] != events[key]:
                problems.append(
                    f"{verb} of clock {key}: {events[key]} events for {marked[key]} marked clocks"
                )
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--consumers", type=int, default=50)
    parser.add_argument("--agents", type=int, default=10)
    parser.add_argument("--filings", type=int, default=4, help="complaints each consumer files")
    parser.add_argument("--replies", type=int, default=4, help="replies each consumer posts")
    parser.add_argument(
        "--agent-actions", type=int, default=40, help="actions (claim, reply, verify) per agent"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--deadline", type=float, default=300, help="seconds after which everything stops")
    parser.add_argument("--sweep-every", type=float, default=2.0, help="seconds between SLA sweeps")
    parser.add_argument(
        "--response-hours", default="0.01", help="the response window for the run (0.01 h = 36 s)"
    )
    parser.add_argument(
        "--production-hashing", action="store_true", help="sign in with production Argon2 costs (slow)"
    )
    parser.add_argument("--workdir", help="keep the database and logs here (default: a temporary folder)")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    workdir = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="pledgedesk-load-"))
    status = 1
    try:
        status = execute(args, workdir)
        return status
    finally:
        if status != 0:
            print(f"the database and the server's log are kept in {workdir}")
        elif not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)


def execute(args, workdir: Path) -> int:
    consumers = [f"load-consumer-{n:03d}@example.com" for n in range(args.consumers)]
    agents = [f"load-agent-{n:02d}@example.com" for n in range(args.agents)]
    users = [(e, "consumer") for e in consumers] + [(e, "agent") for e in agents]
    users.append(("load-supervisor@example.com", "supervisor"))  # receives the breach notices
    env = {} if args.production_hashing else FAST_HASHING
    started = time.monotonic()
    ids = prepare(workdir, users, response_hours=args.response_hours, env=env)
    print(f"prepared {len(users)} accounts in {time.monotonic() - started:.1f} s ({workdir})")

    violations: list[str] = []
    with Server(workdir, workers=args.workers, env=env) as server:
        sweeper, stop_file = start_sweeper(workdir, args.sweep_every, args.deadline + 30)
        run = Run(server.base, time.monotonic() + args.deadline, ids)
        rng = random.Random(args.seed)
        threads = [
            threading.Thread(
                target=_guarded,
                args=(run, consumer, email, args.filings, args.replies, random.Random(rng.random())),
                daemon=True,
            )
            for email in consumers
        ] + [
            threading.Thread(
                target=_guarded,
                args=(run, agent, email, args.agent_actions, random.Random(rng.random())),
                daemon=True,
            )
            for email in agents
        ]
        began = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=max(0.0, run.deadline + 90 - time.monotonic()))
        elapsed = time.monotonic() - began
        stuck = [t.name for t in threads if t.is_alive()]
        if stuck:
            violations.append(f"{len(stuck)} client threads still running after the deadline")
        incomplete = run.over()
        sweeps = stop_sweeper(sweeper, stop_file)
    final = flask_command(workdir, "scheduler", "run-once")  # alone: every mark due by now is recorded
    if final.returncode != 0:
        violations.append(f"the final sweep failed: {final.stderr[-1000:]}")

    outcomes = list(run.outcomes)
    print(
        f"\n{len(consumers)} consumers, {len(agents)} agents, gunicorn {args.workers} workers, SQLite; "
        f"{len(outcomes)} requests in {elapsed:.1f} s ({len(outcomes) / max(elapsed, 1e-9):.0f}/s)"
    )
    print("\n".join(latency_table(outcomes)))

    failed = [o for o in outcomes if o.status >= 500 or o.status == 0]
    unexpected = [o for o in outcomes if 0 < o.status < 500 and o.status not in EXPECTED[o.kind]]
    for o in failed[:50]:
        print(f"FAILED {o.kind} {o.path} by {o.who}: {o.status} {o.error}")
    for o in unexpected[:50]:
        print(f"UNEXPECTED {o.kind} {o.path} by {o.who}: {o.status}")
    if failed:
        by = Counter((o.kind, o.status) for o in failed)
        violations.append(f"{len(failed)} requests failed (5xx or no answer): {dict(by)}")
    if unexpected:
        violations.append(f"{len(unexpected)} requests answered an unexpected status")
    violations += run.thread_errors

    problems, numbers = verify_database(workdir, run)
    violations += problems
    audit = flask_command(workdir, "audit", "verify")
    print(
        f"\naudit verify (exit {audit.returncode}): {audit.stdout.strip().splitlines()[-1] if audit.stdout else ''}"
    )
    if audit.returncode != 0:
        violations.append(f"flask audit verify failed: {audit.stdout[-2000:]}{audit.stderr[-2000:]}")
    sweep_errors = sweeps.get("errors", [])
    print(
        f"sweeper: {sweeps.get('runs')} runs, {sweeps.get('warned')} warnings, {sweeps.get('breached')} breaches, "
        f"{len(sweep_errors)} errors; events: {numbers['warnings']} sla_warning, {numbers['breaches']} sla_breach"
    )
    for error in Counter(sweep_errors).most_common(10):
        print(f"SWEEP ERROR x{error[1]}: {error[0]}")
    if sweep_errors:
        violations.append(f"{len(sweep_errors)} sweep runs failed")
    print(
        f"acknowledged: {len(run.filings)} complaints ({numbers['complaints']} stored), {len(run.replies)} replies; "
        f"stored without acknowledgement: {len(numbers['unacknowledged_filings'])} complaints, "
        f"{len(numbers['unacknowledged_replies'])} replies"
    )
    refusals = sum(1 for o in outcomes if o.status == 409)
    print(f"409 refusals (someone changed the complaint first): {refusals}")
    if incomplete:  # a slow machine, not a wrong answer: what was done is still checked in full
        print(f"NOTE: the deadline of {args.deadline:.0f} s passed before all the fixed work was done")
    for v in violations:
        print(f"VIOLATION: {v}")
    lost = numbers["lost_filings"] + numbers["lost_replies"]
    print(
        f"load: {len(outcomes)} requests, {len(failed)} failed, {lost} lost writes, {len(violations)} violations"
    )
    return 1 if violations else 0


def _guarded(run: Run, fn, *args) -> None:
    try:
        fn(run, *args)
    except Exception as exc:  # a bug in the client must not pass for a quiet run
        with run.lock:
            run.thread_errors.append(f"client thread crashed: {type(exc).__name__}: {exc}")


if __name__ == "__main__":
    sys.exit(main())
