"""The database engine chosen by the URL, its pool, and the one way to open a transaction.

SQLite: Piccolo's engine opens a new connection (and a thread) per query. ``PooledSQLiteEngine``
keeps a small pool of connections, each set up once (WAL, foreign keys, busy timeout), lent to
one query or one transaction at a time, so transactions keep their own connection and concurrent
writers queue on SQLite's lock (``BEGIN IMMEDIATE``) instead of failing.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import aiosqlite
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory
from piccolo.querystring import QueryString

from mou.settings import Settings, get_settings

POOL_CLOSE_TIMEOUT = 5.0


def _int_out(value: bytes) -> int:
    """Piccolo's INTEGER converter, without a Decimal per value in the common case."""
    try:
        return int(value)
    except ValueError:
        # SQLite lets 1.0 into an INTEGER column; Piccolo reads it exactly, so do we.
        return int(Decimal(value.decode()))


# Piccolo converts every INTEGER through Decimal: half the CPU of a 50-row page (measured).
sqlite3.register_converter("INTEGER", _int_out)


class PooledSQLiteTransaction(SQLiteTransaction):
    """A transaction on a connection borrowed from the engine's pool and given back after."""

    engine: PooledSQLiteEngine

    async def __aenter__(self) -> SQLiteTransaction:
        if self._parent is not None:
            return self._parent
        self.connection = await self.engine.acquire()
        try:
            await self.begin()
        except BaseException:
            # BEGIN IMMEDIATE may time out waiting for the lock: the connection must go back.
            await self.engine.release(self.connection)
            raise
        self.context = self.engine.current_transaction.set(self)
        return self

    async def __aexit__(self, exception_type: Any, exception: Any, traceback: Any) -> bool:
        if self._parent:
            return exception is None
        try:
            if exception:
                if not self._rolled_back:
                    await self.rollback()
            elif not self._committed and not self._rolled_back:
                await self.commit()
        finally:
            await self.engine.release(self.connection)
            self.engine.current_transaction.reset(self.context)
        return exception is None


class PooledSQLiteEngine(SQLiteEngine):
    """Piccolo's SQLite engine with a pool of long-lived connections."""

    def __init__(self, path: str, *, pool_size: int = 8, busy_timeout: float = 30.0) -> None:
        super().__init__(path=path, timeout=busy_timeout)
        self.pool_size = pool_size
        self.busy_timeout = busy_timeout
        self._idle: list[aiosqlite.Connection] = []
        self._all: list[aiosqlite.Connection] = []
        self._available: asyncio.Semaphore | None = None
        #: Set by tests to count statements; ``None`` costs nothing.
        self.statement_counter: list[str] | None = None

    async def _open(self) -> aiosqlite.Connection:
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        connection = await aiosqlite.connect(**self.connection_kwargs)
        connection.row_factory = dict_factory  # type: ignore[assignment]
        for pragma in (
            "PRAGMA journal_mode = WAL",
            "PRAGMA foreign_keys = ON",
            "PRAGMA synchronous = NORMAL",
            f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}",
        ):
            await connection.execute(pragma)
        return connection

    async def start_connection_pool(self, **_: Any) -> None:
        if self._available is not None:
            return
        self._available = asyncio.Semaphore(self.pool_size)

    async def close_connection_pool(self) -> None:
        self._available = None
        connections, self._all, self._idle = self._all, [], []
        for connection in connections:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(connection.close(), POOL_CLOSE_TIMEOUT)

    async def acquire(self) -> aiosqlite.Connection:
        if self._available is None:
            return await self._open()
        await self._available.acquire()
        try:
            if self._idle:
                return self._idle.pop()
            connection = await self._open()
        except BaseException:
            self._available.release()
            raise
        self._all.append(connection)
        return connection

    async def release(self, connection: aiosqlite.Connection) -> None:
        if self._available is None or connection not in self._all:
            await connection.close()
            return
        if connection.in_transaction:
            # A cancelled transaction left work behind: never lend it out half-done.
            with contextlib.suppress(sqlite3.Error):
                await connection.execute("ROLLBACK")
        self._idle.append(connection)
        self._available.release()

    async def get_connection(self) -> aiosqlite.Connection:
        return await self.acquire()

    async def _run_in_new_connection(
        self,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: Any = None,
    ) -> Any:
        connection = await self.acquire()
        try:
            return await self._run_in_existing_connection(
                connection, query, args, query_type=query_type, table=table
            )
        finally:
            await self.release(connection)

    async def _run_in_existing_connection(
        self,
        connection: Any,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: Any = None,
    ) -> Any:
        # Pragmas are set once per pooled connection, not before every statement.
        if self.statement_counter is not None:
            self.statement_counter.append(query)
        # One trip to the connection's thread instead of three (execute, fetch, close).
        return await connection.execute_fetchall(query, args or [])

    def transaction(
        self,
        transaction_type: TransactionType = TransactionType.immediate,
        allow_nested: bool = True,
    ) -> SQLiteTransaction:
        return PooledSQLiteTransaction(
            engine=self, transaction_type=transaction_type, allow_nested=allow_nested
        )


