"""`flask backup create` / `flask backup restore`: the database and attachments, together."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

backup_cli = AppGroup("backup", help="Back up and restore the database with its attachments.")


@backup_cli.command("create")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
def create_command(path: Path | None) -> None:
    """Write a backup archive (default: instance/backups/pledgedesk-<time>.tar.gz)."""
    from complaints.services.backup import BackupError, create_backup

    if path is None:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        path = Path(current_app.instance_path) / "backups" / f"pledgedesk-{stamp}.tar.gz"
    try:
        manifest = create_backup(path)
    except (BackupError, OSError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"backup written to {path} ({len(manifest['attachments'])} attachments)")


@backup_cli.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that already holds complaints.")
def restore_command(path: Path, force: bool) -> None:
    """Restore a backup archive made by `flask backup create`."""
    import json
    import subprocess
    import tarfile
    import zlib

    from complaints.services.backup import BackupError, restore_backup

    unreadable = (EOFError, zlib.error, tarfile.TarError, json.JSONDecodeError, KeyError)
    try:
        manifest = restore_backup(path, force=force)
    except unreadable as exc:
        raise click.ClickException(f"{path} is not a readable PledgeDesk backup ({exc})") from exc
    except (BackupError, OSError, subprocess.CalledProcessError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"restored {path} (made {manifest['created_at']}, {len(manifest['attachments'])} attachments)")
