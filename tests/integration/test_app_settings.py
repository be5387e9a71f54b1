"""Apps and commands use the database of the settings they were given, not the process's."""

from __future__ import annotations

import contextvars
import dataclasses
from pathlib import Path

import httpx
import pytest

from mou.accounts.cli import user_create_command
from mou.app import create_app
from mou.db import DB, NO_ENGINE_BOUND, runtime_bound
from mou.migrate import migrate
from mou.parties.tables import Organisation
from mou.settings import Settings
from tests.asgi import asgi
from tests.conftest import SETTINGS

PASSWORD = "kata sandi yang cukup panjang"


async def _organisation_names(settings: Settings) -> set[str]:
    with runtime_bound(settings):
        return {row["name"] for row in await Organisation.select(Organisation.name)}


async def _database(tmp_path: Path, name: str) -> Settings:
    """A migrated SQLite file of its own, with an admin made by ``mou user create``'s code."""
    settings = dataclasses.replace(
        SETTINGS, database_url=f"sqlite:///{tmp_path}/{name}.sqlite", tick_seconds=0
    )
    with runtime_bound(settings):
        await migrate()
    await user_create_command(
        settings=settings,
        username=f"admin{name}",
        role="admin",
        organisation=f"Kantor {name}",
        password=PASSWORD,
    )
    return settings


async def test_two_apps_with_different_settings_each_write_their_own_database(
    tmp_path: Path,
) -> None:
    databases = [await _database(tmp_path, name) for name in ("a", "b")]
    apps = [create_app(settings) for settings in databases]
    for name, app in zip(("a", "b"), apps, strict=True):
        transport = httpx.ASGITransport(app=asgi(app))
        async with httpx.AsyncClient(transport=transport, base_url="http://mou.test") as http:
            login = await http.post(
                "/api/v1/auth/token", json={"username": f"admin{name}", "password": PASSWORD}
            )
            assert login.status_code == 200, login.text
            created = await http.post(
                "/api/v1/organisations",
                headers={"Authorization": f"Bearer {login.json()['access_token']}"},
                json={"name": f"Dinas {name}", "short_name": f"Dinas {name}", "kind": "other"},
            )
            assert created.status_code == 201, created.text

    assert await _organisation_names(databases[0]) == {"Kantor a", "Dinas a"}
    assert await _organisation_names(databases[1]) == {"Kantor b", "Dinas b"}
    assert not {"Dinas a", "Dinas b"} & await _organisation_names(SETTINGS)


def test_a_table_outside_any_app_or_command_says_no_database_is_bound() -> None:
    def unbound() -> None:
        with pytest.raises(RuntimeError, match=NO_ENGINE_BOUND.split(":")[0]):
            DB.engine_type  # noqa: B018

    contextvars.Context().run(unbound)
