"""The database seam: which engine, bound to what, how to open a transaction, and where the two
engines differ. Features import from here, never from ``piccolo.engine``, ``sqlite3`` or
``asyncpg``.

- ``engines``: ``engine_for(settings)``, the one place an engine is built; ``DB``, what tables
  are declared against, standing for the engine bound to the running app or command;
  ``database_session(settings)`` for commands.
- ``sqlite``: SQLite's pooled engine.
- ``transactions``: ``atomic`` (write) and ``read_snapshot`` (read).
- ``dialect``: row locks, transaction locks, unique violations, text position, outages, text search
  and row estimates.
"""

from mou.db.dialect import (
    engine_is_sqlite,
    outage_of,
    rows_estimate,
    rows_locked,
    search_sql,
    text_position_function,
    transaction_lock,
    unique_violation_raises,
)
from mou.db.engines import (
    DB,
    NO_ENGINE_BOUND,
    close_pool,
    database_session,
    engine_current,
    engine_for,
    open_pool,
    runtime_bound,
    sqlite_path,
)
from mou.db.sqlite import PooledSQLiteEngine
from mou.db.transactions import atomic, read_snapshot

__all__ = [
    "DB",
    "NO_ENGINE_BOUND",
    "PooledSQLiteEngine",
    "atomic",
    "close_pool",
    "database_session",
    "engine_current",
    "engine_for",
    "engine_is_sqlite",
    "open_pool",
    "outage_of",
    "read_snapshot",
    "rows_estimate",
    "rows_locked",
    "runtime_bound",
    "search_sql",
    "sqlite_path",
    "text_position_function",
    "transaction_lock",
    "unique_violation_raises",
]
