"""Flask commands: users, seed-demo, seed-bench, scheduler (run `flask --app wsgi --help`)."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext

from complaints.extensions import db
from complaints.models import MediationOrganisation, Merchant, Role
from complaints.workflow import Refusal

users_cli = AppGroup("users", help="Manage accounts.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--organisation", help="Mediation organisation name, in Chinese or English (mediators).")
@click.option("--shop", help="Merchant shop code (merchant staff).")
def create_user_command(email, name, role, password, organisation, shop):
    """Create a staff (or any) account."""
    from sqlalchemy import or_, select

    from complaints.models import AdminAction
    from complaints.services import admin_audit
    from complaints.services.accounts import create_user

    org_id = merchant_id = None
    if organisation:
        org = db.session.scalar(
            select(MediationOrganisation)
            .where(
                or_(MediationOrganisation.name == organisation, MediationOrganisation.name_en == organisation)
            )
            .limit(1)
        )
        if org is None:
            raise click.BadParameter(
                f"no mediation organisation named {organisation!r}", param_hint="--organisation"
            )
        org_id = org.id
    if shop:
        merchant = db.session.scalar(select(Merchant).where(Merchant.shop_code == shop))
        if merchant is None:
            raise click.BadParameter(f"no shop with code {shop!r}", param_hint="--shop")
        merchant_id = merchant.id
    try:
        user = create_user(
            email=email,
            name=name,
            password=password,
            role=Role(role),
            mediation_org_id=org_id,
            merchant_id=merchant_id,
        )
    except Refusal as refusal:
        raise click.ClickException(refusal.message) from refusal
    # Accounts made from the command line leave the same trace as the admin page's (by the system).
    admin_audit.record(
        None,
        AdminAction.STAFF_CREATED,
        "user",
        user.id,
        name=user.name,
        email=user.email,
        role=user.role,
        via="cli",
    )
    db.session.commit()
    click.echo(f"created {user.role.value} {user.email} (id {user.id})")


@click.command("seed-demo")
@with_appcontext
def seed_demo_command():
    """Fill an empty database with demo data and print the demo logins (password: $DEMO_PASSWORD)."""
    from complaints.seed.demo import PASSWORD_ENV, seed_demo

    try:
        result = seed_demo()
    except Refusal as refusal:
        raise click.ClickException(f"{PASSWORD_ENV}: {refusal.message}") from refusal
    if not result.created:
        click.echo("database already has data; demo accounts unchanged")
        for email in result.existing_emails:
            click.echo(f"  {email}")
        return
    click.echo(f"created the demo marketplace: {result.complaints} complaints")
    rows = [("role", "email", "password"), *((role, email, result.password) for role, email in result.logins)]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for n, row in enumerate(rows):
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
        if n == 0:
            click.echo("  ".join("-" * width for width in widths))


@click.command("seed-bench")
@click.option("--complaints", "count", type=click.IntRange(min=1), default=100_000, show_default=True)
@click.option(
    "--days", type=click.IntRange(min=1), default=730, show_default=True, help="Spread over this many days."
)
@click.option("--seed", type=int, default=None, help="Random seed (default: fixed).")
@with_appcontext
def seed_bench_command(count, days, seed):
    """Fill an EMPTY database with COUNT realistic complaints, fast (for load tests)."""
    from complaints.seed.bench import BENCH_PASSWORD, DatabaseNotEmpty, seed_bench

    try:
        result = seed_bench(count, days=days, seed=seed, progress=click.echo)
    except DatabaseNotEmpty as refusal:
        raise click.ClickException(str(refusal)) from refusal
    click.echo(
        f"seeded {result.complaints} complaints, {result.events} events, {result.messages} messages, "
        f"{result.consumers} consumers, {result.merchants} shops in {result.seconds:.1f} s"
    )
    click.echo(f"staff accounts such as {result.sample_staff_email} sign in with {BENCH_PASSWORD!r}")


def register_commands(app: Flask) -> None:
    from complaints.attachments_cli import attachments_cli
    from complaints.audit_cli import audit_cli
    from complaints.backup_cli import backup_cli
    from complaints.reputation_cli import reputation_cli
    from complaints.scheduler import scheduler_cli
    from complaints.sla.commands import sla_cli

    app.cli.add_command(sla_cli)
    app.cli.add_command(attachments_cli)
    app.cli.add_command(audit_cli)
    app.cli.add_command(backup_cli)
    app.cli.add_command(reputation_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(scheduler_cli)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(seed_bench_command)
