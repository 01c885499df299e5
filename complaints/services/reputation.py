"""Shops' reputation, month by month: the figures of each shop's month counted from the record,
scored by services/reputation_model.py, and kept (models/reputation.py).

A month is a calendar month of the platform's zone. Its figures, per shop:

| figure | what is counted in the month |
|---|---|
| complaints | complaints filed about the shop |
| decided, upheld | the platform's decisions on its complaints; those upholding them in full or in part |
| replies met, missed | the shop's reply windows (`merchant_reply` clocks) that ended kept or missed |
| offers made, accepted | its settlement offers made; of those, the ones the consumer accepted |
| mediations concluded, settled | mediation outcomes recorded on its complaints (withdrawn ones do not count) |
| unpaid agreements | mediation agreements it was to pay that were marked unpaid after their deadline |
| deposit payouts | payouts from its guarantee deposit to consumers |
| ratings | consumers' ratings of the service given on its complaints as they closed them |

Each figure's rule is defined once, in services/reputation_figures.py, and both counts the figure
(`month_figures`) and lists the complaints behind it (`complaints_behind`).

`compute_month` counts every shop's month and replaces what was kept for that month, so
computing a month again from the same record gives the same rows (the scheduler computes last
month on the 1st; `flask reputation compute --month YYYY-MM` any month). Shops with nothing in a
month and no earlier score are left out of it. A shop graded below the line gets a measure proposed
(services/sanctions.py), once per month.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import Select, delete, func, select

from complaints.extensions import db
from complaints.models import (
    Complaint,
    Merchant,
    ShopOrderVolume,
    ShopReputation,
    User,
)
from complaints.services import reputation_model as model
from complaints.services import sanctions
from complaints.services.reputation_figures import FIGURES, Figure
from complaints.timekeeping import now
from complaints.workflow import N_, Refusal

MONTH_FORMAT = "%Y-%m"
MAX_ORDERS = 1_000_000_000
BEHIND_PAGE_SIZE = 50


@dataclass(frozen=True)
class Month:
    first: date  # its first day

    @classmethod
    def parse(cls, text: str) -> Month:
        """YYYY-MM, or a Refusal that says so."""
        try:
            first = datetime.strptime((text or "").strip(), MONTH_FORMAT).date()
        except ValueError as exc:
            raise Refusal(N_("Give the month as YYYY-MM, for example 2026-10.")) from exc
        if not 2000 <= first.year <= 2100:
            raise Refusal(N_("Give the month as YYYY-MM, for example 2026-10."))
        return cls(first)

    @classmethod
    def last(cls, at: datetime | None = None) -> Month:
        """The month before the one `at` (now) falls in, in the platform's zone."""
        today = (at or now()).astimezone(_zone()).date()
        return cls((today.replace(day=1) - timedelta(days=1)).replace(day=1))

    @property
    def next_first(self) -> date:
        return (self.first + timedelta(days=32)).replace(day=1)

    def bounds(self) -> tuple[datetime, datetime]:
        """The UTC instants the month begins and ends (exclusive)."""
        zone = _zone()
        start = datetime.combine(self.first, datetime.min.time(), zone).astimezone(UTC)
        end = datetime.combine(self.next_first, datetime.min.time(), zone).astimezone(UTC)
        return start, end

    def __str__(self) -> str:
        return self.first.strftime(MONTH_FORMAT)


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def thresholds() -> tuple[int, ...]:
    return model.thresholds_from(str(current_app.config["REPUTATION_GRADE_THRESHOLDS"]))


def month_figures(month: Month) -> dict[int, model.MonthFigures]:
    """Every shop's figures of `month` that has any (shop id -> figures); each figure by its one
    rule in services/reputation_figures.py."""
    start, end = month.bounds()
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for name, figure in FIGURES.items():
        if name == "ratings":
            continue
        for merchant_id, value in db.session.execute(figure.counts(start, end)):
            counts[merchant_id][name] = int(value or 0)
    rated = FIGURES["ratings"].counts(start, end, func.sum(Complaint.rating))
    for merchant_id, ratings, total in db.session.execute(rated):
        counts[merchant_id]["ratings"], counts[merchant_id]["rating_sum"] = int(ratings), int(total or 0)
    volumes = dict(
        db.session.execute(
            select(ShopOrderVolume.merchant_id, ShopOrderVolume.orders).where(
                ShopOrderVolume.month == month.first
            )
        ).all()
    )
    shops = set(counts) | set(volumes)
    return {shop: model.MonthFigures(orders=volumes.get(shop), **counts[shop]) for shop in shops}


