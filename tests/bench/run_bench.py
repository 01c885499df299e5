"""`make bench`: seed N complaints, serve with gunicorn (2 workers) on 127.0.0.1, time requests.

Prints p50 and p95 of sequential HTTP requests for the agent queue's first page, a page deep in
the queue, the complaint page, a search for a common and a rare Chinese word, and a consumer
filing a complaint. Every loop is bounded; the server is stopped at the end.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import random
import re
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(db_path: Path) -> dict:
    env = dict(os.environ)
    env.update(
        FLASK_APP="wsgi",
        DATABASE_URL=f"sqlite:///{db_path}",
        PLEDGEDESK_INSTANCE=str(db_path.parent / "instance"),
        RATELIMIT_ENABLED="0",
        SCHEDULER_ENABLED="0",
    )
    return env


def seed(db_path: Path, n: int) -> None:
    if db_path.exists():
        print(f"reusing {db_path} (delete it to seed again)")
        return
    env = _env(db_path)
    subprocess.run([BIN / "flask", "db", "upgrade"], env=env, check=True, cwd=ROOT, capture_output=True)
    started = time.perf_counter()
    subprocess.run([BIN / "flask", "seed-bench", "--complaints", str(n)], env=env, check=True, cwd=ROOT)
    print(f"seeded {n} complaints in {time.perf_counter() - started:.1f} s")


class Session:
    """A signed-in browser-like client: cookies and CSRF tokens."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> tuple[int, str]:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.status, response.read().decode()

    def post(self, path: str, data: dict) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode()
        with self.opener.open(self.base + path, data=body, timeout=30) as response:
            return response.status, response.read().decode()

    def login(self, email: str, password: str) -> None:
        _, html = self.get("/login")
        token = CSRF.search(html).group(1)
        self.post("/login", {"csrf_token": token, "email": email, "password": password})


def timed(label: str, fn, runs: int) -> tuple[str, float, float]:
    fn()  # warm up caches and the worker
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    p50 = statistics.median(samples)
    p95 = samples[min(len(samples) - 1, int(round(0.95 * len(samples))) - 1)]
    return label, p50, p95


