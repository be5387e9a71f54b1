"""Reads against the archive's size: p50 and p99 of each read at 1k and 100k agreements.

    .venv/bin/python bench/scale.py [--db sqlite|postgres|both] [--sizes 1000,100000]
        [--requests 150]

For each database and size: a fresh database (SQLite temp file, or ``mou_scale_<hex>`` on the
PostgreSQL server, dropped after), migrated by mou's migrations and seeded in a few
``INSERT ... SELECT`` statements (the same SQL on both engines): 20 organisations, N agreements
of two parties, one scope item per four agreements, a meeting per two agreements with five
attendees, two stage changes per agreement, and a liaison whose organisation is a party to one
agreement in ten. Then the app itself (``mou.app.create_app``, in process, through
``httpx.ASGITransport``: the figure is the app's and the database's, not a network's) answers
each read ``--requests`` times as that liaison, the reads taking turns, after a warm-up; every answer must be
200. Prints p50 and p99 in milliseconds per read and size, and p50(largest)/p50(smallest).

Each (database, size) runs in a child process (``--child``): ``mou.db.DB`` is built from the
environment at import. Dev mode (``MOU_DEV=1``): the app refuses to start in production mode
without a secret.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit, urlunsplit

PROJECT = Path(__file__).resolve().parent.parent
READS = ("list", "search", "stage filter", "last page", "one agreement", "one meeting", "history")
ORGANISATIONS = 20
WARM_UP = 10

# Rows 1..N, portable: PostgreSQL and SQLite both run a recursive CTE.
_NUMBERS = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {count}) "
_STAGE = (
    "CASE n.i % 8 WHEN 0 THEN 'draft' WHEN 1 THEN 'review' WHEN 2 THEN 'approved' "
    "WHEN 3 THEN 'signed' WHEN 4 THEN 'active' WHEN 5 THEN 'expired' "
    "WHEN 6 THEN 'terminated' ELSE 'cancelled' END"
)


def seed_statements(count: int, orgs: list[int], user: int) -> list[str]:
    """The seed after the organisations and the user; ``{}`` is the time of creation."""
    first, second = orgs[0], orgs[10]
    numbers = _NUMBERS.format(count=count)
    return [
        numbers + "INSERT INTO agreement (reference_number, title, kind, purpose, stage, version, "
        "approval_round, created_by, created_at, updated_at) "
        "SELECT 'B/' || n.i || '/HM.01/2024', 'Kerja Sama Diseminasi Informasi Nomor ' || n.i "
        "|| CASE WHEN n.i % 100 = 0 THEN ' Pendidikan Vokasi' ELSE '' END, 'pks', '', "
        f"{_STAGE}, 1, 1, {user}, {{}}, {{}} FROM n",
        "INSERT INTO agreement_party (agreement, organisation, role, position) "
        f"SELECT id, {first} + id % 10, 'first_party', 0 FROM agreement "
        f"UNION ALL SELECT id, {second} + id % 10, 'second_party', 1 FROM agreement",
        "INSERT INTO scope_item (agreement, kind, title, description, status, position) "
        "SELECT id, 'information_sharing', 'Program Bersama ' || id, '', 'planned', 0 "
        "FROM agreement WHERE id % 4 = 0",
        "INSERT INTO meeting (agreement, title, kind, starts_at, timezone, venue, address, mode, "
        "agenda, number, minutes_status, version, created_by, created_at, updated_at) "
        "SELECT id, 'Rapat Koordinasi ' || id, 'planning', {}, 'Asia/Jakarta', '', '', "
        f"'in_person', '[]', '', 'draft', 1, {user}, {{}}, {{}} FROM agreement WHERE id % 2 = 0",
        "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 5) "
        "INSERT INTO attendee (meeting, full_name, position_title, organisation, role, "
        "attendance, represented_by, position) "
        f"SELECT m.id, 'Peserta ' || k.i, '', {first}, 'participant', 'present', '', k.i "
        "FROM meeting m CROSS JOIN k",
        *(
            "INSERT INTO stage_change (agreement, from_stage, to_stage, action, actor, comment, "
            f"at) SELECT id, {step}, {user}, '', {{}} FROM agreement"
            for step in ("'draft', 'review', 'submit'", "'review', 'draft', 'return'")
        ),
    ]


async def seed(count: int) -> dict[str, Any]:
    """Migrate and seed; the liaison's token and the ids the reads use."""
    import datetime as dt

    from mou.accounts.selectors import token_digest
    from mou.accounts.tables import ApiToken, User
    from mou.agreements.tables import Agreement
    from mou.db import DB, atomic
    from mou.migrate import migrate
    from mou.paging import cursor_encode
    from mou.parties.tables import Organisation

    await migrate()
    now = dt.datetime.now(dt.UTC)
    async with atomic():
        await Organisation.insert(
            *(
                Organisation(name=f"Dinas Contoh {i:02d}", short_name=f"DC {i:02d}", kind="ngo")
                for i in range(ORGANISATIONS)
            )
        )
        orgs = [r["id"] for r in await Organisation.select(Organisation.id).order_by("id")]
        user = User(username="liaison", password_hash="x", role="liaison", organisation=orgs[0])
        await user.save()
        token = secrets.token_urlsafe(32)
        await ApiToken(
            user=user.id,
            token_hash=token_digest(token),
            created_at=now,
            expires_at=now + dt.timedelta(days=1),
        ).save()
        postgres = DB.engine_type == "postgres"
        if postgres:
            # Triggers off while seeding (this transaction only); the search table after.
            await DB.run_ddl("SET LOCAL session_replication_role = replica")
        for statement in seed_statements(count, orgs, user.id):
            await Agreement.raw(statement, *[now] * statement.count("{}"))
        if postgres:
            await DB.run_ddl("SET LOCAL session_replication_role = origin")
            await DB.run_ddl("SELECT agreement_search_refresh(ARRAY(SELECT id FROM agreement))")
    await DB.run_ddl("ANALYZE")
    visible = [
        r["agreement"]
        for r in await Agreement.raw(
            "SELECT agreement FROM agreement_party WHERE organisation = {} ORDER BY agreement",
            orgs[0],
        )
    ]
    middle = visible[len(visible) // 2 : len(visible) // 2 + 10]
    meetings = await Agreement.raw(
        "SELECT id FROM meeting WHERE agreement IN (SELECT agreement FROM agreement_party "
        "WHERE organisation = {}) ORDER BY id LIMIT 10",
        orgs[0],
    )
    return {
        "token": token,
        "agreements": middle,
        "meetings": [m["id"] for m in meetings],
        "last_page": cursor_encode("agreement", (visible[min(50, len(visible) - 1)],)),
        "visible": len(visible),
    }


def paths(seeded: dict[str, Any], turn: int) -> dict[str, str]:
    agreement = seeded["agreements"][turn % len(seeded["agreements"])]
    meeting = seeded["meetings"][turn % len(seeded["meetings"])]
    return {
        "list": "/api/v1/agreements?limit=50",
        "search": "/api/v1/agreements?limit=50&q=Pendidikan%20Vokasi",
        "stage filter": "/api/v1/agreements?limit=50&stage=review",
        "last page": f"/api/v1/agreements?limit=50&cursor={seeded['last_page']}",
        "one agreement": f"/api/v1/agreements/{agreement}",
        "one meeting": f"/api/v1/meetings/{meeting}",
        "history": f"/api/v1/agreements/{agreement}/history",
    }


async def measure(count: int, requests: int) -> dict[str, Any]:
    import httpx

    from mou.app import create_app

    started = time.perf_counter()
    seeded = await seed(count)
    seconds = time.perf_counter() - started
    app = create_app()
    # Access logs off: the figure is the read's, not the terminal's.
    logging.disable(logging.WARNING)
    headers = {"Authorization": f"Bearer {seeded['token']}"}
    timings: dict[str, list[float]] = {read: [] for read in READS}
    async with app.lifespan():
        # httpx types an ASGI app with plain dicts, Litestar with its stricter scope types.
        transport = httpx.ASGITransport(app=cast(Any, app))
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            # Reads take turns, so a busier moment of the machine falls on all of them alike.
            for turn in range(WARM_UP + requests):
                for read, path in paths(seeded, turn).items():
                    began = time.perf_counter()
                    response = await client.get(path, headers=headers)
                    took = time.perf_counter() - began
                    if response.status_code != 200:
                        raise RuntimeError(f"{path}: {response.status_code} {response.text}")
                    if turn >= WARM_UP:
                        timings[read].append(took * 1000)
    return {
        "seed_seconds": round(seconds, 1),
        "visible": seeded["visible"],
        "reads": {read: percentiles(values) for read, values in timings.items()},
    }


def percentiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return statistics.median(ordered), p99


def child(args: argparse.Namespace) -> int:
    print(json.dumps(asyncio.run(measure(args.agreements, args.requests))))
    return 0


def _postgres_admin(server: str, sql: str) -> None:
    import asyncpg

    async def run() -> None:
        connection = await asyncpg.connect(server)
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    asyncio.run(run())


def run_one(db: str, size: int, args: argparse.Namespace) -> dict[str, Any]:
    """One child process on a fresh database, removed after."""
    env = {**os.environ, "MOU_DEV": "1", "MOU_LOG_LEVEL": "WARNING"}
    folder = tempfile.mkdtemp(prefix="mou-scale-")
    name = f"mou_scale_{secrets.token_hex(4)}"
    if db == "sqlite":
        env["MOU_DATABASE_URL"] = f"sqlite:///{folder}/scale.sqlite"
    else:
        _postgres_admin(args.postgres, f'CREATE DATABASE "{name}"')
        parts = urlsplit(args.postgres)
        env["MOU_DATABASE_URL"] = urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", ""))
    command = [sys.executable, __file__, "--child", f"--agreements={size}"]
    try:
        done = subprocess.run(
            [*command, f"--requests={args.requests}"],
            env=env,
            cwd=PROJECT,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{db} {size}: {done.stderr[-3000:]}")
        return dict(json.loads(done.stdout.strip().splitlines()[-1]))
    finally:
        if db == "postgres":
            _postgres_admin(args.postgres, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        for path in Path(folder).glob("*"):
            path.unlink()
        Path(folder).rmdir()


def report(db: str, sizes: list[int], results: dict[int, dict[str, Any]]) -> None:
    small, large = sizes[0], sizes[-1]
    print(f"\n{db}: p50 / p99 in ms, {args_requests} requests each, one client in process")
    for size in sizes:
        result = results[size]
        print(
            f"  {size:>7} agreements: seeded in {result['seed_seconds']} s, "
            f"the liaison sees {result['visible']}"
        )
    head = "".join(f"{f'{s:,}':>18}" for s in sizes)
    print(f"  {'read':<14}{head}{f'p50({large:,})/p50({small:,})':>26}")
    for read in READS:
        cells = "".join(
            f"{'{:.1f} / {:.1f}'.format(*results[s]['reads'][read]):>18}" for s in sizes
        )
        ratio = results[large]["reads"][read][0] / results[small]["reads"][read][0]
        print(f"  {read:<14}{cells}{ratio:>26.2f}")


args_requests = 0


def main() -> int:
    global args_requests
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--sizes", default="1000,100000")
    parser.add_argument("--requests", type=int, default=150)
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "MOU_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--agreements", type=int, default=1000, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)
    args_requests = args.requests
    sizes = sorted(int(s) for s in args.sizes.split(","))
    for db in ("sqlite", "postgres") if args.db == "both" else (args.db,):
        report(db, sizes, {size: run_one(db, size, args) for size in sizes})
    return 0


if __name__ == "__main__":
    sys.exit(main())
