"""Where SQLite and PostgreSQL differ, and what their drivers' exceptions mean: the only module
that asks which database runs, and the only one that imports ``sqlite3`` or ``asyncpg``
for their errors. Features call these and stay the same on both engines.
"""

from __future__ import annotations

import contextlib
import errno
import json
import socket
import sqlite3
from collections.abc import Iterator
from typing import Any, Literal

import asyncpg
from piccolo.querystring import QueryString

from mou import errors
from mou.db.engines import engine_current

#: Seconds a client is told to wait: a restarting database is back soon, a full disk is not.
DATABASE_RETRY_AFTER = 5
STORAGE_RETRY_AFTER = 60
_SQLITE_FULL = "database or disk is full"
_SQLITE_UNOPENABLE = "unable to open database file"
#: A server starting or shutting down, a connection cut, or none to be had (refused, no host).
_CONNECTION_LOST = (
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.CrashShutdownError,
    asyncpg.exceptions.PostgresConnectionError,
    ConnectionError,
    socket.gaierror,
)


LockStrength = Literal["UPDATE", "NO KEY UPDATE"]


def engine_is_sqlite() -> bool:
    """Whether the bound engine is SQLite (else PostgreSQL): the one way to ask."""
    return bool(engine_current().engine_type == "sqlite")


def rows_locked(query: Any, *, strength: LockStrength = "NO KEY UPDATE") -> Any:
    """``query`` (a Piccolo select) locking its rows until the transaction ends. The default
    stops other writers of them but not inserts of rows that merely refer to them; ``UPDATE``
    stops those too.

    SQLite has no row locks: ``BEGIN IMMEDIATE`` already holds the database for writing.
    """
    return query if engine_is_sqlite() else query.lock_rows(strength)


async def transaction_lock(key: int) -> None:
    """Hold the lock named by ``key`` (a signed 64-bit integer) until the transaction ends.

    PostgreSQL: an advisory lock; SQLite: nothing, its ``BEGIN IMMEDIATE`` transactions already
    admit one writer at a time.
    """
    if engine_is_sqlite():
        return
    await engine_current().run_querystring(QueryString("SELECT pg_advisory_xact_lock({})", key))


def text_position_function() -> str:
    """The SQL function giving a substring's position (1-based, 0 when absent): a plain
    position search, where LIKE would read a user's ``%``, ``_`` and ``\\`` as pattern syntax."""
    return "instr" if engine_is_sqlite() else "strpos"


#: The shortest text the SQLite trigram index can find; shorter ones read every document.
TRIGRAM = 3


def search_sql(text: str) -> tuple[str, list[Any]]:
    """A sub-select of the ids of agreements whose search document (``agreement_search``: title,
    reference number, party names, scope item titles) contains ``text``, ignoring case, every
    character literal; the statement and its arguments.

    SQLite: an FTS5 trigram ``MATCH`` of ``text`` as one phrase; PostgreSQL: ``ILIKE``, which
    the ``pg_trgm`` GIN index serves. Both find the same substrings (a test compares them).
    """
    if engine_is_sqlite():
        if len(text) >= TRIGRAM:
            phrase = '"' + text.replace('"', '""') + '"'
            return "SELECT rowid FROM agreement_search WHERE agreement_search MATCH {}", [phrase]
        return "SELECT rowid FROM agreement_search WHERE instr(lower(body), lower({})) > 0", [text]
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return "SELECT agreement_id FROM agreement_search WHERE body ILIKE {}", [f"%{escaped}%"]


async def rows_estimate(sql: str, args: list[Any]) -> int | None:
    """How many rows the planner expects ``sql`` to give, read from its plan without running
    it (PostgreSQL); None on SQLite, which keeps no such statistics."""
    if engine_is_sqlite():
        return None
    rows = await engine_current().run_querystring(
        QueryString(f"EXPLAIN (FORMAT JSON) {sql}", *args)
    )
    plan = rows[0]["QUERY PLAN"]
    return int((json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]["Plan Rows"])


@contextlib.contextmanager
def unique_violation_raises(error: Exception) -> Iterator[None]:
    """Inside, a unique index refusing a row raises ``error`` instead of the driver's exception;
    every other database error passes unchanged."""
    try:
        yield
    except (sqlite3.IntegrityError, asyncpg.UniqueViolationError) as exc:
        if isinstance(exc, sqlite3.IntegrityError) and "UNIQUE" not in str(exc):
            raise
        raise error from None


def outage_of(exc: BaseException) -> errors.Unavailable | None:
    """The outage a driver's error means, if it means one: the one map from asyncpg, sqlite3
    and socket errors to "database unavailable" and "storage full" (503, nothing saved)."""
    unavailable = errors.DatabaseUnavailable(errors.DATABASE_UNAVAILABLE, DATABASE_RETRY_AFTER)
    full = errors.StorageFull(errors.STORAGE_FULL, STORAGE_RETRY_AFTER)
    for cause in _causes(exc):
        if isinstance(cause, asyncpg.exceptions.DiskFullError):
            return full
        if isinstance(cause, OSError) and cause.errno == errno.ENOSPC:
            return full
        if isinstance(cause, sqlite3.OperationalError) and _SQLITE_FULL in str(cause):
            return full
        if isinstance(cause, sqlite3.OperationalError) and _SQLITE_UNOPENABLE in str(cause):
            return unavailable
        if isinstance(cause, _CONNECTION_LOST):
            return unavailable
    return None


def _causes(exc: BaseException) -> list[BaseException]:
    """``exc`` and what it was raised from, nearest first (a driver error may be wrapped).

    Only ``raise ... from``: an error met while handling a lost connection is not an outage.
    """
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and all(current is not seen for seen in chain):
        chain.append(current)
        current = current.__cause__
    return chain
