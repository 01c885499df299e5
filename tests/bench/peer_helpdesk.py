"""The peer's figure for `make bench`: django-helpdesk 2.6.1's public ticket submission.

What it measures: an anonymous visitor files a ticket through django-helpdesk's public form
(/tickets/submit/: queue, title, description, priority, e-mail address), the peer's counterpart of
PledgeDesk's "consumer files a complaint". Each iteration GETs the form, untimed, for its CSRF token
and cookie, then times the POST alone, up to its 302 answer: the redirect target (the ticket's
public page) is not requested. The form is posted urlencoded, as tests/bench/run_bench.py does.
Ten warm-up submissions precede the timed ones; p50 and p95 use run_bench.py's formula.

How: a virtualenv of its own, /work/main/.venv-peer (made on the first run, reused afterwards,
made again when the pins below change), a minimal Django project in a temporary directory under
/tmp (the apps django-helpdesk needs, teams mode off, DEBUG off, SQLite in WAL mode with the pragmas
PledgeDesk sets, or with --postgres a PostgreSQL database made afresh on the cluster PledgeDesk's
PostgreSQL figures use, connections kept open like PledgeDesk's pool, e-mail rendered and kept in memory,
not sent), `migrate`, one queue open to public submission and optionally --tickets N tickets
inserted with bulk_create, served by gunicorn with 2 workers on 127.0.0.1. At the end the tickets
in the database must number seeded + warm-up + timed, or it fails. With --json its last line is
{"peer": ..., "p50": ..., "p95": ..., "runs": ...} for run_bench.py to read.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import secrets
import signal
import socket
import sqlite3
import statistics
import string
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PEER_VENV = ROOT / ".venv-peer"
PEER = "django-helpdesk 2.6.1"
WARMUP = 10
# django-helpdesk 2.6.1, its dependencies as pip resolved them, and PledgeDesk's gunicorn.
REQUIREMENTS = """\
django-helpdesk==2.6.1
Django==5.2.19
asgiref==3.13.0
beautifulsoup4==4.15.0
certifi==2026.10.19.post1
charset-normalizer==3.5.3
django-cleanup==9.0.0
django-model-utils==5.0.0
djangorestframework==3.18.3
email-reply-parser==0.5.12
idna==3.20
Markdown==3.11.3
nh3==0.3.8
oauthlib==4.0.1
requests==2.34.2
requests-oauthlib==2.0.0
soupsieve==4.1.3
sqlparse==0.6.1
typing_extensions==4.16.0
urllib3==2.8.0
gunicorn==27.0.1
psycopg==3.3.9
psycopg-binary==3.3.9
"""

SETTINGS = string.Template('''\
"""Settings of the throwaway project that serves django-helpdesk for the peer benchmark."""

from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
SECRET_KEY = $secret_key
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "rest_framework",
    "django_cleanup.apps.CleanupConfig",
    "helpdesk",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "peerdesk.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]
DATABASES = {"default": $database}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
SITE_ID = 1
USE_TZ = True
TIME_ZONE = "UTC"
STATIC_URL = "/static/"
MEDIA_ROOT = BASE_DIR / "media"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LOGIN_URL = "helpdesk:login"
LOGIN_REDIRECT_URL = "helpdesk:home"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

HELPDESK_TEAMS_MODE_ENABLED = False
HELPDESK_SUBMIT_A_TICKET_PUBLIC = True
HELPDESK_VIEW_A_TICKET_PUBLIC = True
HELPDESK_REDIRECT_TO_LOGIN_BY_DEFAULT = False
HELPDESK_ANON_ACCESS_RAISES_404 = False
''')

URLS = '''\
"""The admin and django-helpdesk at the root, as its installation guide shows."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("helpdesk.urls", namespace="helpdesk")),
]
'''

WSGI = '''\
"""The WSGI application gunicorn serves."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerdesk.settings")
application = get_wsgi_application()
'''

SEED = '''\
"""Create the queue open to public submission and sys.argv[1] existing tickets (bulk_create)."""

import sys

import django

django.setup()

from helpdesk.models import Queue, Ticket  # noqa: E402

queue = Queue.objects.create(title="Complaints", slug="complaints", allow_public_submission=True)
Ticket.objects.bulk_create(
    Ticket(
        queue=queue,
        title=f"Seeded ticket {i}",
        submitter_email=f"seed{i}@example.com",
        description="Seeded so that the database is not empty.",
    )
    for i in range(int(sys.argv[1]))
)
'''

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
QUEUE = re.compile(r'<select[^>]*name="queue".*?<option value="(\d+)"', re.S)


def ensure_venv() -> Path:
    """The peer virtualenv's python, creating the virtualenv when missing or its pins changed."""
    python = PEER_VENV / "bin" / "python"
    pins = PEER_VENV / "bench-requirements.txt"
    if pins.exists() and pins.read_text() == REQUIREMENTS and python.exists():
        return python
    started = time.perf_counter()
    print(f"creating {PEER_VENV} for {PEER}", flush=True)
    _run([sys.executable, "-m", "venv", "--clear", PEER_VENV], timeout=300)
    (PEER_VENV / ".gitignore").write_text("*\n")  # what `venv` itself writes from Python 3.13 on
    requirements = PEER_VENV / "requirements.txt"
    requirements.write_text(REQUIREMENTS)
    _run(
        [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", requirements],
        timeout=900,
    )
    pins.write_text(REQUIREMENTS)  # written last: an interrupted install is redone next time
    print(f"created {PEER_VENV} in {time.perf_counter() - started:.1f} s", flush=True)
    return python


# SQLite in WAL mode with the pragmas PledgeDesk sets; connections kept open like PledgeDesk's pool.
SQLITE = """{
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": BASE_DIR / "db.sqlite3",
        "CONN_MAX_AGE": None,
        "OPTIONS": {
            "init_command": (
                "PRAGMA journal_mode=WAL;PRAGMA busy_timeout=10000;PRAGMA synchronous=NORMAL"
            ),
        },
    }"""


def postgres_settings(conninfo: dict) -> str:
    """Django's settings for a PostgreSQL database (psycopg 3, as PledgeDesk's), connections kept open."""
    return repr(
        {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": conninfo["dbname"],
            "USER": conninfo.get("user", "postgres"),
            "HOST": conninfo.get("host", "127.0.0.1"),
            "PORT": conninfo.get("port", "5432"),
            "CONN_MAX_AGE": None,
        }
    )


def write_project(project: Path, conninfo: dict | None = None) -> None:
    """Write the Django project (settings, URLs, WSGI module) and the seeding script; its database
    is SQLite in the project, or the PostgreSQL database `conninfo` names."""
    package = project / "peerdesk"
    package.mkdir()
    (package / "__init__.py").write_text("")
    database = postgres_settings(conninfo) if conninfo else SQLITE
    settings = SETTINGS.substitute(secret_key=repr(secrets.token_urlsafe(50)), database=database)
    (package / "settings.py").write_text(settings)
    (package / "urls.py").write_text(URLS)
    (package / "wsgi.py").write_text(WSGI)
    (project / "seed.py").write_text(SEED)


def _env(project: Path) -> dict:
    """The environment in which the peer's python finds the project and its settings."""
    env = dict(os.environ)
    env.update(PYTHONPATH=str(project), DJANGO_SETTINGS_MODULE="peerdesk.settings")
    return env


def _run(args: list, timeout: int, **kwargs) -> None:
    """Run a step quietly; on failure show its output and stop."""
    done = subprocess.run(args, capture_output=True, text=True, timeout=timeout, **kwargs)
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"{' '.join(map(str, args))} failed with exit code {done.returncode}")


