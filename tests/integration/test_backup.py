"""Backups taken while the app writes restore to a database whose audit chain holds.

SQLite: ``mou backup`` / ``mou restore``. PostgreSQL: ``pg_dump -Fc`` / ``pg_restore`` into a
new database, as the README tells an operator to.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from mou.backup import BACKUP_TARGET_EXISTS, POSTGRES_USE_PG_DUMP, RESTORE_TARGET_NOT_EMPTY
from tests.conftest import DATABASE, REPORT
from tests.database import create_postgres_database, drop_postgres_database, postgres_database_url
from tests.integration.processes import PROJECT, mou_env, mou_run

WAIT_SECONDS = 120.0

#: Creates organisations (each an audited write) until killed; prints how many have committed.
WRITER = """
import asyncio

from mou.accounts.schemas import CurrentUser
from mou.db import DB, open_pool
from mou.parties.schemas import OrganisationCreate
from mou.parties.services import organisation_create
from mou.settings import get_settings


async def main() -> None:
    await open_pool(DB, get_settings())
    committed = 0
    while True:
        await organisation_create(
            user=CurrentUser.system(),
            data=OrganisationCreate(
                name=f"Writer {committed}", short_name="W", kind="provincial_agency"
            ),
        )
        committed += 1
        print(committed, flush=True)


