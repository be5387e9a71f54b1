"""The one way to open a transaction: ``atomic`` to write, ``read_snapshot`` to read."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from piccolo.engine.sqlite import TransactionType

from mou.db.dialect import engine_is_sqlite
from mou.db.engines import DB


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
    if engine_is_sqlite():
        async with DB.transaction(transaction_type=TransactionType.deferred):
            yield
        return
    async with DB.transaction():
        # Must come before the transaction's first query, which takes the snapshot.
        await DB.run_ddl("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield
