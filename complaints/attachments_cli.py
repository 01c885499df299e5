"""`flask attachments prune`: remove evidence files that no complaint refers to."""

from __future__ import annotations

import click
from flask.cli import AppGroup

attachments_cli = AppGroup("attachments", help="Evidence files on disk.")


@attachments_cli.command("prune")
@click.option("--older-than", default=60, show_default=True, help="Minutes a file must be old to be removed.")
def prune_command(older_than: int) -> None:
    """Delete files left by uploads whose transaction never committed."""
    from complaints.services.attachments import prune_orphan_files

    removed = prune_orphan_files(older_than)
    click.echo(f"removed {len(removed)} orphan files")
