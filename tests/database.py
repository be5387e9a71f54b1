"""The database the suite runs against: a fresh SQLite file, or a fresh PostgreSQL database.

``MOU_TEST_DATABASE`` is ``sqlite`` (default) or ``postgres``; for ``postgres``,
``MOU_TEST_POSTGRES_URL`` names the server (the suite creates its own database there and drops
it after). This module runs before ``mou`` is imported, so it can set ``MOU_DATABASE_URL``.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import tempfile
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import asyncpg


@dataclass
class TestDatabase:
    kind: str
    url: str
    server_url: str | None = None
    name: str | None = None

    def drop(self) -> None:
        if self.kind == "postgres" and self.server_url and self.name:
            asyncio.run(_drop(self.server_url, self.name))


def postgres_database_url(server_url: str, name: str) -> str:
    parts = urlsplit(server_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", ""))


async def _admin(server_url: str) -> asyncpg.Connection:
    return await asyncpg.connect(postgres_database_url(server_url, "postgres"), timeout=10)


async def create_postgres_database(server_url: str, prefix: str = "mou_test") -> str:
    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(4)}"
    connection = await _admin(server_url)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return name


async def _drop(server_url: str, name: str) -> None:
    connection = await _admin(server_url)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


def drop_postgres_database(server_url: str, name: str) -> None:
    asyncio.run(_drop(server_url, name))


def choose() -> TestDatabase:
    kind = os.environ.get("MOU_TEST_DATABASE", "sqlite")
    if kind == "sqlite":
        folder = tempfile.mkdtemp(prefix="mou-test-")
        return TestDatabase("sqlite", f"sqlite:///{folder}/test.sqlite")
    if kind == "postgres":
        server = os.environ.get(
            "MOU_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        )
        name = asyncio.run(create_postgres_database(server))
        return TestDatabase("postgres", postgres_database_url(server, name), server, name)
    raise SystemExit(f"MOU_TEST_DATABASE must be sqlite or postgres, not {kind!r}")
