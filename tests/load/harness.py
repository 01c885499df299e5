"""What the load run and the fault tests share: a throwaway database with people in it, gunicorn on
127.0.0.1, and a browser-like client (cookies, CSRF tokens, multipart uploads, no redirects
followed, so that the Location of every acknowledgement can be read).

Everything here is bounded: every wait has a deadline and every process started is stopped.
"""

from __future__ import annotations

import contextlib
import http.client
import http.cookiejar
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"
PASSWORD = "load-Test-2026!"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
BUSY_MESSAGE = "The service is busy for a moment"
# Argon2 as cheap as the test suite's: sign-in is not what these runs measure, and sixty
# production-cost hashes take a minute of CPU on a small machine. Setup and server must agree,
# or every sign-in would rehash the password.
FAST_HASHING = {"ARGON2_TIME_COST": "1", "ARGON2_MEMORY_KIB": "1024", "ARGON2_PARALLELISM": "1"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(workdir: Path, **extra: str) -> dict:
    """The environment of every process of one run: its own database and instance folder."""
    env = dict(os.environ)
    env.update(
        FLASK_APP="wsgi",
        DATABASE_URL=f"sqlite:///{workdir / 'pledgedesk.sqlite3'}",
        PLEDGEDESK_INSTANCE=str(workdir / "instance"),
        RATELIMIT_ENABLED="0",
        SCHEDULER_ENABLED="0",
        PYTHONPATH=str(ROOT),
    )
    env.pop("ATTACHMENT_DIR", None)
    env.update(extra)
    return env


def database_path(workdir: Path) -> Path:
    return workdir / "pledgedesk.sqlite3"


def attachment_dir(workdir: Path) -> Path:
    return workdir / "instance" / "attachments"


SETUP = r"""
import json, sys
from complaints import create_app
from complaints.extensions import db
from complaints.models import Category, MediationOrganisation, Merchant, Role, SlaPolicy
from complaints.services.accounts import create_user
from complaints.timekeeping import now

spec = json.loads(sys.argv[1])
app = create_app()
with app.app_context():
    at = now()
    merchant = Merchant(shop_code="LOAD-A", name="Load Test Shop", active=True, created_at=at)
    category = Category(code="load", name_zh="负载测试", name_en="Load test")
    org = MediationOrganisation(name="Load Mediation", active=True, created_at=at)
    db.session.add_all([merchant, category, org])
    db.session.flush()
    from complaints.services import accounts

    class OneHash:  # one Argon2 hash serves every account: sixty would only slow the setup down
        hashed = accounts._hasher().hash(spec["password"])

        def hash(self, password):
            return self.hashed

    accounts._hasher = OneHash
    for email, role in spec["users"]:
        create_user(email=email, name=email.split("@")[0], password=spec["password"], role=Role(role))
    if spec.get("response_hours"):
        from complaints.sla import policy
        general = db.session.get(SlaPolicy, 1)
        targets = []
        for t in policy.current_version(general).targets:
            row = dict(kind=t.kind.value, amount=str(t.amount), unit=t.unit.value, calendar_id=t.calendar_id,
                       warn_percent=t.warn_percent, pause_on=t.pause_on, breach_actions=t.breach_actions)
            if t.kind.value == "response":  # a window short enough to fall due during the run
                row.update(amount=str(spec["response_hours"]), unit="hours", calendar_id=2, warn_percent=50)
            targets.append(row)
        policy.publish_version(general, targets, None, note="load test: short response window")
    db.session.commit()
    print(json.dumps({"merchant_id": merchant.id, "category_id": category.id}))
"""


def prepare(
    workdir: Path, users: list[tuple[str, str]], response_hours: str | None = None, env: dict | None = None
) -> dict:
    """Create the database of a run (migrations, one shop, one category, these accounts).

    response_hours: cut the general pledge's response window to this (around the clock).
    env: extra environment (the same the server gets).
    """
    workdir.mkdir(parents=True, exist_ok=True)
    env = server_env(workdir, **(env or {}))
    subprocess.run(
        [BIN / "flask", "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True, timeout=120
    )
    spec = {"users": users, "password": PASSWORD, "response_hours": response_hours}
    done = subprocess.run(
        [BIN / "python", "-c", SETUP, json.dumps(spec)],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


class Server:
    """gunicorn on a free 127.0.0.1 port, stopped on exit (SIGTERM, then SIGKILL)."""

    def __init__(self, workdir: Path, workers: int = 2, env: dict | None = None):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / f"gunicorn-{self.port}.log"
        self.log = open(self.log_path, "w")  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                BIN / "gunicorn",
                "-w",
                str(workers),
                "-b",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
                "wsgi:app",
            ],
            env=server_env(workdir, **(env or {})),
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.workers = workers

    def __enter__(self) -> Server:
        self.wait_ready()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def wait_ready(self, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}")
            if len(self.worker_pids()) >= self.workers:
                with contextlib.suppress(OSError):  # not listening yet
                    urllib.request.urlopen(self.base + "/login", timeout=2).read()
                    return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("gunicorn did not answer within the deadline")

    def worker_pids(self) -> list[int]:
        """The pids of gunicorn's worker processes (the master's children)."""
        pids = []
        for children in Path(f"/proc/{self.process.pid}/task").glob("*/children"):
            with contextlib.suppress(OSError):  # a thread that ended meanwhile
                pids += [int(p) for p in children.read_text().split()]
        return sorted(pids)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log.close()


@dataclass
class Reply:
    status: int  # 0: no response (connection reset, timeout)
    headers: dict = field(default_factory=dict)
    text: str = ""
    seconds: float = 0.0
    error: str = ""

    @property
    def location(self) -> str:
        return urllib.parse.urlsplit(self.headers.get("location", "")).path


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def multipart(fields: dict, files: list[tuple[str, str, bytes, str]]) -> tuple[bytes, str]:
    """A multipart/form-data body and its content type; files are (field, name, data, type)."""
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for name, filename, data, content_type in files:
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n"
        )
        parts.append(head.encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class Session:
    """One person's browser: its own cookies; redirects are returned, not followed."""

    def __init__(self, base: str, timeout: float = 60):
        self.base = base
        self.timeout = timeout
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())

    def request(self, method: str, path: str, body: bytes | None = None, content_type: str = "") -> Reply:
        headers = {"Accept-Language": "en"}
        if content_type:
            headers["Content-Type"] = content_type
        request = urllib.request.Request(self.base + path, data=body, method=method, headers=headers)
        started = time.perf_counter()
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                reply = Reply(
                    response.status, _lower(response.headers), response.read().decode(errors="replace")
                )
        except urllib.error.HTTPError as answered:
            reply = Reply(answered.code, _lower(answered.headers), answered.read().decode(errors="replace"))
        except (OSError, http.client.HTTPException) as lost:
            reply = Reply(0, error=f"{type(lost).__name__}: {lost}")
        reply.seconds = time.perf_counter() - started
        return reply

    def get(self, path: str) -> Reply:
        return self.request("GET", path)

    def post(self, path: str, fields: dict, files: list | None = None) -> Reply:
        if files:
            body, content_type = multipart(fields, files)
        else:
            body, content_type = urllib.parse.urlencode(fields).encode(), "application/x-www-form-urlencoded"
        return self.request("POST", path, body, content_type)

    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)

    def login(self, email: str, password: str = PASSWORD) -> tuple[Reply, Reply]:
        form = self.get("/login")
        done = self.post("/login", {"csrf_token": token(form.text), "email": email, "password": password})
        if done.status != 302:
            raise RuntimeError(f"sign-in of {email} answered {done.status}")
        return form, done


