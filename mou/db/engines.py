"""Which engine a database URL names, built once per database, and the one bound to the code
running now.

Tables are declared once against ``DB``, which stands for the engine *bound* to the running
code: an app binds its own (from the settings ``create_app`` was given) around each request
and its lifespan, a command around its run, the test suite for its session. So two apps in
one process, made with different settings, each read and write their own database.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine

from mou.db.sqlite import POOL_CLOSE_TIMEOUT, PooledSQLiteEngine
from mou.settings import Settings, settings_bound

NO_ENGINE_BOUND = (
    "no database is bound: run inside an app made by create_app(settings), "
    "or inside mou.db.database_session(settings)"
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

    async def pool_open(self, *, size: int) -> None:
        if not self.pool:
            await self.start_connection_pool(min_size=1, max_size=size)

    async def pool_close(self) -> None:
        """Close the pool; a stuck asyncpg ``Pool.close()`` is bounded, then terminated."""
        pool, self.pool = self.pool, None
        if pool is None:
            return
        try:
            await asyncio.wait_for(pool.close(), POOL_CLOSE_TIMEOUT)
        except TimeoutError:
            pool.terminate()


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


def engine_for(settings: Settings) -> Engine[Any]:
    """The engine ``settings`` name; the only place an engine is built, and the only place that
    decides between SQLite and PostgreSQL (by the URL).

    One per database per process: apps and commands with the same database share its pool.
    """
    return _engine_build(
        settings.database_url,
        settings.is_sqlite,
        settings.db_pool_size,
        settings.sqlite_busy_timeout,
    )


@functools.cache
def _engine_build(
    database_url: str, sqlite: bool, pool_size: int, busy_timeout: float
) -> Engine[Any]:
    if sqlite:
        return PooledSQLiteEngine(
            sqlite_path(database_url), pool_size=pool_size, busy_timeout=busy_timeout
        )
    if database_url.startswith(("postgresql:", "postgres:")):
        return CountingPostgresEngine(config=postgres_config(database_url))
    raise ValueError(
        f"MOU_DATABASE_URL must start with sqlite: or postgresql:, not {database_url!r}"
    )


_bound: contextvars.ContextVar[Engine[Any] | None] = contextvars.ContextVar(
    "mou_engine", default=None
)


def engine_current() -> Engine[Any]:
    """The engine bound to the code running now; ``RuntimeError`` when none is."""
    engine = _bound.get()
    if engine is None:
        raise RuntimeError(NO_ENGINE_BOUND)
    return engine


class BoundEngine:
    """Stands for ``engine_current()``: every attribute is the bound engine's.

    ``__class__`` too, so Piccolo's ``isinstance(engine, Engine)`` checks see the real engine
    (Django's ``LazyObject`` does the same).
    """

    __slots__ = ()

    def _target(self) -> Engine[Any]:
        return engine_current()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._target(), name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._target(), name, value)

    def __delattr__(self, name: str) -> None:
        delattr(self._target(), name)

    @property  # type: ignore[misc]
    def __class__(self) -> type[Any]:
        return type(self._target())


#: What every table is bound to: the engine of the app or command running now.
DB: Any = BoundEngine()


@contextlib.contextmanager
def runtime_bound(settings: Settings) -> Iterator[Engine[Any]]:
    """Run the code inside with ``settings`` and their engine (pool not opened)."""
    engine = engine_for(settings)
    token = _bound.set(engine)
    try:
        with settings_bound(settings):
            yield engine
    finally:
        _bound.reset(token)


async def open_pool(engine: Engine[Any], settings: Settings) -> None:
    await engine.pool_open(size=settings.db_pool_size)  # type: ignore[attr-defined]


async def close_pool(engine: Engine[Any]) -> None:
    await engine.pool_close()  # type: ignore[attr-defined]


@contextlib.asynccontextmanager
async def database_session(settings: Settings) -> AsyncIterator[Engine[Any]]:
    """Run the code inside with ``settings``, their engine bound and its pool open; the pool is
    closed after. What a command wraps its work in."""
    with runtime_bound(settings) as engine:
        await open_pool(engine, settings)
        try:
            yield engine
        finally:
            await close_pool(engine)
