"""SQLite's engine: Piccolo's, with a pool of long-lived connections.

Piccolo's own opens a new connection (and a thread) per query. ``PooledSQLiteEngine``
keeps a small pool of connections, each set up once (WAL, foreign keys, busy timeout), lent to
one query or one transaction at a time, so transactions keep their own connection and concurrent
writers queue on SQLite's lock (``BEGIN IMMEDIATE``) instead of failing.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from decimal import Decimal
from pathlib import Path
from typing import Any

import aiosqlite
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory

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
            await self.begin()  # type: ignore[no-untyped-call]  # Piccolo leaves it untyped
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
                    await self.rollback()  # type: ignore[no-untyped-call]
            elif not self._committed and not self._rolled_back:
                await self.commit()  # type: ignore[no-untyped-call]
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

    async def pool_open(self, *, size: int) -> None:
        """Size is fixed at construction (``MOU_DB_POOL_SIZE``); the argument matches PostgreSQL's."""
        await self.start_connection_pool()

    async def pool_close(self) -> None:
        await self.close_connection_pool()

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
