"""`flask reputation compute --month YYYY-MM` and `flask reputation orders`: score the shops' month
(again: the same record gives the same result) and record a shop's order volume for a month."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from complaints.workflow import Refusal

reputation_cli = AppGroup("reputation", help="Shops' monthly reputation scores and grades.")


def _month(value: str | None):
    from complaints.services.reputation import Month

    try:
        return Month.parse(value) if value else Month.last()
    except Refusal as refused:
        raise click.BadParameter(refused.message) from refused


@reputation_cli.command("compute")
@click.option("--month", "month", help="YYYY-MM; the month before this one if left out.")
def compute_command(month: str | None) -> None:
    """Count, score and keep every shop's month, replacing what was kept for it."""
    from complaints.services.reputation import compute_month

    chosen = _month(month)
    click.echo(f"{chosen}: scored {compute_month(chosen)} shops")


@reputation_cli.command("orders")
@click.option("--shop", "shop_code", required=True, help="The shop's code.")
@click.option("--month", "month", required=True, help="YYYY-MM")
@click.option("--orders", type=int, required=True, help="How many orders the shop had that month.")
def orders_command(shop_code: str, month: str, orders: int) -> None:
    """Record a shop's order volume for a month (its complaints then count per thousand orders)."""
    from sqlalchemy import select

    from complaints.extensions import db
    from complaints.models import Merchant
    from complaints.services.reputation import record_orders

    shop = db.session.scalar(select(Merchant).where(Merchant.shop_code == shop_code))
    if shop is None:
        raise click.BadParameter(f"no shop has the code {shop_code!r}", param_hint="--shop")
    try:
        record_orders(None, shop.id, _month(month), orders)
    except Refusal as refused:
        raise click.BadParameter(refused.message, param_hint="--orders") from refused
    click.echo(f"{shop_code} {month}: {orders:,} orders recorded")


@reputation_cli.command("export-sanctions")
@click.option("--format", "fmt", type=click.Choice(["csv"]), default="csv", show_default=True)
def export_sanctions_command(fmt: str) -> None:
    """Print every measure ever approved against a shop, for regulators."""
    from complaints.services.sanctions import regulator_csv

    click.echo(regulator_csv(), nl=False)