class CountingPostgresEngine(PostgresEngine):
    """Piccolo's PostgreSQL engine, with an optional statement counter for tests."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.statement_counter: list[str] | None = None

    async def run_querystring(self, querystring: Any, in_pool: bool = True) -> Any:
        if self.statement_counter is not None:
            self.statement_counter.append(str(querystring))
        return await super().run_querystring(querystring, in_pool=in_pool)


def sqlite_path(database_url: str) -> str:
    """``sqlite:///var/x.sqlite`` is relative to the working directory; ``sqlite:////x`` absolute."""
    rest = database_url.removeprefix("sqlite:")
    if rest.startswith("////"):
        return unquote(rest[3:])
    if rest.startswith("///") and len(rest) > 3:
        return str(Path(unquote(rest[3:])).resolve())
    raise ValueError(f"a SQLite URL looks like sqlite:///var/mou.sqlite, not {database_url!r}")


def postgres_config(database_url: str) -> dict[str, Any]:
    parts = urlsplit(database_url)
    return {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 5432,
        "user": unquote(parts.username or "postgres"),
        "password": unquote(parts.password) if parts.password else None,
        "database": parts.path.lstrip("/") or "mou",
    }


def engine_from_settings(settings: Settings) -> Engine:
    """The engine the database URL names; nothing else decides between SQLite and PostgreSQL."""
    if settings.is_sqlite:
        return PooledSQLiteEngine(
            sqlite_path(settings.database_url),
            pool_size=settings.db_pool_size,
            busy_timeout=settings.sqlite_busy_timeout,
        )
    if settings.database_url.startswith(("postgresql:", "postgres:")):
        return CountingPostgresEngine(config=postgres_config(settings.database_url))
    raise ValueError(
        f"MOU_DATABASE_URL must start with sqlite: or postgresql:, not {settings.database_url!r}"
    )


async def open_pool(engine: Engine, settings: Settings) -> None:
    if isinstance(engine, PostgresEngine) and not getattr(engine, "pool", None):
        await engine.start_connection_pool(min_size=1, max_size=settings.db_pool_size)
    elif isinstance(engine, PooledSQLiteEngine):
        await engine.start_connection_pool()


async def close_pool(engine: Engine) -> None:
    """Close the pool; a stuck asyncpg ``Pool.close()`` is bounded, then terminated."""
    if isinstance(engine, PostgresEngine) and engine.pool is not None:
        pool = engine.pool
        engine.pool = None
        try:
            await asyncio.wait_for(pool.close(), POOL_CLOSE_TIMEOUT)
        except TimeoutError:
            pool.terminate()
    elif isinstance(engine, PooledSQLiteEngine):
        await engine.close_connection_pool()


@contextlib.asynccontextmanager
async def atomic() -> AsyncIterator[None]:
    """One write transaction. Inside another one it becomes a savepoint of it, so services
    compose, and a failed inner service leaves nothing behind even when the caller goes on."""
    outer = DB.current_transaction.get()
    if outer is None:
        async with DB.transaction():
            yield
        return
    savepoint = await outer.savepoint()
    try:
        yield
    except BaseException:
        await savepoint.rollback_to()
        raise
    await savepoint.release()


@contextlib.asynccontextmanager
async def read_snapshot() -> AsyncIterator[None]:
    """Every read inside sees the database as of one moment, and no writer waits for it.

    PostgreSQL: a ``REPEATABLE READ, READ ONLY`` transaction; SQLite: a deferred transaction
    (in WAL mode its first read fixes the snapshot). Inside another transaction, that one's view.
    """
    if DB.current_transaction.get() is not None:
        yield
        return
    if isinstance(DB, PostgresEngine):
        async with DB.transaction():
            # Must come before the transaction's first query, which takes the snapshot.
            await DB.run_ddl("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
        return
    async with DB.transaction(transaction_type=TransactionType.deferred):
        yield


#: The shortest text the SQLite trigram index can find; shorter ones read every document.
TRIGRAM = 3


def search_sql(text: str) -> tuple[str, list[Any]]:
    """A sub-select of the ids of agreements whose search document (``agreement_search``: title,
    reference number, party names, scope item titles) contains ``text``, ignoring case, every
    character literal; the statement and its arguments.

    SQLite: an FTS5 trigram ``MATCH`` of ``text`` as one phrase; PostgreSQL: ``ILIKE``, which
    the ``pg_trgm`` GIN index serves. Both find the same substrings (a test compares them).
    """
    if isinstance(DB, SQLiteEngine):
        if len(text) >= TRIGRAM:
            phrase = '"' + text.replace('"', '""') + '"'
            return "SELECT rowid FROM agreement_search WHERE agreement_search MATCH {}", [phrase]
        return "SELECT rowid FROM agreement_search WHERE instr(lower(body), lower({})) > 0", [text]
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return "SELECT agreement_id FROM agreement_search WHERE body ILIKE {}", [f"%{escaped}%"]


async def rows_estimate(sql: str, args: list[Any]) -> int | None:
    """How many rows the planner expects ``sql`` to give, read from its plan without running
    it (PostgreSQL); None on SQLite, which keeps no such statistics."""
    if not isinstance(DB, PostgresEngine):
        return None
    rows = await DB.run_querystring(QueryString(f"EXPLAIN (FORMAT JSON) {sql}", *args))
    plan = rows[0]["QUERY PLAN"]
    return int((json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]["Plan Rows"])


#: The process's engine; every table is bound to it.
DB = engine_from_settings(get_settings())
