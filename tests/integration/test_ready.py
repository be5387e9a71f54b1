"""``GET /ready``: 200 only while the database answers and has run every migration file."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
from piccolo.apps.migrations.tables import Migration

from mou.app import READY_RETRY_AFTER
from mou.migrate import DATABASE_UNREACHABLE, MIGRATIONS_PENDING, migration_ids
from tests.conftest import DATABASE
from tests.database import create_postgres_database, drop_postgres_database, postgres_database_url
from tests.integration.processes import mou_env, mou_run, mou_server


async def test_ready_answers_200_when_every_migration_has_run(client: httpx.AsyncClient) -> None:
    response = await client.get("/ready")
    assert response.status_code == 200, response.text
    assert response.json() == {"status": "ready"}


async def test_ready_answers_503_naming_a_migration_the_database_has_not_run(
    client: httpx.AsyncClient,
) -> None:
    newest = max(migration_ids())
    # Inside the test's transaction, rolled back after: the database "forgets" one migration.
    await Migration.delete().where(Migration.name == newest)
    response = await client.get("/ready")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"] == str(READY_RETRY_AFTER)
    assert response.json()["detail"] == MIGRATIONS_PENDING.format(ids=newest)
    assert (await client.get("/health")).status_code == 200


def _assert_unreachable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"] == str(READY_RETRY_AFTER)
    assert response.json()["detail"] == DATABASE_UNREACHABLE


def test_ready_answers_503_when_the_database_is_unreachable(tmp_path: Path) -> None:
    if DATABASE.kind == "sqlite":
        # A file where the database's folder should be: no connection can ever open.
        (tmp_path / "not-a-folder").write_text("")
        env = mou_env(MOU_DATABASE_URL=f"sqlite:///{tmp_path}/not-a-folder/mou.sqlite")
        with mou_server(env, tmp_path / "server.log") as base_url:
            _assert_unreachable(httpx.get(f"{base_url}/ready"))
            assert httpx.get(f"{base_url}/health").status_code == 200
        return
    assert DATABASE.server_url is not None
    name = asyncio.run(create_postgres_database(DATABASE.server_url, prefix="mou_ready"))
    env = mou_env(MOU_DATABASE_URL=postgres_database_url(DATABASE.server_url, name))
    try:
        assert mou_run("migrate", env=env).returncode == 0
        with mou_server(env, tmp_path / "server.log") as base_url:
            assert httpx.get(f"{base_url}/ready").status_code == 200
            # The database goes away under the running app (its connections are cut).
            drop_postgres_database(DATABASE.server_url, name)
            _assert_unreachable(httpx.get(f"{base_url}/ready"))
            assert httpx.get(f"{base_url}/health").status_code == 200
    finally:
        drop_postgres_database(DATABASE.server_url, name)