def setup_database(python: Path, project: Path, tickets: int) -> None:
    """Migrate, then create the public queue and the seeded tickets."""
    started = time.perf_counter()
    env = _env(project)
    _run([python, "-m", "django", "migrate", "--noinput"], timeout=600, cwd=project, env=env)
    _run([python, "seed.py", str(tickets)], timeout=1800, cwd=project, env=env)
    print(f"migrated and seeded {tickets} tickets in {time.perf_counter() - started:.1f} s", flush=True)


def fresh_postgres_database(conninfo: dict) -> None:
    """Drop and create the peer's PostgreSQL database (an empty one each run, as SQLite's is)."""
    import psycopg

    server = {**conninfo, "dbname": "postgres"}
    with psycopg.connect(**server, autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{conninfo["dbname"]}"')
        con.execute(f'CREATE DATABASE "{conninfo["dbname"]}"')


def inspect_database(project: Path, conninfo: dict | None = None) -> tuple[int, str]:
    """How many tickets the peer's database holds, and how it commits (its journal mode, or
    PostgreSQL's fsync and synchronous_commit)."""
    if conninfo:
        import psycopg

        with psycopg.connect(**conninfo) as con:
            (tickets,) = con.execute("SELECT count(*) FROM helpdesk_ticket").fetchone()
            (fsync,) = con.execute("SHOW fsync").fetchone()
            (synchronous,) = con.execute("SHOW synchronous_commit").fetchone()
        return tickets, f"fsync={fsync}, synchronous_commit={synchronous}"
    con = sqlite3.connect(project / "db.sqlite3")
    try:
        (tickets,) = con.execute("SELECT count(*) FROM helpdesk_ticket").fetchone()
        (journal,) = con.execute("PRAGMA journal_mode").fetchone()
        return tickets, journal
    finally:
        con.close()


def _free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _NoRedirect(urllib.request.HTTPErrorProcessor):
    """Hand every answer back as it is: a 302 is not followed, an error status is not raised."""

    def http_response(self, request, response):
        return response


class Browser:
    """An anonymous browser-like client: a cookie jar, redirects not followed."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
        )

    def get(self, path: str) -> tuple[int, str]:
        """GET a page; return the status and the body."""
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.status, response.read().decode()

    def post(self, path: str, data: dict) -> tuple[int, str, str]:
        """POST the form urlencoded; return the status, the Location header and the body."""
        body = urllib.parse.urlencode(data).encode()
        with self.opener.open(self.base + path, data=body, timeout=30) as response:
            return response.status, response.headers.get("Location", ""), response.read().decode()


def wait_for(base: str, server: subprocess.Popen) -> None:
    """Wait at most 20 s for the server to answer; fail if it exits or never does."""
    for _ in range(200):
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with code {server.returncode}")
        try:
            with urllib.request.urlopen(base + "/tickets/submit/", timeout=1):
                return
        except urllib.error.HTTPError:
            return  # it answers; submit() reports what is wrong with the answer
        except OSError:
            time.sleep(0.1)
    raise SystemExit("gunicorn did not answer within 20 s")


def submit(browser: Browser) -> float:
    """File one ticket through the public form; return the POST's time in ms."""
    status, html = browser.get("/tickets/submit/")
    token, queue = CSRF.search(html), QUEUE.search(html)
    if status != 200 or not token or not queue:
        raise SystemExit(f"the public form did not render (HTTP {status}): {html[:500]}")
    data = {
        "csrfmiddlewaretoken": token.group(1),
        "queue": queue.group(1),
        "title": "耳机没有声音",
        "body": "收到的耳机没有声音,申请退款,商家不回复。",
        "priority": "3",
        "due_date": "",
        "submitter_email": "consumer1@example.com",
    }
    started = time.perf_counter()
    status, location, body = browser.post("/tickets/submit/", data)
    elapsed = (time.perf_counter() - started) * 1000
    if status != 302 or not location.startswith("/view/?ticket="):
        raise SystemExit(f"submission not accepted (HTTP {status}, Location {location!r}): {body[:500]}")
    return elapsed


def percentiles(samples: list[float]) -> tuple[float, float]:
    """p50 and p95 as tests/bench/run_bench.py computes them."""
    samples = sorted(samples)
    return statistics.median(samples), samples[min(len(samples) - 1, int(round(0.95 * len(samples))) - 1)]


def stop(server: subprocess.Popen) -> None:
    """Stop gunicorn: SIGTERM, then SIGKILL if it has not exited within 20 s."""
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=20)