def _lower(headers) -> dict:
    return {k.lower(): v for k, v in headers.items()}


def token(html: str) -> str:
    found = CSRF.search(html)
    return found.group(1) if found else ""


def filing_fields(csrf: str, merchant_id: int, category_id: int, title: str) -> dict:
    return {
        "csrf_token": csrf,
        "merchant_id": str(merchant_id),
        "category_id": str(category_id),
        "order_reference": "LOAD-ORDER-1",
        "title": title,
        "description": f"{title}: 收到的耳机没有声音,申请退款,商家不回复。",
        "desired_outcome": "refund",
        "claimed_amount": "199.00",
    }


def pdf(size: int, seed: str = "") -> bytes:
    """A harmless PDF of about `size` bytes (padding in a comment-free stream of spaces)."""
    head = b"%PDF-1.4\n% " + seed.encode() + b"\n1 0 obj << /Type /Catalog >> endobj\n"
    tail = b"\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    return head + b" " * max(0, size - len(head) - len(tail)) + tail


def connect(db: Path) -> sqlite3.Connection:
    con = sqlite3.connect(db, timeout=30)
    con.row_factory = sqlite3.Row
    return con


def files_on_disk(folder: Path) -> dict[str, int]:
    """Stored name -> size of every file under the attachment folder."""
    if not folder.exists():
        return {}
    return {p.name: p.stat().st_size for p in folder.rglob("*") if p.is_file()}


def flask_command(workdir: Path, *args: str, env: dict | None = None, timeout: float = 120):
    """Run `flask <args>` against the run's database; returns the CompletedProcess."""
    return subprocess.run(
        [BIN / "flask", *args],
        env=server_env(workdir, **(env or {})),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
