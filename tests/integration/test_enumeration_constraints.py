"""Enumerated columns hold only their values, whoever writes: plain SQL is refused by the
database (CHECK constraints on PostgreSQL, triggers on SQLite); the API still answers a bad value
with a 400 naming the field, as its schemas refuse it before the database is reached."""

import asyncio
import contextlib
import importlib
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from migrations.mou_2026_12_01t20_00_00_000000 import ENUMERATIONS, constraint_name
from mou.db import DB, atomic, sqlite_path
from mou.piccolo_app import TABLES
from tests.conftest import DATABASE, Actors
from tests.database import (
    create_postgres_database,
    drop_postgres_database,
    postgres_database_url,
)
from tests.integration.builders import create_agreement, create_meeting

#: What each database raises when a constraint refuses a row.
REFUSED = (asyncpg.exceptions.CheckViolationError, sqlite3.IntegrityError)
#: Short enough for every enumerated column (the shortest is VARCHAR(10)).
BAD_VALUE = "bogus"
COLUMNS = sorted(ENUMERATIONS)


@pytest.fixture
async def world(client: httpx.AsyncClient, actors: Actors, admin: dict[str, str]) -> dict[str, Any]:
    """At least one row in every table with an enumerated column."""
    a, b = await actors.organisation(), await actors.organisation()
    agreement = await create_agreement(client, admin, [a, b])
    submitted = await client.post(
        f"/api/v1/agreements/{agreement['id']}/actions/submit",
        headers={**admin, "If-Match": '"1"'},
    )
    assert submitted.status_code == 200, submitted.text
    scope = await client.post(
        f"/api/v1/agreements/{agreement['id']}/scope-items",
        headers=admin,
        json={"kind": "other", "title": "Siaran bersama"},
    )
    assert scope.status_code == 201, scope.text
    meeting = await create_meeting(client, admin, agreement["id"])
    attendee = await client.post(
        f"/api/v1/meetings/{meeting['id']}/attendees",
        headers=admin,
        json={"full_name": "Tamu", "organisation_id": a},
    )
    assert attendee.status_code == 201, attendee.text
    action = await client.post(
        f"/api/v1/meetings/{meeting['id']}/action-items", headers=admin, json={"title": "Kirim"}
    )
    assert action.status_code == 201, action.text
    return {
        "a": a,
        "agreement": agreement["id"],
        "scope_item": scope.json()["id"],
        "meeting": meeting["id"],
        "action_item": action.json()["id"],
    }


def latest_row(table: str) -> str:
    return f'(SELECT max(id) FROM "{table}")'


def copy_with(table: str, column: str, value: str) -> str:
    """INSERT a copy of the table's latest row with ``column`` set to ``value``."""
    (table_class,) = [t for t in TABLES if t._meta.tablename == table]
    names = [c._meta.db_column_name for c in table_class._meta.columns if not c._meta.primary_key]
    values = [f"'{value}'" if name == column else f'"{name}"' for name in names]
    listed = ", ".join(f'"{name}"' for name in names)
    return (
        f'INSERT INTO "{table}" ({listed}) SELECT {", ".join(values)} FROM "{table}" '
        f"WHERE id = {latest_row(table)}"
    )


@pytest.mark.parametrize(("table", "column"), COLUMNS, ids=[f"{t}.{c}" for t, c in COLUMNS])
async def test_sql_writes_only_the_enumerated_values(
    world: dict[str, Any], table: str, column: str
) -> None:
    row = latest_row(table)
    update = f'UPDATE "{table}" SET "{column}" = \'{BAD_VALUE}\' WHERE id = {row}'
    for statement in (update, copy_with(table, column, BAD_VALUE)):
        with pytest.raises(REFUSED) as refused:
            async with atomic():
                await DB.run_ddl(statement)
        assert constraint_name(table, column) in str(refused.value)
    count = f'SELECT count(*) AS n FROM "{table}" WHERE "{column}" = \'{BAD_VALUE}\''
    assert (await DB.run_ddl(count))[0]["n"] == 0
    for value in ENUMERATIONS[table, column]:
        await DB.run_ddl(f'UPDATE "{table}" SET "{column}" = \'{value}\' WHERE id = {row}')
        stored = await DB.run_ddl(f'SELECT "{column}" AS v FROM "{table}" WHERE id = {row}')
        assert stored[0]["v"] == value


