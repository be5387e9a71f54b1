"""Fixtures: a migrated database per run, a rolled-back transaction per test, an ASGI client."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import secrets
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from tests.database import TestDatabase, choose

DATABASE: TestDatabase = choose()
os.environ["MOU_DATABASE_URL"] = DATABASE.url
# Production mode (MOU_DEV unset) refuses to start without a real secret; every process the
# suite starts inherits this one, so two servers of one test share it as a deployment would.
os.environ["MOU_SECRET_KEY"] = secrets.token_urlsafe(48)

from mou.accounts.passwords import password_hash  # noqa: E402
from mou.accounts.schemas import CurrentUser  # noqa: E402
from mou.accounts.selectors import token_digest  # noqa: E402
from mou.accounts.tables import ApiToken, User  # noqa: E402
from mou.app import create_app  # noqa: E402
from mou.db import DB, close_pool, open_pool  # noqa: E402
from mou.migrate import migrate  # noqa: E402
from mou.parties.schemas import OrganisationCreate  # noqa: E402
from mou.parties.services import organisation_create  # noqa: E402
from mou.settings import get_settings  # noqa: E402

asyncio.run(migrate())

#: Lines the suite reports in its terminal summary (pytest hides prints of passing tests).
REPORT: list[str] = []


def pytest_unconfigure(config: pytest.Config) -> None:
    DATABASE.drop()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    stats = terminalreporter.stats
    counts = {key: len(stats.get(key, [])) for key in ("passed", "failed", "error", "skipped")}
    terminalreporter.write_sep("=", f"database: {DATABASE.kind}")
    terminalreporter.write_line(
        f"suite[{DATABASE.kind}]: " + ", ".join(f"{count} {key}" for key, count in counts.items())
    )
    for line in REPORT:
        terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def database() -> TestDatabase:
    return DATABASE


@pytest.fixture
async def app() -> AsyncIterator[Any]:
    # The app's own lifespan opens and closes this pool; anyio's task group in
    # ``app.lifespan()`` cannot span a fixture's setup and teardown tasks.
    await open_pool(DB, get_settings())
    try:
        yield create_app()
    finally:
        await close_pool(DB)


@pytest.fixture
async def rollback(app: Any) -> AsyncIterator[None]:
    """Everything the test writes, through services or HTTP, is rolled back after it."""
    transaction = DB.transaction()
    await transaction.__aenter__()
    try:
        yield
    finally:
        await transaction.rollback()
        await transaction.__aexit__(None, None, None)


@pytest.fixture
async def client(app: Any, rollback: None) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://mou.test") as http:
        yield http


class Actors:
    """Creates organisations and users with tokens, inside the test's transaction."""

    def __init__(self) -> None:
        self._count = 0
        # Unique across tests: some tests commit (concurrency) and leave rows behind.
        self._tag = secrets.token_hex(3)

    async def organisation(self, name: str | None = None, parent_id: int | None = None) -> int:
        self._count += 1
        created = await organisation_create(
            user=CurrentUser.system(),
            data=OrganisationCreate(
                name=name or f"Organisation {self._tag} {self._count}",
                short_name=f"Org {self._count}",
                kind="provincial_agency",
                parent_id=parent_id,
            ),
        )
        return created.id

    async def user(
        self, role: str = "admin", organisation_id: int | None = None
    ) -> tuple[int, dict[str, str]]:
        """A user and the headers that authenticate as them.

        Rows are written directly with a hash computed once: argon2 per test would cost more
        than the test. The login path itself is tested through the API.
        """
        self._count += 1
        organisation_id = organisation_id or await self.organisation()
        user = User(
            username=f"user{self._tag}{self._count}",
            password_hash=await _known_hash(),
            role=role,
            organisation=organisation_id,
        )
        await user.save()
        token = secrets.token_urlsafe(32)
        now = dt.datetime.now(dt.UTC)
        await ApiToken(
            user=user.id,
            name="test",
            token_hash=token_digest(token),
            created_at=now,
            expires_at=now + dt.timedelta(hours=1),
        ).save()
        return user.id, {"Authorization": f"Bearer {token}"}


KNOWN_PASSWORD = "correct horse battery staple"
_hash_cache: list[str] = []


async def _known_hash() -> str:
    if not _hash_cache:
        _hash_cache.append(await password_hash(KNOWN_PASSWORD))
    return _hash_cache[0]


@pytest.fixture
def actors(rollback: None) -> Iterator[Actors]:
    yield Actors()


@pytest.fixture
async def admin(actors: Actors) -> dict[str, str]:
    _, headers = await actors.user("admin")
    return headers
