"""`flask seed-bench --complaints N`: an empty database filled with N realistic complaints, fast.

A million complaints cannot go through the ORM one by one. A second process makes the rows
(rows.py: what the services would have written, hash chains and search terms included) while
this one writes them with plain executemany INSERTs in large transactions. On SQLite the load
runs with synchronous=OFF, a big page cache, foreign-key checks off, and the complaint table's
secondary indexes built once at the end instead of row by row. References are numbered per
year in filing order, and the reference counters are set so the next real filing continues
without a gap. Every bench account signs in with BENCH_PASSWORD.
"""

from __future__ import annotations

import multiprocessing
import queue
import random
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from argon2 import PasswordHasher
from flask import current_app
from sqlalchemy import func, select

from complaints.extensions import db
from complaints.models import (
    Category,
    ClockKind,
    Complaint,
    MediationOrganisation,
    Merchant,
    User,
)
from complaints.seed import texts
from complaints.seed.agreements import AGREEMENT_COLUMNS
from complaints.seed.bulk_writer import BulkWriter
from complaints.seed.desk_texts import CANNED_REPLIES
from complaints.seed.pledge_clocks import CLOCK_COLUMNS, BenchTarget
from complaints.seed.pledge_names import name_the_shipped_pledge
from complaints.seed.rows import (
    COMPLAINT_COLUMNS,
    EVENT_COLUMNS,
    MESSAGE_COLUMNS,
    NOTIFICATION_COLUMNS,
    Cast,
    Plan,
    generate_chunks,
)
from complaints.services.search import FTS_TABLE
from complaints.sla import policy
from complaints.timekeeping import now

BENCH_PASSWORD = "bench-password-2026"
BENCH_DOMAIN = "bench.pledgedesk.example"
RANDOM_SEED = 20260302
SPAN_DAYS = 730
MERCHANTS = 2000
AGENTS, SUPERVISORS, MEDIATORS_PER_ORG = 20, 3, 4
COMMIT_EVERY = 100_000  # complaints per transaction (and per progress line)
IN_PROCESS_BELOW = 20_000  # small loads are not worth a second process
USER_COLUMNS = (
    "id", "email", "name", "password_hash", "role", "locale", "active", "merchant_id",
    "mediation_org_id", "failed_logins", "created_at",
)  # fmt: skip


class DatabaseNotEmpty(Exception):
    """seed-bench fills an empty database only."""


@dataclass
class BenchResult:
    complaints: int
    events: int
    messages: int
    consumers: int
    merchants: int
    seconds: float
    sample_staff_email: str


def seed_bench(
    count: int, *, days: int = SPAN_DAYS, seed: int | None = None, progress: Callable[[str], None] = print
) -> BenchResult:
    """Fill an empty database with `count` complaints and everything around them.

    count: how many complaints, filed over the last `days` days (default two years), most closed.
    seed: the random seed (default: fixed, so runs are repeatable).
    progress: called with a line of text every COMMIT_EVERY complaints and at the end.
    Raises DatabaseNotEmpty if the database already holds accounts, shops or complaints.
    Commits. SQLite's durability and foreign-key settings are lowered during the load only.
    """
    _refuse_unless_empty()
    started = time.monotonic()
    seed = RANDOM_SEED if seed is None else seed
    end = int(now().timestamp())
    start = end - days * 86400
    writer = BulkWriter()
    writer.tune_for_bulk_load()
    try:
        cast = _create_cast(writer, random.Random(seed), count, start)
        cast.targets = _pledge_targets(cast.policy_versions, start, end)
        writer.defer_indexes()
        writer.commit()
        plan = Plan(
            cast=cast,
            count=count,
            start=start,
            end=end,
            seed=seed + 1,
            major_from=Decimal(str(current_app.config["MAJOR_COMPLAINT_AMOUNT"])),
            text_timestamps=writer.sqlite,
            appeal_window=current_app.config["APPEAL_WINDOW_DAYS"] * 86400,
            sweep_seconds=current_app.config["SLA_SWEEP_SECONDS"],
        )
        totals = _write_complaints(writer, plan, started, progress)
        progress("building indexes and statistics")
        writer.finish()
        writer.commit()
    finally:
        writer.restore()
    return BenchResult(
        complaints=count,
        events=totals[0],
        messages=totals[1],
        consumers=len(cast.consumers),
        merchants=len(cast.merchants),
        seconds=time.monotonic() - started,
        sample_staff_email=f"agent01@{BENCH_DOMAIN}",
    )