def measure(project: Path, runs: int) -> list[float]:
    """Serve the project with gunicorn (2 workers), submit WARMUP + runs tickets, time the last runs."""
    port = _free_port()
    server = subprocess.Popen(
        [PEER_VENV / "bin" / "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning"]
        + ["peerdesk.wsgi:application"],
        cwd=project,
        env=_env(project),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base, server)
        browser = Browser(base)
        for _ in range(WARMUP):
            submit(browser)
        return [submit(browser) for _ in range(runs)]
    finally:
        stop(server)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=50, help="timed submissions (after 10 warm-up ones)")
    parser.add_argument("--tickets", type=int, default=0, help="tickets in the database beforehand")
    parser.add_argument("--json", action="store_true", help="end with one JSON line of the figures")
    parser.add_argument(
        "--postgres",
        metavar="CONNINFO",
        help='a PostgreSQL database to use instead of SQLite, made afresh: "host=127.0.0.1 port=54331 '
        'user=postgres dbname=peer_helpdesk"',
    )
    args = parser.parse_args()
    conninfo = dict(item.split("=", 1) for item in args.postgres.split()) if args.postgres else None
    if conninfo is not None and "dbname" not in conninfo:
        parser.error("--postgres needs a dbname")
    if args.runs < 1 or args.tickets < 0:
        parser.error("--runs must be at least 1 and --tickets at least 0")

    python = ensure_venv()
    with tempfile.TemporaryDirectory(prefix="peer-helpdesk-", dir="/tmp") as tmp:
        project = Path(tmp)
        if conninfo:
            fresh_postgres_database(conninfo)
        write_project(project, conninfo)
        setup_database(python, project, args.tickets)
        samples = measure(project, args.runs)
        expected = args.tickets + WARMUP + args.runs
        found, journal = inspect_database(project, conninfo)
    if found != expected:
        raise SystemExit(f"{found} tickets in the database, {expected} expected: submissions were lost")

    p50, p95 = percentiles(samples)
    print(
        f"\n{PEER}, {'PostgreSQL (' if conninfo else 'SQLite (journal_mode='}{journal}), gunicorn 2 workers, "
        f"{args.tickets} tickets beforehand, "
        f"{WARMUP} warm-up + {args.runs} timed sequential submissions, {found} tickets after"
    )
    print("timed: the POST to /tickets/submit/ up to its 302, not the redirect target; the form GET untimed")
    print(f"{'request':32} {'p50 ms':>8} {'p95 ms':>8}")
    print(f"{'peer files a ticket (public)':32} {p50:8.1f} {p95:8.1f}")
    if args.json:
        print(json.dumps({"peer": PEER, "p50": round(p50, 1), "p95": round(p95, 1), "runs": args.runs}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
