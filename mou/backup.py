"""``mou backup`` / ``mou restore`` for SQLite, through sqlite3's online backup API.

A backup is one step of the backup API: it reads one snapshot of the database (WAL readers do
not block writers, nor writers them), so it is consistent while the app keeps writing. It is
written beside its target and renamed into place, so a failed backup leaves no half file.
A restore only fills an empty location: it never overwrites a database.

PostgreSQL is backed up with its own tools (``pg_dump -Fc``, ``pg_restore``): see the README.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path

BACKUP_TARGET_EXISTS = "refusing to overwrite {path}: it exists; name a new file"
RESTORE_TARGET_NOT_EMPTY = (
    "refusing to restore over {path}: it holds a database ({size} bytes); "
    "point MOU_DATABASE_URL at an empty location, or move that file away first"
)
RESTORE_SOURCE_MISSING = "no backup at {path}"
RESTORE_SOURCE_BROKEN = "{path} is not a sound SQLite database: {reason}"
POSTGRES_USE_PG_DUMP = (
    "MOU_DATABASE_URL names PostgreSQL: back it up with pg_dump -Fc and restore it with "
    "pg_restore into a new database (the README shows both)"
)


class BackupRefused(RuntimeError):
    """The backup or restore would lose or mix up data; the message says which file."""


def _copy(source: sqlite3.Connection, target_path: Path) -> None:
    """Copy ``source`` into a new file at ``target_path``, atomically."""
    partial = target_path.with_name(f".{target_path.name}.partial-{os.getpid()}")
    partial.unlink(missing_ok=True)
    try:
        with contextlib.closing(sqlite3.connect(partial)) as target:
            # One step (pages=-1): a stepwise copy restarts whenever a writer commits.
            source.backup(target, pages=-1)
        os.replace(partial, target_path)
    finally:
        partial.unlink(missing_ok=True)


def sqlite_backup(*, database_path: Path, target_path: Path) -> int:
    """Write a consistent copy of the live database to ``target_path`` (which must not exist);
    return its size in bytes."""
    if target_path.exists():
        raise BackupRefused(BACKUP_TARGET_EXISTS.format(path=target_path))
    target_path.parent.mkdir(parents=True, exist_ok=True)
    uri = f"{database_path.resolve().as_uri()}?mode=ro"
    with contextlib.closing(sqlite3.connect(uri, uri=True)) as source:
        _copy(source, target_path)
    return target_path.stat().st_size


def _integrity_problem(path: Path) -> str | None:
    try:
        with contextlib.closing(
            sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        ) as db:
            verdict = db.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.Error as exc:
        return str(exc)
    return None if verdict == "ok" else str(verdict)


def sqlite_restore(*, backup_path: Path, database_path: Path) -> int:
    """Copy the backup at ``backup_path`` to ``database_path``, which must be missing or empty;
    return the restored size in bytes."""
    if not backup_path.is_file():
        raise BackupRefused(RESTORE_SOURCE_MISSING.format(path=backup_path))
    if database_path.exists() and database_path.stat().st_size > 0:
        raise BackupRefused(
            RESTORE_TARGET_NOT_EMPTY.format(path=database_path, size=database_path.stat().st_size)
        )
    reason = _integrity_problem(backup_path)
    if reason is not None:
        raise BackupRefused(RESTORE_SOURCE_BROKEN.format(path=backup_path, reason=reason))
    database_path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.closing(sqlite3.connect(backup_path)) as source:
        _copy(source, database_path)
    return database_path.stat().st_size
