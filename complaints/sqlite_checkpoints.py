"""SQLite's write-ahead log, copied back into the database by a thread of each process rather than
by whichever request commits past the log's limit.

In WAL mode SQLite checkpoints when a commit leaves the log longer than wal_autocheckpoint pages
(1,000 by default): that commit copies the log into the database file and, with
synchronous=NORMAL, waits for the disk. At a million complaints a filing writes some 16 pages, so
every sixtieth or so paid 30 ms for everyone's writes. Here a daemon thread of each process asks
for a PASSIVE checkpoint every CHECKPOINT_SECONDS (it copies what no reader still needs, waits for
no lock, and is harmless when there is nothing to copy); the automatic checkpoint stays, at
BACKSTOP_PAGES, for a log the thread cannot keep short (a reader holding an old snapshot).

The thread starts with the first request a process serves (a gunicorn worker forks before that,
and a thread does not survive a fork), when SQLITE_CHECKPOINT_SECONDS is above 0 and the database
is a SQLite file. Command-line runs (migrations, seeding) start none.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading

from flask import Flask

log = logging.getLogger(__name__)

BACKSTOP_PAGES = 10_000  # about 40 MB of log; 10x SQLite's default

# process id -> its checkpointer, and the event that stops it (tests stop theirs)
_threads: dict[int, tuple[threading.Thread, threading.Event]] = {}
_lock = threading.Lock()


def register(app: Flask, database_path: str | None) -> None:
    """Checkpoint `database_path` (a SQLite file; None: another database) from a thread of each
    process that serves requests, every SQLITE_CHECKPOINT_SECONDS."""
    interval = float(app.config.get("SQLITE_CHECKPOINT_SECONDS", 0))
    if not database_path or interval <= 0:
        return

    @app.before_request
    def _start_checkpoints() -> None:
        if os.getpid() not in _threads:
            start(database_path, interval)


def backstop_pages(app: Flask) -> int | None:
    """The wal_autocheckpoint each connection sets: BACKSTOP_PAGES when the thread checkpoints,
    else None (SQLite's default)."""
    return BACKSTOP_PAGES if float(app.config.get("SQLITE_CHECKPOINT_SECONDS", 0)) > 0 else None


def start(database_path: str, interval: float) -> threading.Thread:
    """This process's checkpointer (started once; later calls return it)."""
    with _lock:
        running = _threads.get(os.getpid())
        if running is not None and running[0].is_alive():
            return running[0]
        stop = threading.Event()
        thread = threading.Thread(
            target=_checkpoint_every,
            args=(database_path, interval, stop),
            name="sqlite-checkpoints",
            daemon=True,  # it ends with its process
        )
        _threads[os.getpid()] = (thread, stop)
        thread.start()
        return thread


def stop() -> None:
    """Stop this process's checkpointer, if it has one (for tests)."""
    with _lock:
        running = _threads.pop(os.getpid(), None)
    if running is not None:
        running[1].set()
        running[0].join(timeout=5)


def checkpoint(connection: sqlite3.Connection) -> tuple[int, int, int]:
    """One PASSIVE checkpoint: (1 if it could not run, pages in the log, pages copied)."""
    return tuple(connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone())


def _checkpoint_every(database_path: str, interval: float, stop: threading.Event) -> None:
    connection = sqlite3.connect(database_path, timeout=1, isolation_level=None, check_same_thread=False)
    try:
        while not stop.wait(interval):
            try:
                checkpoint(connection)
            except sqlite3.Error as exc:  # busy, or the file went away: the backstop still holds
                log.warning("SQLite checkpoint failed: %s", exc)
    finally:
        connection.close()
