"""A database that is down or a disk that is full answers 503 naming the cause, not a 500."""

from __future__ import annotations

import errno
import logging
import sqlite3
from collections.abc import Callable, Coroutine
from typing import Any

import asyncpg
import httpx
import pytest

from mou import errors
from mou.agreements.tables import Agreement
from mou.db import DB
from mou.parties.tables import Organisation
from tests.conftest import Actors
from tests.security.test_sessions import form_token

Failure = Callable[..., Coroutine[Any, Any, Any]]


async def refused_connection(*_: Any, **__: Any) -> Any:
    # A real driver error: asyncpg connecting to a port where no PostgreSQL listens.
    await asyncpg.connect("postgresql://postgres@127.0.0.1:1/postgres", timeout=5)


async def sqlite_full(*_: Any, **__: Any) -> Any:
    # A real SQLITE_FULL: a database capped at one page asked to grow.
    connection = sqlite3.connect(":memory:")
    try:
        connection.execute("PRAGMA max_page_count = 1")
        connection.execute("CREATE TABLE filler (x TEXT)")
    finally:
        connection.close()


def raising(exc: BaseException) -> Failure:
    async def fail(*_: Any, **__: Any) -> Any:
        raise exc

    return fail


UNAVAILABLE = ("Database unavailable", errors.DATABASE_UNAVAILABLE)
FULL = ("Storage full", errors.STORAGE_FULL)
FAILURES: dict[str, tuple[Failure, tuple[str, str]]] = {
    "postgres refuses connections": (refused_connection, UNAVAILABLE),
    "postgres starting up": (
        raising(asyncpg.exceptions.CannotConnectNowError("the database system is starting up")),
        UNAVAILABLE,
    ),
    "postgres restarted mid-query": (
        raising(asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed")),
        UNAVAILABLE,
    ),
    "postgres shut down by the administrator": (
        raising(asyncpg.exceptions.AdminShutdownError("terminating connection")),
        UNAVAILABLE,
    ),
    "postgres disk full": (
        raising(asyncpg.exceptions.DiskFullError("could not extend file")),
        FULL,
    ),
    "sqlite disk full": (sqlite_full, FULL),
    "no space left writing a file": (raising(OSError(errno.ENOSPC, "No space left")), FULL),
}


@pytest.mark.parametrize("failure", list(FAILURES))
async def test_outage_answers_503_naming_the_cause(
    client: httpx.AsyncClient,
    actors: Actors,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    failure: str,
) -> None:
    _, admin = await actors.user("admin")
    before = await Organisation.count()
    fail, (title, detail) = FAILURES[failure]
    monkeypatch.setattr(DB, "run_querystring", fail)
    with caplog.at_level(logging.INFO):
        answers = [
            await client.post("/api/v1/auth/token", json={"username": "x", "password": "y"}),
            await client.post(
                "/api/v1/organisations",
                headers=admin,
                json={"name": "Baru", "short_name": "B", "kind": "ministry"},
            ),
        ]
    monkeypatch.undo()
    for answer in answers:
        assert answer.status_code == 503, answer.text
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert (answer.json()["title"], answer.json()["detail"]) == (title, detail)
        assert int(answer.headers["retry-after"]) > 0
    assert await Organisation.count() == before
    # One line per request, not a traceback.
    logged = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(logged) == len(answers) and not any(r.exc_info for r in logged)


async def test_login_page_on_a_full_disk_answers_a_503_page(
    app: Any, rollback: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    transport = httpx.ASGITransport(app=app)
    # Over https, so the Secure CSRF cookie comes back as a browser would send it.
    async with httpx.AsyncClient(transport=transport, base_url="https://mou.test") as browser:
        page = await browser.get("/login")
        token = form_token(page.text)
        monkeypatch.setattr(DB, "run_querystring", sqlite_full)
        answer = await browser.post(
            "/login", data={"username": "x", "password": "y", "next": "/", "_csrf_token": token}
        )
        monkeypatch.undo()
    assert answer.status_code == 503, answer.text[:300]
    # The page speaks the visitor's language (Indonesian before signing in) and names the cause.
    assert "Penyimpanan penuh" in answer.text
    assert int(answer.headers["retry-after"]) > 0


async def test_a_full_sqlite_database_answers_503_and_keeps_nothing(
    client: httpx.AsyncClient, actors: Actors, database: Any
) -> None:
    """A real SQLITE_FULL: the test's connection may not grow the file by one page."""
    if database.kind != "sqlite":
        pytest.skip("SQLite's page cap; PostgreSQL's DiskFullError is in the test above")
    _, admin = await actors.user("admin")
    a, b = await actors.organisation(), await actors.organisation()
    connection = DB.current_transaction.get().connection
    pages = await (await connection.execute("PRAGMA page_count")).fetchone()
    free = await (await connection.execute("PRAGMA freelist_count")).fetchone()
    size = await (await connection.execute("PRAGMA page_size")).fetchone()
    purpose = "ü" * 20_000  # 40 kB: more than the file's free pages hold, so it must grow
    assert free["freelist_count"] * size["page_size"] < len(purpose.encode()) // 2
    await connection.execute(f"PRAGMA max_page_count = {pages['page_count']}")
    try:
        answer = await client.post(
            "/api/v1/agreements",
            headers=admin,
            json={
                "title": "Penuh",
                "kind": "pks",
                "parties": [
                    {"organisation_id": a, "role": "first_party"},
                    {"organisation_id": b, "role": "second_party"},
                ],
                "purpose": purpose,
            },
        )
    finally:
        await connection.execute("PRAGMA max_page_count = 4294967294")
    assert answer.status_code == 503, answer.text
    assert (answer.json()["title"], answer.json()["detail"]) == FULL
    assert int(answer.headers["retry-after"]) > 0
    assert not await Agreement.exists().where(Agreement.title == "Penuh")