asyncio.run(main())
"""


class Writer:
    """The writer process, and the number of writes it has reported committed."""

    def __init__(self, env: dict[str, str]) -> None:
        self.committed = 0
        self._process = subprocess.Popen(
            [sys.executable, "-c", WRITER],
            env=env,
            cwd=PROJECT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self._process.stdout is not None
        for line in self._process.stdout:
            self.committed = int(line)

    def wait_beyond(self, count: int) -> None:
        """Wait until more than ``count`` writes have committed (bounded, never asserted on)."""
        deadline = time.monotonic() + WAIT_SECONDS
        while self.committed <= count:
            if self._process.poll() is not None or time.monotonic() > deadline:
                assert self._process.stderr is not None
                raise AssertionError(f"the writer stopped: {self._process.stderr.read()[-2000:]}")
            time.sleep(0.02)

    def stop(self) -> None:
        self._process.kill()
        self._process.wait()


@contextlib.contextmanager
def writing(env: dict[str, str]) -> Iterator[Writer]:
    writer = Writer(env)
    try:
        yield writer
    finally:
        writer.stop()


def _audit_verified(env: dict[str, str]) -> int:
    verified = mou_run("audit", "verify", env=env)
    assert verified.returncode == 0, verified.stderr
    return int(verified.stdout.split(": ")[1].split()[0])


def _backup_while_writing(env: dict[str, str], take_backup: object) -> tuple[int, int]:
    """Start writing, take the backup mid-stream; return (committed before it, after it)."""
    assert callable(take_backup)
    with writing(env) as writer:
        writer.wait_beyond(20)
        before = writer.committed
        take_backup()
        after = writer.committed
        # The writer kept committing after the backup: it was taken under writes.
        writer.wait_beyond(after)
    return before, after


@pytest.mark.skipif(
    DATABASE.kind != "sqlite", reason="mou backup is SQLite's; see the pg_dump test"
)
def test_sqlite_backup_taken_while_writing_restores_with_an_intact_audit_chain(
    tmp_path: Path,
) -> None:
    live = mou_env(MOU_DATABASE_URL=f"sqlite:///{tmp_path}/live.sqlite")
    assert mou_run("migrate", env=live).returncode == 0
    backup = tmp_path / "backups" / "mou.sqlite"

    def take_backup() -> None:
        done = mou_run("backup", str(backup), env=live)
        assert done.returncode == 0, done.stderr

    before, _ = _backup_while_writing(live, take_backup)
    restored_path = tmp_path / "restored" / "mou.sqlite"
    restored = mou_env(MOU_DATABASE_URL=f"sqlite:///{restored_path}")
    done = mou_run("restore", str(backup), env=restored)
    assert done.returncode == 0, done.stderr
    events = _audit_verified(restored)
    with contextlib.closing(sqlite3.connect(restored_path)) as db:
        (writes,) = db.execute(
            "SELECT count(*) FROM organisation WHERE name LIKE 'Writer %'"
        ).fetchone()
    assert writes >= before
    assert events >= writes
    REPORT.append(_report("mou backup/restore", before, writes, events))


def _report(tool: str, before: int, writes: int, events: int) -> str:
    return (
        f"{tool} under writes: {before} committed before the backup began, {writes} in the "
        f"restored copy, mou audit verify: {events} events intact"
    )


@pytest.mark.skipif(DATABASE.kind != "sqlite", reason="mou backup is SQLite's")
def test_sqlite_backup_and_restore_refuse_to_overwrite_naming_the_file(tmp_path: Path) -> None:
    database = tmp_path / "live.sqlite"
    live = mou_env(MOU_DATABASE_URL=f"sqlite:///{database}")
    assert mou_run("migrate", env=live).returncode == 0
    taken = tmp_path / "taken.sqlite"
    assert mou_run("backup", str(taken), env=live).returncode == 0
    again = mou_run("backup", str(taken), env=live)
    assert again.returncode == 2
    assert again.stderr.strip() == "mou backup: " + BACKUP_TARGET_EXISTS.format(path=taken)
    over = mou_run("restore", str(taken), env=live)
    assert over.returncode == 2
    assert over.stderr.strip() == "mou restore: " + RESTORE_TARGET_NOT_EMPTY.format(
        path=database, size=database.stat().st_size
    )


def test_mou_backup_on_postgresql_points_to_pg_dump(tmp_path: Path) -> None:
    env = mou_env(MOU_DATABASE_URL="postgresql://mou@127.0.0.1:5432/mou")
    refused = mou_run("backup", str(tmp_path / "x"), env=env)
    assert refused.returncode == 2
    assert refused.stderr.strip() == "mou backup: " + POSTGRES_USE_PG_DUMP


async def _count_writes(url: str) -> int:
    connection = await asyncpg.connect(url)
    try:
        return int(
            await connection.fetchval(
                "SELECT count(*) FROM organisation WHERE name LIKE 'Writer %'"
            )
        )
    finally:
        await connection.close()


@pytest.mark.skipif(DATABASE.kind != "postgres", reason="pg_dump needs the PostgreSQL run")
def test_pg_dump_taken_while_writing_restores_with_an_intact_audit_chain(tmp_path: Path) -> None:
    assert shutil.which("pg_dump") and shutil.which("pg_restore"), "./dev test installs them"
    server = DATABASE.server_url
    assert server is not None
    live_name = asyncio.run(create_postgres_database(server, prefix="mou_live"))
    copy_name = asyncio.run(create_postgres_database(server, prefix="mou_copy"))
    live_url = postgres_database_url(server, live_name)
    copy_url = postgres_database_url(server, copy_name)
    dump = tmp_path / "mou.dump"
    try:
        live = mou_env(MOU_DATABASE_URL=live_url)
        assert mou_run("migrate", env=live).returncode == 0

        def take_backup() -> None:
            subprocess.run(["pg_dump", "-Fc", "-f", str(dump), live_url], check=True, timeout=300)

        before, _ = _backup_while_writing(live, take_backup)
        subprocess.run(
            ["pg_restore", "--no-owner", "--exit-on-error", "-d", copy_url, str(dump)],
            check=True,
            timeout=300,
        )
        events = _audit_verified(mou_env(MOU_DATABASE_URL=copy_url))
        writes = asyncio.run(_count_writes(copy_url))
        assert writes >= before
        assert events >= writes
        REPORT.append(_report("pg_dump -Fc/pg_restore", before, writes, events))
    finally:
        drop_postgres_database(server, live_name)
        drop_postgres_database(server, copy_name)
