"""`make bench`: seed N complaints, serve with gunicorn (2 workers) on 127.0.0.1, time requests.

`--db sqlite` (default), `--db postgres` (a throwaway cluster started by tests/postgres/cluster.sh
with PostgreSQL's durable defaults, kept between runs) or `--db both`. The seeded complaints carry
the pledge clocks the application would have kept (`flask seed-bench`), so the queue is read in
due order. Prints p50 and p95 of sequential HTTP requests for the agent queue's first page and a
page half-way down it, the supervisors' at-risk and overdue lists, the complaint page, the
consumer's list, a search for a common and a rare word, and a consumer filing a complaint; and,
for filing, the peer's public ticket submission measured in the same run on the same kind of
database (tests/bench/peer_helpdesk.py; --no-peer skips it). Then a profile of the slowest page.
Every loop is bounded; servers are stopped at the end.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from abc import ABC, abstractmethod
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
PG_PORT = 54331
PG_DATA = "/tmp/pledgedesk-bench-pg"
PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:{port}/{name}"
# A production-like PostgreSQL for this machine (24 GiB); durable (fsync on), unlike the suite's.
PG_OPTIONS = "-c shared_buffers=2GB -c effective_cache_size=12GB -c work_mem=16MB -c max_connections=50"
OPEN_STATES = "('received', 'verified', 'mediated')"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Database(ABC):
    """A benchmark database: where it is, how to fill it once, how to read facts from it."""

    name = "?"

    def __init__(self, n: int):
        self.n = n

    @property
    @abstractmethod
    def url(self) -> str:
        """The SQLAlchemy URL of the benchmark database."""

    def env(self) -> dict:
        env = dict(os.environ)
        env.update(
            FLASK_APP="wsgi",
            DATABASE_URL=self.url,
            PLEDGEDESK_INSTANCE=f"/tmp/pledgedesk-bench-instance-{self.name}",
            RATELIMIT_ENABLED="0",
            SCHEDULER_ENABLED="0",
        )
        return env

    def engine(self):
        from sqlalchemy import create_engine

        return create_engine(self.url)

    def seeded(self) -> bool:
        """Whether the database holds the N bench complaints already (and the few each run files)."""
        from sqlalchemy import text

        try:
            with self.engine().connect() as con:
                return con.execute(text("SELECT count(*) FROM complaints")).scalar() >= self.n
        except Exception:  # no such database or table yet
            return False

    def seed(self) -> None:
        env = self.env()
        upgrade = [BIN / "flask", "db", "upgrade"]
        if self.seeded():
            print(f"{self.name}: reusing the {self.n:,} complaints already seeded")
            subprocess.run(upgrade, env=env, check=True, cwd=ROOT, capture_output=True)
            return
        self.create()
        subprocess.run(upgrade, env=env, check=True, cwd=ROOT, capture_output=True)
        started = time.perf_counter()
        subprocess.run(
            [BIN / "flask", "seed-bench", "--complaints", str(self.n)], env=env, check=True, cwd=ROOT
        )
        print(f"{self.name}: seeded {self.n:,} complaints in {time.perf_counter() - started:.1f} s")
        self.settle()

    @abstractmethod
    def settle(self) -> None:
        """After seeding: bring the database to the state a running one is in."""

    @abstractmethod
    def create(self) -> None:
        """Make an empty database to seed (dropping one left from an older run)."""

    @abstractmethod
    def start(self) -> None:
        """Make the database reachable (start its server)."""

    @abstractmethod
    def stop(self) -> None:
        """Undo start()."""


class Sqlite(Database):
    name = "SQLite"

    @property
    def path(self) -> Path:
        return Path(f"/tmp/pledgedesk-bench-{self.n}.sqlite3")

    @property
    def url(self) -> str:
        return f"sqlite:///{self.path}"

    def start(self) -> None:
        """A file: there is no server to start."""

    def stop(self) -> None:
        """A file: there is no server to stop."""

    def settle(self) -> None:
        """Nothing to do: seeding ended with ANALYZE, and SQLite keeps no visibility map."""

    def create(self) -> None:
        for leftover in (self.path, Path(f"{self.path}-wal"), Path(f"{self.path}-shm")):
            leftover.unlink(missing_ok=True)


class Postgres(Database):
    name = "PostgreSQL"

    @property
    def url(self) -> str:
        return PG_SERVER.format(port=PG_PORT, name=f"pledgedesk_bench_{self.n}")

    def _cluster(self, command: str) -> None:
        env = dict(
            os.environ, PGPORT=str(PG_PORT), PGDATA=PG_DATA, DURABLE="1", KEEP="1", PG_OPTIONS=PG_OPTIONS
        )
        subprocess.run([ROOT / "tests/postgres/cluster.sh", command], env=env, check=True)

    def start(self) -> None:
        self._cluster("start")

    def stop(self) -> None:
        self._cluster("stop")

    def create(self) -> None:
        from sqlalchemy import create_engine, text

        admin = create_engine(PG_SERVER.format(port=PG_PORT, name="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as con:
            con.execute(text(f"DROP DATABASE IF EXISTS pledgedesk_bench_{self.n}"))
            con.execute(text(f"CREATE DATABASE pledgedesk_bench_{self.n}"))
        admin.dispose()

    def settle(self) -> None:
        """Vacuumed, as autovacuum keeps a running database: a bulk load leaves the visibility map
        empty, and every index-only scan then reads the table too (the first runs after seeding
        timed that, not production)."""
        from sqlalchemy import create_engine, text

        engine = create_engine(self.url, isolation_level="AUTOCOMMIT")
        with engine.connect() as con:
            con.execute(text("VACUUM (ANALYZE)"))
        engine.dispose()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Session:
    """A signed-in browser-like client: cookies and CSRF tokens."""

    def __init__(self, base: str):
        self.base = base
        jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        # for a form's POST alone, without the page it redirects to (timed as the peer is)
        self.poster = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)

    def get(self, path: str) -> tuple[int, str]:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.status, response.read().decode()

    def post(self, path: str, data: dict) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode()
        with self.opener.open(self.base + path, data=body, timeout=30) as response:
            return response.status, response.read().decode()

    def submit(self, path: str, data: dict) -> int:
        """POST a form and return its status without following the redirect (303 on success)."""
        body = urllib.parse.urlencode(data).encode()
        try:
            with self.poster.open(self.base + path, data=body, timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as redirect:  # urllib reports an unfollowed redirect so
            return redirect.code

    def login(self, email: str, password: str) -> None:
        _, html = self.get("/login")
        token = CSRF.search(html).group(1)
        self.post("/login", {"csrf_token": token, "email": email, "password": password})
        with self.opener.open(self.base + "/account", timeout=30) as response:
            if "/login" in response.geturl():
                raise RuntimeError(f"{email} could not sign in")


def _percentiles(samples: list[float]) -> tuple[float, float]:
    samples = sorted(samples)
    return statistics.median(samples), samples[min(len(samples) - 1, int(round(0.95 * len(samples))) - 1)]


WARM_UP = 10  # requests before the timed ones: both workers' caches, like the peer's warm-up


def timed(fn, runs: int) -> tuple[float, float]:
    for _ in range(WARM_UP):
        fn()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return _percentiles(samples)


def _instant(value) -> datetime:
    """A timestamp as the database returns it: SQLite's naive-UTC text or an aware datetime."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _facts(database: Database, k: int) -> dict:
    """What the timed requests need, read outside the timing: the cursor of a page half-way down
    the due-ordered queue (a running clock's due instant and id), sample references, a shop."""
    from sqlalchemy import text

    with database.engine().connect() as con:
        running = (
            "FROM sla_clocks c JOIN complaints p ON p.id = c.complaint_id "
            f"WHERE c.stopped_at IS NULL AND c.paused_at IS NULL AND p.state IN {OPEN_STATES}"
        )
        count = con.execute(text(f"SELECT count(*) {running}")).scalar()
        due_at, clock_id = con.execute(
            text(f"SELECT c.due_at, c.id {running} ORDER BY c.due_at, c.id LIMIT 1 OFFSET :half"),
            {"half": max(0, count // 2)},
        ).one()
        top = con.execute(text("SELECT max(id) FROM complaints")).scalar()
        ids = random.Random(7).sample(range(1, top + 1), k)
        refs = list(
            con.execute(
                text(f"SELECT reference FROM complaints WHERE id IN ({','.join(map(str, ids))})")
            ).scalars()
        )
        # Agents mostly open complaints still open, whose pages carry the actions' forms: timed
        # apart from the random sample, nearly all closed.
        open_refs = list(
            con.execute(
                text(f"SELECT reference FROM complaints WHERE state IN {OPEN_STATES} ORDER BY id")
            ).scalars()
        )
        open_refs = random.Random(7).sample(open_refs, min(k, len(open_refs)))
        shop = con.execute(text("SELECT shop_code FROM merchants WHERE active ORDER BY id LIMIT 1")).scalar()
        facts = {
            "running clocks": count,
            "open complaints": con.execute(
                text(f"SELECT count(*) FROM complaints WHERE state IN {OPEN_STATES}")
            ).scalar(),
            "overdue clocks": con.execute(
                text("SELECT count(*) FROM sla_clocks WHERE stopped_at IS NULL AND breached_at IS NOT NULL")
            ).scalar(),
            "paused clocks": con.execute(
                text("SELECT count(*) FROM sla_clocks WHERE stopped_at IS NULL AND paused_at IS NOT NULL")
            ).scalar(),
        }
    return {
        "deep": f"d:{_instant(due_at).isoformat()}_{clock_id}",
        "refs": refs,
        "open refs": open_refs,
        "shop": shop,
        "facts": facts,
    }


def measure(base: str, database: Database, runs: int, credentials: dict) -> dict[str, tuple[float, float]]:
    facts = _facts(database, runs + WARM_UP)
    print(f"{database.name}: " + ", ".join(f"{v:,} {k}" for k, v in facts["facts"].items()))
    agent, supervisor, consumer, mediator = Session(base), Session(base), Session(base), Session(base)
    filer = Session(base)  # files the timed complaints; `consumer`'s own list stays as seeded
    filer.login(credentials["filer"], credentials["password"])
    agent.login(credentials["agent"], credentials["password"])
    mediator.login(credentials["mediator"], credentials["password"])
    supervisor.login(credentials["supervisor"], credentials["password"])
    consumer.login(credentials["consumer"], credentials["password"])
    refs = iter(facts["refs"] * 2)
    open_refs = iter(facts["open refs"] * 2)
    deep = urllib.parse.quote(facts["deep"])

    _, form_html = filer.get("/portal/complaints/new")
    category = re.search(r'<select[^>]*name="category_id".*?<option value="(\d+)"', form_html, re.S).group(1)

    def file_one() -> float:
        _, html = filer.get("/portal/complaints/new")
        token = CSRF.search(html).group(1)
        started = time.perf_counter()
        status = filer.submit(
            "/portal/complaints/new",
            {
                "csrf_token": token,
                "merchant_id": facts["shop"],
                "category_id": category,
                "order_reference": BENCH_ORDER,
                "title": "耳机没有声音",
                "description": "收到的耳机没有声音,申请退款,商家不回复。",
                "desired_outcome": "refund",
                "claimed_amount": "199.00",
            },
        )
        elapsed = (time.perf_counter() - started) * 1000
        if status not in (302, 303):
            raise RuntimeError(f"filing answered {status}, not a redirect to the new complaint")
        return elapsed

    sessions = {
        "agent": agent,
        "supervisor": supervisor,
        "consumer": consumer,
        "mediator": mediator,
        "anonymous": Session(base),
    }
    results = {
        label: timed(lambda s=sessions[who], p=path: s.get(p), runs) for label, (who, path) in PAGES.items()
    }
    results["queue, page half-way down"] = timed(lambda: agent.get(f"/desk/?queue=open&after={deep}"), runs)
    results["complaint page"] = timed(lambda: agent.get(f"/desk/complaints/{next(refs)}"), runs)
    results[OPEN_PAGE] = timed(lambda: agent.get(f"/desk/complaints/{next(open_refs)}"), runs)
    for _ in range(WARM_UP):
        file_one()
    results["consumer files a complaint"] = _percentiles([file_one() for _ in range(runs)])
    return results


_YEAR_AGO = (date.today() - timedelta(days=364)).isoformat()
# label -> (who, path): the pages timed as they are (the others need facts from the database).
PAGES = {
    "agent queue, first page": ("agent", "/desk/?queue=open"),
    "queue by age, first page": ("agent", "/desk/?queue=open&sort=oldest"),
    "queue by priority, first page": ("agent", "/desk/?queue=open&sort=priority"),
    "at-risk list": ("supervisor", "/desk/at-risk"),
    "overdue list": ("supervisor", "/desk/breached"),
    "consumer's complaints": ("consumer", "/portal/complaints"),
    "search, common word 退款": ("agent", "/desk/search?q=" + urllib.parse.quote("退款")),
    "search, rare word 蓝牙": ("agent", "/desk/search?q=" + urllib.parse.quote("蓝牙")),
    "public pledge scorecard": ("anonymous", "/pledge"),
    "mediator's cases and measures": ("mediator", "/mediation/"),
    "supervisors' dashboard, last 30 days": ("supervisor", "/reports/"),
    "dashboard, one category, a year": ("supervisor", f"/reports/?first={_YEAR_AGO}&category_id=1"),
}
OPEN_PAGE = "open complaint's page"
ORDER = [
    "agent queue, first page",
    "queue, page half-way down",
    "queue by age, first page",
    "queue by priority, first page",
    "at-risk list",
    "overdue list",
    "complaint page",
    OPEN_PAGE,
    "consumer's complaints",
    "search, common word 退款",
    "search, rare word 蓝牙",
    "public pledge scorecard",
    "mediator's cases and measures",
    "supervisors' dashboard, last 30 days",
    "dashboard, one category, a year",
    "consumer files a complaint",
]


def serve_and_measure(database: Database, runs: int, credentials: dict) -> dict[str, tuple[float, float]]:
    port = _free_port()
    server = subprocess.Popen(
        [BIN / "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"],
        env=database.env(),
        cwd=ROOT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):  # wait at most 10 s for the server
            try:
                urllib.request.urlopen(base + "/login", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        return measure(base, database, runs, credentials)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)


BENCH_ORDER = "BENCH-ORDER-1"  # the order number of every complaint the timings file


def withdraw_bench_filings(database: Database) -> int:
    """Withdraw, as the consumer who filed each, the complaints the timed filings left open: the
    data stays as seeded, rather than gaining 60 open complaints a run at the top of every
    due-ordered list (before this, thousands from earlier runs sat there). Returns how many."""
    from sqlalchemy import select

    from complaints import create_app
    from complaints.extensions import db
    from complaints.models import Complaint, User
    from complaints.services.lifecycle import act_on_complaint
    from complaints.workflow import Action, State

    app = create_app(None, {"SQLALCHEMY_DATABASE_URI": database.url, "RATELIMIT_ENABLED": False})
    with app.app_context():
        left_open = db.session.execute(
            select(Complaint.reference, Complaint.consumer_id).where(
                Complaint.order_reference == BENCH_ORDER,
                Complaint.state.in_([State.RECEIVED, State.VERIFIED]),
            )
        ).all()
        for reference, consumer_id in left_open:
            act_on_complaint(db.session.get(User, consumer_id), reference, Action.WITHDRAW)
    return len(left_open)


def profile_slowest(results, database: Database, credentials: dict, runs: int = 20, top: int = 15) -> None:
    """Profile the slowest page in process (cProfile) and print its top project functions by
    cumulative time, so the next regression is found in minutes."""
    import cProfile
    import io
    import pstats

    timed_pages = [(p95, label) for label, (_, p95) in results.items() if label in PAGES]
    _, label = max(timed_pages)
    who, path = PAGES[label]
    from complaints import create_app

    app = create_app(
        None,
        {"SQLALCHEMY_DATABASE_URI": database.url, "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False},
    )
    client = app.test_client()
    if who in credentials:  # the public pages are read signed out
        client.post("/login", data={"email": credentials[who], "password": credentials["password"]})
    client.get(path)  # warm: caches and the calendar index
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(runs):
        client.get(path)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(str(ROOT / "complaints"), top)
    print(f"\n{database.name}: profile of the slowest page ({label}), {runs} requests in process, top {top}:")
    print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[-4000:])


def peer_filing(runs: int, database: Database) -> tuple[float, float] | None:
    """The peer's public ticket submission, p50/p95 ms (tests/bench/peer_helpdesk.py), or None:
    on SQLite of its own, or for PostgreSQL in a database of its own on the same running cluster
    (durable as ours), so that each of our filings is compared with the peer's on the same kind
    of database."""
    script = ROOT / "tests/bench/peer_helpdesk.py"
    if not script.exists():
        return None
    where = []
    if database.name == "PostgreSQL":
        where = ["--postgres", f"host=127.0.0.1 port={PG_PORT} user=postgres dbname=peer_helpdesk"]
    done = subprocess.run(
        [BIN / "python", script, "--runs", str(runs), "--json", *where],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        print(f"the peer benchmark failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
        return None
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    return figures["p50"], figures["p95"]


def host_yardstick(times: int = 5) -> tuple[float, float]:
    """The fastest and slowest of `times` runs of a fixed loop of plain Python, in ms: how fast the
    machine is just now. This host's speed varies by half from hour to hour (the peer's filing
    took 6.4 ms one day and 12.2 the next, with the same code), so a table means little without it."""
    laps = []
    for _ in range(times):
        started = time.perf_counter()
        total = 0
        for i in range(3_000_000):
            total += i
        laps.append((time.perf_counter() - started) * 1000)
    return min(laps), max(laps)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--complaints", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="sqlite")
    parser.add_argument("--no-peer", action="store_true", help="skip the peer's filing benchmark")
    args = parser.parse_args()
    kinds = {"sqlite": [Sqlite], "postgres": [Postgres], "both": [Sqlite, Postgres]}[args.db]

    from complaints.seed.bench import BENCH_DOMAIN, BENCH_PASSWORD

    credentials = {
        "agent": f"agent01@{BENCH_DOMAIN}",
        "supervisor": f"supervisor1@{BENCH_DOMAIN}",
        "consumer": f"consumer1@{BENCH_DOMAIN}",
        "filer": f"consumer2@{BENCH_DOMAIN}",
        "mediator": f"mediator1-1@{BENCH_DOMAIN}",
        "password": BENCH_PASSWORD,
    }
    results: dict[str, dict] = {}
    peers: dict[str, tuple[float, float] | None] = {}  # the peer's filing on each kind of database
    yardsticks = [host_yardstick()]
    for kind in kinds:
        database = kind(args.complaints)
        database.start()
        try:
            database.seed()
            if withdrawn := withdraw_bench_filings(database):
                print(f"{database.name}: withdrew {withdrawn:,} complaints earlier runs filed and left open")
            results[database.name] = serve_and_measure(database, args.runs, credentials)
            profile_slowest(results[database.name], database, credentials)
            withdraw_bench_filings(database)
            if not args.no_peer:
                peers[database.name] = peer_filing(args.runs, database)
        finally:
            database.stop()
    yardsticks.append(host_yardstick())

    names = list(results)
    print(
        f"\n{args.complaints:,} complaints with their pledge clocks, gunicorn 2 workers, {args.runs} sequential requests each"
    )
    print(f"{'request (p50 / p95 ms)':34}" + "".join(f"{name:>20}" for name in names))
    for label in ORDER:
        cells = "".join(f"{results[n][label][0]:9.1f} / {results[n][label][1]:6.1f}" for n in names)
        print(f"{label:34}{cells}")
    if any(peers.values()):
        cells = "".join(
            f"{peers[n][0]:9.1f} / {peers[n][1]:6.1f}" if peers.get(n) else f"{'failed':>18}" for n in names
        )
        print(f"{'peer: django-helpdesk public form':34}{cells}  (same run, the same kind of database)")
    fastest = min(low for low, _ in yardsticks)
    slowest = max(high for _, high in yardsticks)
    print(
        f"the host just now: a fixed loop of plain Python took {fastest:.0f}-{slowest:.0f} ms"
        " (before and after; compare with the README's runs)"
    )
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
