"""The production entry point (wsgi.py): what it does to the process besides making the app."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import gc
import wsgi

client = wsgi.app.test_client()
counts = [gc.get_freeze_count()]
for served in range(1, 102):
    assert client.get("/static/app.css").status_code == 200
    if served in (99, 100, 101):
        counts.append(gc.get_freeze_count())
print(*counts)
"""


def test_what_the_first_hundred_requests_kept_is_frozen_once(tmp_path):
    env = dict(
        os.environ,
        PLEDGEDESK_INSTANCE=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'probe.sqlite3'}",
        SCHEDULER_ENABLED="0",
        PYTHONPATH=str(ROOT),
    )
    env.pop("PLEDGEDESK_ENV", None)
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    at_start, after_99, after_100, after_101 = map(int, done.stdout.split())
    assert at_start > 10_000  # the app, its modules and catalogs, frozen at import
    # (a frozen object freed when its last reference goes leaves the count: hence <=)
    assert after_99 <= at_start  # nothing more frozen until the hundredth request
    assert after_100 > after_99 + 1_000  # then what those requests kept
    assert after_101 <= after_100  # once