# (method, path template, body, field): one bad value for each enumerated field the API writes.
API_CASES: list[tuple[str, str, dict[str, Any], str]] = [
    ("POST", "/api/v1/organisations", {"name": "X", "short_name": "X", "kind": BAD_VALUE}, "kind"),
    (
        "POST",
        "/api/v1/users",
        {
            "username": "baru",
            "password": "kata sandi panjang",
            "role": BAD_VALUE,
            "organisation_id": "a",
        },
        "role",
    ),
    (
        "POST",
        "/api/v1/agreements",
        {"title": "X", "kind": BAD_VALUE, "parties": [{"organisation_id": "a", "role": "party"}]},
        "kind",
    ),
    (
        "POST",
        "/api/v1/agreements",
        {"title": "X", "kind": "mou", "parties": [{"organisation_id": "a", "role": BAD_VALUE}]},
        "parties[0].role",
    ),
    ("PATCH", "/api/v1/agreements/{agreement}", {"kind": BAD_VALUE}, "kind"),
    (
        "POST",
        "/api/v1/agreements/{agreement}/scope-items",
        {"kind": BAD_VALUE, "title": "X"},
        "kind",
    ),
    ("PATCH", "/api/v1/scope-items/{scope_item}", {"status": BAD_VALUE}, "status"),
    (
        "POST",
        "/api/v1/agreements/{agreement}/meetings",
        {"title": "X", "kind": BAD_VALUE, "starts_at": "2023-10-23T10:00:00"},
        "kind",
    ),
    (
        "POST",
        "/api/v1/agreements/{agreement}/meetings",
        {"title": "X", "kind": "planning", "starts_at": "2023-10-23T10:00:00", "mode": BAD_VALUE},
        "mode",
    ),
    ("PATCH", "/api/v1/meetings/{meeting}", {"mode": BAD_VALUE}, "mode"),
    (
        "POST",
        "/api/v1/meetings/{meeting}/attendees",
        {"full_name": "X", "organisation_id": "a", "role": BAD_VALUE},
        "role",
    ),
    (
        "POST",
        "/api/v1/meetings/{meeting}/attendees",
        {"full_name": "X", "organisation_id": "a", "attendance": BAD_VALUE},
        "attendance",
    ),
    ("PATCH", "/api/v1/action-items/{action_item}", {"status": BAD_VALUE}, "status"),
]


@pytest.mark.parametrize(("method", "path", "body", "field"), API_CASES)
async def test_the_api_answers_a_bad_value_with_400_naming_the_field(
    client: httpx.AsyncClient,
    admin: dict[str, str],
    world: dict[str, Any],
    method: str,
    path: str,
    body: dict[str, Any],
    field: str,
) -> None:
    filled = {k: world["a"] if v == "a" else v for k, v in body.items()}
    if "parties" in filled:
        filled["parties"] = [{**p, "organisation_id": world["a"]} for p in filled["parties"]]
    response = await client.request(
        method,
        path.format(**world),
        json=filled,
        headers={**admin, "If-Match": '"2"' if "agreements/{" in path else '"1"'},
    )
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in [error["field"] for error in response.json()["errors"]], response.text


MIGRATION_ID = "2026-12-01T20:00:00:000000"
BAD_ORGANISATION = (
    "INSERT INTO organisation (name, short_name, kind, address, created_at) "
    "VALUES ('Lama', 'Lama', 'bogus', '', CURRENT_TIMESTAMP)"
)


def migration_before_constraints() -> str:
    folder = Path(__file__).parents[2] / "migrations"
    ids = sorted(
        importlib.import_module(f"migrations.{path.stem}").ID for path in folder.glob("mou_*.py")
    )
    return ids[ids.index(MIGRATION_ID) - 1]


def run(command: list[str], url: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MOU_", "PICCOLO_"))}
    env.update(MOU_DATABASE_URL=url, PICCOLO_CONF="mou.piccolo_conf")
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=180)


@pytest.fixture
def spare_database_url(tmp_path: Path) -> Iterator[str]:
    """An empty database of the suite's kind, apart from the suite's own."""
    if DATABASE.kind == "sqlite":
        yield f"sqlite:///{tmp_path}/old.sqlite"
        return
    assert DATABASE.server_url is not None
    name = asyncio.run(create_postgres_database(DATABASE.server_url, prefix="mou_enum"))
    try:
        yield postgres_database_url(DATABASE.server_url, name)
    finally:
        drop_postgres_database(DATABASE.server_url, name)


async def execute(url: str, statement: str) -> None:
    if url.startswith("sqlite:"):
        with contextlib.closing(sqlite3.connect(sqlite_path(url))) as connection:
            connection.execute(statement)
            connection.commit()
        return
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


async def test_migrating_a_database_holding_a_bad_value_fails_naming_the_column(
    spare_database_url: str,
) -> None:
    piccolo = str(Path(sys.executable).parent / "piccolo")
    earlier = run(
        [piccolo, "migrations", "forwards", "mou", migration_before_constraints()],
        spare_database_url,
    )
    assert earlier.returncode == 0, earlier.stdout + earlier.stderr
    await execute(spare_database_url, BAD_ORGANISATION)
    migrated = run([sys.executable, "-m", "mou.cli", "migrate"], spare_database_url)
    assert migrated.returncode != 0
    assert constraint_name("organisation", "kind") in migrated.stderr
