"""`flask audit verify` / `flask audit digest`: prove the complaint timelines were not edited."""

from __future__ import annotations

import click
from flask.cli import AppGroup

audit_cli = AppGroup("audit", help="Check the tamper-evident complaint timelines.")


@audit_cli.command("verify")
@click.option("--digest", "expected_digest", help="A digest printed earlier by `flask audit digest`.")
def verify_command(expected_digest: str | None) -> None:
    """Walk every complaint's event chain; exit 1 naming each complaint whose history changed."""
    from complaints.services.audit import chain_digest, verify_chains

    checked, breaks = verify_chains()
    for found in breaks:
        click.echo(f"{found.reference}: {found.problem} (event {found.event_id})")
    failed = bool(breaks)
    if expected_digest and chain_digest() != expected_digest.strip().lower():
        click.echo("the newest events differ from the digest given: history was rewritten or cut since")
        failed = True
    click.echo(f"{checked} events checked, {len(breaks)} complaints with a broken history")
    if failed:
        raise SystemExit(1)


@audit_cli.command("digest")
def digest_command() -> None:
    """Print one hash over every complaint's newest event; keep it somewhere else."""
    from complaints.services.audit import chain_digest

    click.echo(chain_digest())
