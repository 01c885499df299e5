"""Flask commands: users, seed-demo, seed-bench, scheduler (run `flask --app wsgi --help`)."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from complaints.extensions import db
from complaints.models import MediationOrganisation, Merchant, Role
from complaints.workflow import Refusal

users_cli = AppGroup("users", help="Manage accounts.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--organisation", help="Mediation organisation name (mediators).")
@click.option("--shop", help="Merchant shop code (merchant staff).")
def create_user_command(email, name, role, password, organisation, shop):
    """Create a staff (or any) account."""
    from sqlalchemy import select

    from complaints.services.accounts import create_user

    org_id = merchant_id = None
    if organisation:
        org = db.session.scalar(
            select(MediationOrganisation).where(MediationOrganisation.name == organisation)
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
    db.session.commit()
    click.echo(f"created {user.role.value} {user.email} (id {user.id})")


def register_commands(app: Flask) -> None:
    from complaints.scheduler import scheduler_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(scheduler_cli)