def _refuse_unless_empty() -> None:
    for model in (User, Merchant, Category, MediationOrganisation, Complaint):
        if db.session.scalar(select(func.count()).select_from(model)):
            raise DatabaseNotEmpty(
                f"the database already has {model.__tablename__}: seed-bench fills an empty database "
                "only (point DATABASE_URL at a new database and run `flask db upgrade` first)"
            )


def _create_cast(writer: BulkWriter, rng: random.Random, count: int, start: int) -> Cast:
    """Categories, mediation organisations, staff, shops and consumers, all there before `start`."""
    at = _stamp(writer, start - 30 * 86400)
    categories = list(enumerate(texts.CATEGORIES, 1))
    writer.insert(
        "categories",
        ("id", "code", "name_zh", "name_en", "active"),
        [(n, *names, True) for n, names in categories],
    )
    # Room for every mediation a million complaints bring (capacity: cases mediated at once).
    orgs = [(n, *names, True, at, 1_000_000) for n, names in enumerate(texts.MEDIATION_ORGANISATIONS, 1)]
    writer.insert(
        "mediation_organisations", ("id", "name", "name_en", "active", "created_at", "capacity"), orgs
    )
    name_the_shipped_pledge()
    merchants = _merchant_rows(rng, at)
    writer.insert(
        "merchants", ("id", "shop_code", "name", "contact_email", "active", "created_at"), merchants
    )

    password_hash = PasswordHasher().hash(BENCH_PASSWORD)  # one hash for every bench account
    users: list[tuple] = []

    def add(
        email: str, role: str, org_id: int | None = None, english: bool = False, shop: int | None = None
    ) -> int:
        name = texts.person_name(rng, english=english)[0]
        locale = "en" if english else None
        users.append((len(users) + 1, email, name, password_hash, role, locale, True, shop, org_id, 0, at))
        return len(users)

    agents = [add(f"agent{n:02d}@{BENCH_DOMAIN}", "agent") for n in range(1, AGENTS + 1)]
    supervisors = [add(f"supervisor{n}@{BENCH_DOMAIN}", "supervisor") for n in range(1, SUPERVISORS + 1)]
    agents += supervisors
    mediation = []
    for org_id, name in enumerate(texts.MEDIATION_ORGANISATIONS, 1):
        emails = [f"mediator{org_id}-{n}@{BENCH_DOMAIN}" for n in range(1, MEDIATORS_PER_ORG + 1)]
        mediation.append((org_id, name, [add(email, "mediator", org_id) for email in emails]))
    add(f"admin@{BENCH_DOMAIN}", "admin")
    # One staff member per shop: they accept and pay the agreements of its settled mediations.
    shop_staff = {m[0]: add(f"shop{m[0]}@{BENCH_DOMAIN}", "merchant", shop=m[0]) for m in merchants}
    consumers = [
        add(f"consumer{n}@{BENCH_DOMAIN}", "consumer", english=rng.random() < 0.15)
        for n in range(1, max(1, count // 20) + 1)
    ]
    for first in range(0, len(users), 50_000):
        writer.insert("users", USER_COLUMNS, users[first : first + 50_000])
    # The team's canned replies, which the reply form of every open complaint offers.
    writer.insert(
        "canned_replies",
        (
            "id",
            "title_zh",
            "title_en",
            "body_zh",
            "body_en",
            "active",
            "created_by_id",
            "created_at",
            "updated_at",
        ),
        [(n, *reply, True, supervisors[0], at, at) for n, reply in enumerate(CANNED_REPLIES, 1)],
    )
    versions = {}
    for category_id, _ in categories:
        for major in (False, True):
            promises = policy.in_force(category_id, major)
            versions[category_id, major] = promises.version_id if promises else None
    return Cast(
        consumers,
        [m[0] for m in merchants],
        [n for n, _ in categories],
        agents,
        mediation,
        versions,
        shop_staff=shop_staff,
        supervisors=supervisors,
    )


def _pledge_targets(versions: dict, start: int, end: int) -> dict[int, dict[ClockKind, BenchTarget]]:
    """The promises of the bench's policy versions, each with the calendar the application builds
    for it in every year the bench spans."""
    years = range(datetime.fromtimestamp(start, UTC).year, datetime.fromtimestamp(end, UTC).year + 1)
    targets = {}
    for version_id in {v for v in versions.values() if v is not None}:
        targets[version_id] = {
            kind: BenchTarget(
                promise,
                {
                    year: policy.calendar_of(promise.calendar_id, datetime(year, 7, 1, tzinfo=UTC))
                    for year in years
                },
            )
            for kind, promise in policy.promises_of(version_id).by_kind.items()
        }
    return targets


def _merchant_rows(rng: random.Random, at) -> list[tuple]:
    names: set[str] = set()
    while len(names) < MERCHANTS:
        if rng.random() < 0.8:
            parts = (texts.SHOP_PREFIX_ZH, texts.SHOP_KIND_ZH, texts.SHOP_SUFFIX_ZH)
            name = "".join(rng.choice(p) for p in parts)
        else:
            parts = (texts.SHOP_PREFIX_EN, texts.SHOP_KIND_EN, texts.SHOP_SUFFIX_EN)
            name = " ".join(rng.choice(p) for p in parts)
        if name in names:  # the combinations run out; number the rest like branch shops
            name = f"{name} {len(names)}"
        names.add(name)
    return [
        (n, f"SH{n:06d}", name, f"service{n}@shops.example", rng.random() > 0.02, at)
        for n, name in enumerate(sorted(names), 1)
    ]


def _stamp(writer: BulkWriter, seconds: int):
    moment = datetime.fromtimestamp(seconds, UTC)
    return moment.isoformat(" ")[:19] + ".000000" if writer.sqlite else moment


def _write_complaints(writer: BulkWriter, plan: Plan, started: float, progress) -> tuple[int, int]:
    """Write the chunks as they come; returns how many events and messages were written."""
    events = messages = 0
    counters: dict[int, int] = {}
    for chunk in _chunks(plan):
        writer.insert("complaints", COMPLAINT_COLUMNS, chunk.complaints)
        writer.insert("events", EVENT_COLUMNS, chunk.events)
        writer.insert("messages", MESSAGE_COLUMNS, chunk.messages)
        writer.insert("sla_clocks", CLOCK_COLUMNS, chunk.clocks)
        writer.insert("mediation_agreements", AGREEMENT_COLUMNS, chunk.agreements)
        writer.insert("notifications", NOTIFICATION_COLUMNS, chunk.notifications)
        writer.insert(FTS_TABLE, ("rowid", "body"), chunk.documents)
        events, messages, counters = (
            events + len(chunk.events),
            messages + len(chunk.messages),
            chunk.counters,
        )
        if chunk.done % COMMIT_EVERY == 0 or chunk.done == plan.count:
            writer.commit()
            progress(f"{chunk.done:>9,} / {plan.count:,} complaints  {time.monotonic() - started:7.1f} s")
    writer.insert("reference_counters", ("year", "last_seq"), sorted(counters.items()))
    return events, messages


def _chunks(plan: Plan):
    """The chunks of `plan`, made in a second process when the load is large enough."""
    if plan.count < IN_PROCESS_BELOW:
        yield from generate_chunks(plan)
        return
    context = multiprocessing.get_context("fork")
    handoff = context.Queue(maxsize=4)
    maker = context.Process(target=_make_chunks, args=(plan, handoff), daemon=True, name="seed-bench rows")
    maker.start()
    try:
        while True:
            try:
                item = handoff.get(timeout=5)
            except queue.Empty:
                if not maker.is_alive():
                    raise RuntimeError("the process making the rows died") from None
                continue
            if item is None:
                break
            if isinstance(item, str):
                raise RuntimeError(f"making the rows failed:\n{item}")
            yield item
    finally:
        maker.join(timeout=5)
        if maker.is_alive():
            maker.terminate()


def _make_chunks(plan: Plan, handoff) -> None:
    try:
        for chunk in generate_chunks(plan):
            handoff.put(chunk)
        handoff.put(None)
    except BaseException:
        handoff.put(traceback.format_exc())


__all__ = ["BENCH_PASSWORD", "BenchResult", "DatabaseNotEmpty", "seed_bench"]
