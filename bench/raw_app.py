"""The baseline: a bare Litestar app whose one handler runs mou's SQL through the raw driver.

``GET /agreements?limit=50&offset=0`` runs, in mou's order, the same four statements (text
copied from what Piccolo sends for ``GET /api/v1/agreements?limit=50``):

1. the bearer-token lookup of ``mou.accounts.selectors.user_for_token`` (401 when it finds
   nothing), so the baseline pays for authentication as the real app does;
2. the page ``SELECT`` of the agreement summary columns, ``ORDER BY id DESC LIMIT/OFFSET``;
3. the parties of those agreements joined with their organisation;
4. ``COUNT(*)``;

and returns the same JSON as ``mou.agreements.schemas.AgreementPage``. No ORM, no msgspec
validation, no middleware. Serve it with uvicorn, ``BENCH_DATABASE_URL`` naming the database:

    BENCH_DATABASE_URL=sqlite:////tmp/x.sqlite .venv/bin/uvicorn raw_app:create_app \
        --factory --app-dir bench --port 8001

SQLite: by default one ``sqlite3`` connection used directly on the event loop (the queries are
sub-millisecond, so blocking the loop is the cheapest way to run them);
``BENCH_SQLITE_DRIVER=aiosqlite`` uses one ``aiosqlite`` connection instead (a thread hop per
call, as mou's engine does). PostgreSQL: an ``asyncpg`` pool (min 1, max 8 as mou's), one
connection acquired per request for all four statements.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import sqlite3
from collections.abc import AsyncIterator, Callable
from typing import Any
from urllib.parse import unquote, urlsplit

from litestar import Litestar, Request, get
from litestar.exceptions import NotAuthorizedException, ValidationException

POOL_MAX = int(os.environ.get("MOU_DB_POOL_SIZE", "8"))

TOKEN_SQL = (
    "\nSELECT u.id, u.username, u.role, u.organisation AS organisation_id, u.person AS person_id,\n"
    "       u.locale\n"
    'FROM api_token t JOIN mou_user u ON u.id = t."user"\n'
    "WHERE t.token_hash = {0} AND t.revoked_at IS NULL AND t.expires_at > {1} AND u.active = {2}\n"
)
PAGE_SQL = (
    "\nSELECT a.id, a.reference_number, a.title, a.kind, a.stage, a.start_date, a.end_date,\n"
    "       a.signed_on, a.version\n"
    "FROM agreement a\n"
    "WHERE 1 = 1\n"
    "ORDER BY a.id DESC\n"
    "LIMIT {0} OFFSET {1}\n"
)
COUNT_SQL = "SELECT COUNT(*) AS total FROM agreement a WHERE 1 = 1"
PARTIES_SQL = (
    "\nSELECT p.id, p.agreement AS agreement_id, p.organisation AS organisation_id,\n"
    "       o.name AS organisation_name, o.short_name AS organisation_short_name, p.role,\n"
    "       p.signatory AS signatory_id\n"
    "FROM agreement_party p JOIN organisation o ON o.id = p.organisation\n"
    "WHERE p.agreement IN ({marks})\n"
    "ORDER BY p.agreement, p.position\n"
)
MAX_LIMIT = 200

Fetch = Callable[[str, list[Any]], Any]


def _sqlite_marks(n: int, start: int = 1) -> list[str]:
    return ["?"] * n


def _pg_marks(n: int, start: int = 1) -> list[str]:
    return [f"${i}" for i in range(start, start + n)]


def statements(kind: str, page_size: int, limit: int = 50, offset: int = 0) -> list[str]:
    """The statements one request runs, in order, for a page of ``page_size`` agreements."""
    marks = _sqlite_marks if kind == "sqlite" else _pg_marks
    return [
        TOKEN_SQL.format(*marks(3)),
        PAGE_SQL.format(*marks(2)),
        COUNT_SQL,
        PARTIES_SQL.format(marks=", ".join(marks(page_size))),
    ]


async def _page(
    fetch: Fetch, marks: Callable[..., list[str]], now: Any, token: str, limit: int, offset: int
) -> dict[str, Any]:
    digest = hashlib.sha256(token.encode()).hexdigest()
    user = await fetch(TOKEN_SQL.format(*marks(3)), [digest, now, True])
    if not user:
        raise NotAuthorizedException("The token is unknown, expired or revoked.")
    rows = await fetch(PAGE_SQL.format(*marks(2)), [limit, offset])
    ids = [row["id"] for row in rows]
    by_agreement: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    if ids:
        for party in await fetch(PARTIES_SQL.format(marks=", ".join(marks(len(ids)))), ids):
            by_agreement[party.pop("agreement_id")].append(party)
    for row in rows:
        row["parties"] = by_agreement[row["id"]]
    total = (await fetch(COUNT_SQL, []))[0]["total"]
    return {"total": total, "limit": limit, "offset": offset, "items": rows}


def _dict_row(cursor: sqlite3.Cursor, row: tuple[Any, ...]) -> dict[str, Any]:
    return {column[0]: value for column, value in zip(cursor.description, row, strict=True)}


def _sqlite_connect(path: str) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    for pragma in (
        "PRAGMA journal_mode = WAL",
        "PRAGMA foreign_keys = ON",
        "PRAGMA synchronous = NORMAL",
        "PRAGMA busy_timeout = 30000",
    ):
        connection.execute(pragma)
    connection.row_factory = _dict_row
    return connection


def create_app() -> Litestar:
    url = os.environ["BENCH_DATABASE_URL"]
    state: dict[str, Any] = {}

    @contextlib.asynccontextmanager
    async def database(_: Litestar) -> AsyncIterator[None]:
        if url.startswith("sqlite:"):
            path = unquote(url.removeprefix("sqlite:")[3:])
            driver = os.environ.get("BENCH_SQLITE_DRIVER", "sqlite3")
            if driver == "aiosqlite":
                import aiosqlite

                connection = await aiosqlite.connect(path, isolation_level=None)
                for pragma in ("foreign_keys = ON", "synchronous = NORMAL"):
                    await connection.execute(f"PRAGMA {pragma}")
                connection.row_factory = _dict_row  # type: ignore[assignment]

                async def fetch_async(sql: str, args: list[Any]) -> Any:
                    async with connection.execute(sql, args) as cursor:
                        return await cursor.fetchall()

                state["fetch"] = fetch_async
                state["close"] = connection.close
            else:
                sync = _sqlite_connect(path)

                async def fetch_sync(sql: str, args: list[Any]) -> Any:
                    return sync.execute(sql, args).fetchall()

                async def close_sync() -> None:
                    sync.close()

                state["fetch"] = fetch_sync
                state["close"] = close_sync
            state["marks"] = _sqlite_marks
            # Piccolo stores and compares timestamptz on SQLite as str(UTC datetime).
            state["now"] = lambda: str(dt.datetime.now(dt.UTC))
        else:
            import asyncpg

            parts = urlsplit(url)
            pool = await asyncpg.create_pool(
                host=parts.hostname or "127.0.0.1",
                port=parts.port or 5432,
                user=unquote(parts.username or "postgres"),
                password=unquote(parts.password) if parts.password else None,
                database=parts.path.lstrip("/"),
                min_size=1,
                max_size=POOL_MAX,
            )
            state["pool"] = pool
            state["close"] = pool.close
            state["marks"] = _pg_marks
            state["now"] = lambda: dt.datetime.now(dt.UTC)
        try:
            yield
        finally:
            await state["close"]()

    @get("/agreements")
    async def agreements(
        request: Request[Any, Any, Any], limit: int = 50, offset: int = 0
    ) -> dict[str, Any]:
        if not 1 <= limit <= MAX_LIMIT or offset < 0:
            raise ValidationException("limit is 1..200 and offset >= 0")
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token or len(token) > 200:
            raise NotAuthorizedException("Send Authorization: Bearer <token>.")
        pool = state.get("pool")
        if pool is None:
            return await _page(state["fetch"], state["marks"], state["now"](), token, limit, offset)
        async with pool.acquire() as connection:

            async def fetch_pg(sql: str, args: list[Any]) -> Any:
                return [dict(record) for record in await connection.fetch(sql, *args)]

            return await _page(fetch_pg, state["marks"], state["now"](), token, limit, offset)

    return Litestar(route_handlers=[agreements], lifespan=[database], openapi_config=None)
