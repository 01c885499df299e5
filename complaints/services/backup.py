"""Backups: the database and every attachment in one archive, restorable on an empty instance.

SQLite is copied with its online backup API (a consistent snapshot while the app runs);
PostgreSQL with pg_dump / pg_restore. The archive holds `database.sqlite3` or `database.pgdump`,
the `attachments/` tree and a `manifest.json` with the SHA-256 of every file, checked on restore.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from flask import current_app
from sqlalchemy.engine import make_url

from complaints.extensions import db

FORMAT_VERSION = 1


class BackupError(RuntimeError):
    """A backup or restore could not be done; the message says why."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _database_url():
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


def _pg_args(url) -> tuple[list[str], dict]:
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    args = ["-h", url.host or "127.0.0.1", "-p", str(url.port or 5432), "-U", url.username or "postgres"]
    return args, env


def _dump_database(folder: Path) -> str:
    url = _database_url()
    if url.get_backend_name() == "sqlite":
        target = folder / "database.sqlite3"
        source = sqlite3.connect(url.database)
        copy = sqlite3.connect(target)
        with copy:
            source.backup(copy)
        source.close()
        copy.close()
        return target.name
    target = folder / "database.pgdump"
    args, env = _pg_args(url)
    subprocess.run(["pg_dump", "-Fc", "-f", str(target), *args, url.database], check=True, env=env)
    return target.name


def create_backup(destination: Path) -> dict:
    """Write a backup archive to `destination` (a .tar.gz); returns its manifest."""
    attachments = Path(current_app.config["ATTACHMENT_DIR"])
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        database_file = _dump_database(folder)
        files = {}
        if attachments.exists():
            for path in sorted(attachments.rglob("*")):
                if path.is_file():
                    files[str(path.relative_to(attachments))] = _sha256(path)
        manifest = {
            "format": FORMAT_VERSION,
            "created_at": datetime.now(UTC).isoformat(),
            "database": {"file": database_file, "sha256": _sha256(folder / database_file)},
            "attachments": files,
        }
        (folder / "manifest.json").write_text(json.dumps(manifest, indent=2))
        destination.parent.mkdir(parents=True, exist_ok=True)
        partial = destination.with_suffix(destination.suffix + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(folder / "manifest.json", arcname="manifest.json")
            archive.add(folder / database_file, arcname=database_file)
            if attachments.exists():
                archive.add(attachments, arcname="attachments")
        partial.replace(destination)  # never a half-written archive under the real name
    return manifest


def _safe_members(archive: tarfile.TarFile):
    for member in archive.getmembers():
        name = Path(member.name)
        if name.is_absolute() or ".." in name.parts or not (member.isfile() or member.isdir()):
            raise BackupError(f"unsafe entry in archive: {member.name}")
        yield member


def restore_backup(source: Path, *, force: bool = False) -> dict:
    """Restore the archive `source` over this instance's database and attachments.

    Every file is checked against the manifest before anything is replaced. Without `force` the
    current database must hold no complaints (restoring over live data is a decision to make on
    purpose).
    """
    from sqlalchemy import func, select

    from complaints.models import Complaint

    if not force and db.session.scalar(select(func.count()).select_from(Complaint)):
        raise BackupError("this database already holds complaints; use --force to replace them")
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        with tarfile.open(source, "r:gz") as archive:
            archive.extractall(folder, members=list(_safe_members(archive)), filter="data")
        manifest = json.loads((folder / "manifest.json").read_text())
        if manifest.get("format") != FORMAT_VERSION:
            raise BackupError("unknown backup format")
        database_file = folder / manifest["database"]["file"]
        if _sha256(database_file) != manifest["database"]["sha256"]:
            raise BackupError("the database copy in the archive is damaged")
        for name, digest in manifest["attachments"].items():
            if _sha256(folder / "attachments" / name) != digest:
                raise BackupError(f"attachment {name} in the archive is damaged")
        db.session.remove()
        db.engine.dispose()
        _load_database(database_file)
        attachments = Path(current_app.config["ATTACHMENT_DIR"])
        if attachments.exists():
            shutil.rmtree(attachments)
        if (folder / "attachments").exists():
            shutil.copytree(folder / "attachments", attachments)
        else:
            attachments.mkdir(parents=True, exist_ok=True)
    return manifest


def _load_database(database_file: Path) -> None:
    url = _database_url()
    if url.get_backend_name() == "sqlite":
        if not database_file.name.endswith(".sqlite3"):
            raise BackupError("this backup was made from PostgreSQL; restore it on PostgreSQL")
        source = sqlite3.connect(database_file)
        target = sqlite3.connect(url.database)
        with target:
            source.backup(target)
        source.close()
        target.close()
        return
    if not database_file.name.endswith(".pgdump"):
        raise BackupError("this backup was made from SQLite; restore it on SQLite")
    args, env = _pg_args(url)
    subprocess.run(
        ["pg_restore", "--clean", "--if-exists", "--no-owner", "-d", url.database, *args, str(database_file)],
        check=True,
        env=env,
    )
