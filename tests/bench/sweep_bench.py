"""The SLA sweep at scale: N open complaints with running clocks; time a sweep that finds nothing
to do, and one that marks `--breaches` breaches (and as many warnings).

Builds its own SQLite database (default /tmp/pledgedesk-sweep-N.sqlite3) with plain bulk inserts:
every complaint is open with a running verification and resolution clock under the default
pledge; all clocks are due in the future except those of `--breaches` complaints.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)
BATCH = 50_000


def _naive(at: datetime) -> str:
    return at.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")


def build(db_path: Path, n: int, breaches: int) -> None:
    from flask_migrate import upgrade
    from sqlalchemy import text

    from complaints import create_app
    from complaints.extensions import db

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}"})
    with app.app_context():
        upgrade()
        connection = db.session.connection().connection.driver_connection
        connection.execute("PRAGMA synchronous=OFF")
        at = _naive(NOW - timedelta(days=3))
        connection.execute(
            "INSERT INTO users (id, email, name, password_hash, role, active, failed_logins, created_at, session_token)"
            " VALUES (1, 'consumer@bench', 'Bench', '!', 'consumer', 1, 0, ?, 'x'),"
            " (2, 'supervisor@bench', 'Boss', '!', 'supervisor', 1, 0, ?, 'y')",
            (at, at),
        )
        connection.execute(
            "INSERT INTO merchants (id, shop_code, name, active, created_at) VALUES (1, 'S1', 'Shop', 1, ?)",
            (at,),
        )
        connection.execute(
            "INSERT INTO categories (id, code, name_zh, name_en, active) VALUES (1, 'q', '质量', 'Quality', 1)"
        )
        targets = dict(
            db.session.execute(text("SELECT kind, id FROM sla_targets WHERE version_id = 1")).all()
        )
        started = time.perf_counter()
        for first in range(1, n + 1, BATCH):
            ids = range(first, min(first + BATCH, n + 1))
            connection.executemany(
                "INSERT INTO complaints (id, reference, consumer_id, merchant_id, category_id, order_reference, title,"
                " description, desired_outcome, claimed_amount, is_major, priority, state, was_mediated, appeal_used,"
                " created_at, updated_at, version, policy_version_id)"
                " VALUES (?, ?, 1, 1, 1, 'ORD', '耳机没有声音', '申请退款', 'refund', 100, 0, 'normal', 'received', 0, 0, ?, ?, 1, 1)",
                [(i, f"C-2026-{i:07d}", at, at) for i in ids],
            )
            rows = []
            for i in ids:
                overdue = i <= breaches
                due = NOW - timedelta(minutes=5) if overdue else NOW + timedelta(days=5 + i % 20)
                warn = NOW - timedelta(minutes=10) if overdue else NOW + timedelta(days=2 + i % 20)
                for kind in ("verification", "resolution"):
                    rows.append((i, kind, targets[kind], at, _naive(due), _naive(warn)))
            connection.executemany(
                "INSERT INTO sla_clocks (complaint_id, kind, target_id, started_at, due_at, warn_at, paused_seconds)"
                " VALUES (?, ?, ?, ?, ?, ?, 0)",
                rows,
            )
            connection.commit()
        connection.execute("ANALYZE")
        connection.commit()
        print(
            f"built {n} open complaints with {2 * n} running clocks in {time.perf_counter() - started:.0f} s"
        )


def measure(db_path: Path, breaches: int) -> None:
    from complaints import create_app
    from complaints.extensions import db
    from complaints.services.pledge_keeping import sweep
    from complaints.timekeeping import FrozenClock, install_clock

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}"})
    clock = FrozenClock(NOW - timedelta(hours=1))  # before anything falls due
    install_clock(app, clock)
    with app.app_context():
        sweep()  # warm the connection and the calendar caches
        samples = []
        for _ in range(20):
            started = time.perf_counter()
            report = sweep()
            samples.append((time.perf_counter() - started) * 1000)
            assert not report
        samples.sort()
        print(f"sweep with nothing to do: p50 {samples[10]:.1f} ms, max {samples[-1]:.1f} ms")
        clock.set(NOW)
        started = time.perf_counter()
        report = sweep(batch_size=5000)
        elapsed = time.perf_counter() - started
        print(f"sweep marking {report.breached} breaches and {report.warned} warnings: {elapsed:.2f} s")
        db.session.remove()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--complaints", type=int, default=1_000_000)
    parser.add_argument("--breaches", type=int, default=5_000, help="complaints whose two clocks are overdue")
    args = parser.parse_args()
    db_path = Path(f"/tmp/pledgedesk-sweep-{args.complaints}.sqlite3")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    os.environ.setdefault("PLEDGEDESK_INSTANCE", "/tmp/pledgedesk-sweep-instance")
    build(db_path, args.complaints, args.breaches)
    measure(db_path, args.breaches)
    return 0


if __name__ == "__main__":
    sys.exit(main())