def _deep_cursor(db_path: Path) -> str:
    """The cursor of a page half-way through the open queue (found outside the timing)."""
    con = sqlite3.connect(db_path)
    (count,) = con.execute(
        "SELECT count(*) FROM complaints WHERE state IN ('received','verified','mediated')"
    ).fetchone()
    created_at, complaint_id = con.execute(
        "SELECT created_at, id FROM complaints WHERE state IN ('received','verified','mediated') "
        "ORDER BY created_at, id LIMIT 1 OFFSET ?",
        (max(0, count // 2),),
    ).fetchone()
    con.close()
    at = datetime.fromisoformat(created_at).replace(tzinfo=UTC)
    # The bench data has no running pledge clocks, so the open queue is in its second phase
    # (complaints without a running clock, by filing time): its cursors start with "c:".
    return f"c:{at.isoformat()}_{complaint_id}"


def _sample_references(db_path: Path, k: int) -> list[str]:
    con = sqlite3.connect(db_path)
    (top,) = con.execute("SELECT max(id) FROM complaints").fetchone()
    ids = random.Random(7).sample(range(1, top + 1), k)
    refs = [
        r for (r,) in con.execute(f"SELECT reference FROM complaints WHERE id IN ({','.join(map(str, ids))})")
    ]
    con.close()
    return refs


def measure(base: str, db_path: Path, runs: int, credentials: dict) -> list[tuple[str, float, float]]:
    agent = Session(base)
    agent.login(credentials["agent"], credentials["password"])
    consumer = Session(base)
    consumer.login(credentials["consumer"], credentials["password"])
    deep = urllib.parse.quote(_deep_cursor(db_path))
    refs = _sample_references(db_path, runs + 1)
    ref_iter = iter(refs * 2)

    _, form_html = consumer.get("/portal/complaints/new")
    con = sqlite3.connect(db_path)
    (merchant,) = con.execute("SELECT shop_code FROM merchants WHERE active ORDER BY id LIMIT 1").fetchone()
    con.close()
    category = re.search(r'<select[^>]*name="category_id".*?<option value="(\d+)"', form_html, re.S).group(1)

    def file_one():
        _, html = consumer.get("/portal/complaints/new")
        token = CSRF.search(html).group(1)
        started = time.perf_counter()
        consumer.post(
            "/portal/complaints/new",
            {
                "csrf_token": token,
                "merchant_id": merchant,
                "category_id": category,
                "order_reference": "BENCH-ORDER-1",
                "title": "耳机没有声音",
                "description": "收到的耳机没有声音,申请退款,商家不回复。",
                "desired_outcome": "refund",
                "claimed_amount": "199.00",
            },
        )
        return time.perf_counter() - started

    results = [
        timed("queue, first page", lambda: agent.get("/desk/?queue=open"), runs),
        timed("queue, deep page", lambda: agent.get(f"/desk/?queue=open&after={deep}"), runs),
        timed("complaint page", lambda: agent.get(f"/desk/complaints/{next(ref_iter)}"), runs),
        timed(
            "search, common word 退款",
            lambda: agent.get("/desk/search?q=" + urllib.parse.quote("退款")),
            runs,
        ),
        timed(
            "search, rare word 蓝牙", lambda: agent.get("/desk/search?q=" + urllib.parse.quote("蓝牙")), runs
        ),
    ]
    filing = sorted(file_one() * 1000 for _ in range(runs))
    results.append(
        ("consumer files a complaint", statistics.median(filing), filing[int(round(0.95 * len(filing))) - 1])
    )
    return results


PAGES = {  # label -> path, for the profile of the slowest page
    "queue, first page": "/desk/?queue=open",
    "search, common word 退款": "/desk/search?q=" + urllib.parse.quote("退款"),
    "search, rare word 蓝牙": "/desk/search?q=" + urllib.parse.quote("蓝牙"),
}


def profile_slowest(results, db_path: Path, credentials: dict, runs: int = 20, top: int = 15) -> None:
    """Profile the slowest page in process (cProfile) and print its top project functions by
    cumulative time, so the next regression is found in minutes."""
    import cProfile
    import io
    import pstats

    timed_pages = [(p95, label) for label, _, p95 in results if label in PAGES]
    if not timed_pages:
        return
    _, label = max(timed_pages)
    from complaints import create_app

    app = create_app(
        None,
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}",
            "RATELIMIT_ENABLED": False,
            "WTF_CSRF_ENABLED": False,
        },
    )
    client = app.test_client()
    client.post("/login", data={"email": credentials["agent"], "password": credentials["password"]})
    client.get(PAGES[label])  # warm: caches and the calendar index
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(runs):
        client.get(PAGES[label])
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(str(ROOT / "complaints"), top)
    print(
        f"\nprofile of the slowest page ({label}), {runs} requests in process, top {top} project functions:"
    )
    print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[-4000:])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--complaints", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--db", default=None, help="SQLite file (default /tmp/pledgedesk-bench-N.sqlite3)")
    args = parser.parse_args()
    db_path = Path(args.db or f"/tmp/pledgedesk-bench-{args.complaints}.sqlite3")
    seed(db_path, args.complaints)

    from complaints.seed.bench import BENCH_DOMAIN, BENCH_PASSWORD

    credentials = {
        "agent": f"agent01@{BENCH_DOMAIN}",
        "consumer": f"consumer1@{BENCH_DOMAIN}",
        "password": BENCH_PASSWORD,
    }

    port = _free_port()
    server = subprocess.Popen(
        [BIN / "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"],
        env=_env(db_path),
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
        results = measure(base, db_path, args.runs, credentials)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)
    print(f"\n{args.complaints} complaints, SQLite, gunicorn 2 workers, {args.runs} sequential requests each")
    print(f"{'request':32} {'p50 ms':>8} {'p95 ms':>8}")
    for label, p50, p95 in results:
        print(f"{label:32} {p50:8.1f} {p95:8.1f}")
    profile_slowest(results, db_path, credentials)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