def compute_month(month: Month) -> int:
    """Count, score and keep every shop's `month`, replacing what was kept for it (one
    transaction). Returns how many shops were scored."""
    figures = month_figures(month)
    earlier = set(
        db.session.scalars(
            select(ShopReputation.merchant_id).where(ShopReputation.month < month.first).distinct()
        )
    )
    at, limits = now(), thresholds()
    db.session.execute(delete(ShopReputation).where(ShopReputation.month == month.first))
    rows = []
    for merchant_id in sorted(set(figures) | earlier):
        shop = figures.get(merchant_id, model.MonthFigures())
        value = model.score(shop)
        counted = {f.name: getattr(shop, f.name) for f in fields(shop)}
        rows.append(
            ShopReputation(
                merchant_id=merchant_id,
                month=month.first,
                score=value,
                grade=model.grade(value, limits),
                computed_at=at,
                **counted,
            )
        )
    db.session.add_all(rows)
    db.session.flush()
    sanctions.propose_for(rows, sanctions.today())  # a grade below the line proposes a measure
    db.session.commit()
    return len(rows)


def compute_month_once(month: Month) -> int:
    """compute_month, unless the month was scored already (the nightly job); returns how many
    shops were scored now (0: nothing to do)."""
    if db.session.scalar(select(ShopReputation.id).where(ShopReputation.month == month.first).limit(1)):
        return 0
    return compute_month(month)


def history(merchant_id: int, months: int = 12) -> list[ShopReputation]:
    """The shop's last `months` scored months, oldest first."""
    rows = db.session.scalars(
        select(ShopReputation)
        .where(ShopReputation.merchant_id == merchant_id)
        .order_by(ShopReputation.month.desc())
        .limit(months)
    ).all()
    return list(reversed(rows))


def latest_scores() -> list[tuple[Merchant, ShopReputation]]:
    """Every scored shop with its latest month, the lowest score first."""
    latest = (
        select(ShopReputation.merchant_id, func.max(ShopReputation.month).label("month"))
        .group_by(ShopReputation.merchant_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Merchant, ShopReputation)
        .join(ShopReputation, ShopReputation.merchant_id == Merchant.id)
        .join(
            latest,
            (latest.c.merchant_id == ShopReputation.merchant_id) & (latest.c.month == ShopReputation.month),
        )
        .order_by(ShopReputation.score, Merchant.name)
    ).all()
    return [(shop, row) for shop, row in rows]


def complaints_behind(merchant_id: int, month: Month, figure: str) -> Select:
    """(complaint, events) behind `figure` of shop `merchant_id`'s `month`, each complaint once, by
    the rule that counts the figure (`events`: how many of the month's counted events are the
    complaint's; 1 for figures that count complaints). KeyError for a figure with no such rule."""
    start, end = month.bounds()
    return FIGURES[figure].complaints(merchant_id, start, end)


@dataclass(frozen=True)
class BehindPage:
    figure: Figure
    rows: list  # (complaint, events, readable): readable, whether the reader sees the complaint itself
    complaints: int  # how many complaints in all
    events: int  # how many counted events in all (the figure)
    page: int
    pages: int

    @property
    def titles_hidden(self) -> bool:
        """Whether some complaint listed is one the reader does not open (its title is not shown)."""
        return any(not readable for _, _, readable in self.rows)


def behind_page(merchant_id: int, month: Month, figure: str, readable: Select, page: int = 1) -> BehindPage:
    """One page of the complaints behind `figure` of a shop's month, newest first. `readable`: a
    SELECT of the ids of the complaints the reader sees (the participant policy's scope); the
    others are listed by reference, state and date only. KeyError for an unknown figure."""
    behind = complaints_behind(merchant_id, month, figure)
    listed = behind.subquery()
    complaints, events = db.session.execute(select(func.count(), func.sum(listed.c.events))).one()
    pages = max(1, -(-complaints // BEHIND_PAGE_SIZE))
    page = min(max(page, 1), pages)
    rows = db.session.execute(
        behind.add_columns(Complaint.id.in_(readable).label("readable"))
        .order_by(Complaint.created_at.desc(), Complaint.id.desc())
        .limit(BEHIND_PAGE_SIZE)
        .offset((page - 1) * BEHIND_PAGE_SIZE)
    ).all()
    return BehindPage(
        FIGURES[figure], [tuple(row) for row in rows], complaints, int(events or 0), page, pages
    )


def figures_of(row: ShopReputation) -> model.MonthFigures:
    """A kept month's figures, as the model reads them."""
    return model.MonthFigures(**{f.name: getattr(row, f.name) for f in fields(model.MonthFigures)})


def record_orders(user: User, merchant_id: int, month: Month, orders: int) -> ShopOrderVolume:
    """Record (or replace) a shop's order volume for a month; it counts from the month's next
    computation."""
    if not 0 < orders <= MAX_ORDERS:
        raise Refusal(N_("Give the number of orders: a whole number above zero."))
    volume = db.session.scalar(
        select(ShopOrderVolume).where(
            ShopOrderVolume.merchant_id == merchant_id, ShopOrderVolume.month == month.first
        )
    )
    if volume is None:
        volume = ShopOrderVolume(merchant_id=merchant_id, month=month.first)
        db.session.add(volume)
    volume.orders, volume.recorded_by_id, volume.recorded_at = orders, user.id if user else None, now()
    db.session.commit()
    return volume
