"""Peak memory of the agreement register export at 1,000 and 100,000 agreements.

    .venv/bin/python bench/export.py [--db sqlite|postgres|both] [--sizes 1000 100000]

For each database and size: a fresh database (SQLite temp file, or ``mou_bench_<hex>`` on the
PostgreSQL server, dropped after), migrated and seeded by ``bench/seed.py`` (two parties per
agreement); then, in a fresh process (``--measure``), the export the API streams
(``mou.agreements.export.agreement_register_export``, as an admin who sees every row) is
drained to nowhere as CSV and as XLSX, with ``tracemalloc`` started after start-up: the figure
is the peak of Python allocations during the export above what was allocated before it. The
rows are counted, and the XLSX is checked to open in openpyxl with that many rows. Memory that
stays flat means the figure at 100,000 is the one at 1,000 (aim: within 20%).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"


def pg_url(server_url: str, database: str) -> str:
    parts = urlsplit(server_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", "", ""))


def pg_admin(server_url: str, sql: str) -> None:
    import asyncpg

    async def run() -> None:
        connection = await asyncpg.connect(pg_url(server_url, "postgres"), timeout=10)
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    asyncio.run(run())


@contextlib.contextmanager
def fresh_database(kind: str, server_url: str, workdir: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{workdir / 'bench.sqlite'}"
        return
    name = f"mou_bench_{secrets.token_hex(4)}"
    pg_admin(server_url, f'CREATE DATABASE "{name}"')
    try:
        yield pg_url(server_url, name)
    finally:
        pg_admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_child(url: str, *args: str) -> dict[str, object]:
    env = {**os.environ, "MOU_DATABASE_URL": url, "MOU_LOG_LEVEL": "WARNING"}
    done = subprocess.run(
        [str(PYTHON), *args], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{args[0]} failed:\n{done.stderr[-3000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


async def measure(fmt: Literal["csv", "xlsx"]) -> dict[str, object]:
    """Drain one export in this process and report its peak memory (``--measure``). The bytes go
    to a file on disk, as a client's download would, so they are not the server's memory."""
    import csv
    import tracemalloc

    import openpyxl

    from mou.agreements.export import agreement_register_export
    from mou.caller import CurrentUser
    from mou.db import DB, close_pool, open_pool
    from mou.settings import get_settings

    await open_pool(DB, get_settings())
    size = 0
    with tempfile.TemporaryDirectory() as workdir:
        path = Path(workdir) / f"register.{fmt}"
        started = time.perf_counter()
        with path.open("wb") as sink:
            tracemalloc.start()
            before, _ = tracemalloc.get_traced_memory()
            try:
                content = agreement_register_export(
                    user=CurrentUser.system(), fmt=fmt, language="id"
                )
                async for chunk in content:
                    size += len(chunk)
                    sink.write(chunk)
                _, peak = tracemalloc.get_traced_memory()
            finally:
                tracemalloc.stop()
                await close_pool(DB)
        seconds = time.perf_counter() - started
        if fmt == "xlsx":
            book = openpyxl.load_workbook(path, read_only=True)
            rows = sum(1 for _ in book.active.iter_rows()) - 1
            book.close()
        else:
            with path.open(encoding="utf-8-sig", newline="") as text:
                rows = sum(1 for _ in csv.reader(text)) - 1
    return {"peak_bytes": peak - before, "bytes": size, "rows": rows, "seconds": round(seconds, 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 100_000])
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "MOU_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument("--measure", choices=["csv", "xlsx"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        from mou.db import runtime_bound
        from mou.settings import Settings

        with runtime_bound(Settings.from_env()):
            print(json.dumps(asyncio.run(measure(args.measure))))
        return 0
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    for kind in kinds:
        peaks: dict[str, list[int]] = {"csv": [], "xlsx": []}
        for size in args.sizes:
            with (
                tempfile.TemporaryDirectory() as workdir,
                fresh_database(kind, args.postgres_url, Path(workdir)) as url,
            ):
                seeded = run_child(
                    url, "bench/seed.py", "--agreements", str(size), "--password", "x"
                )
                for fmt in ("csv", "xlsx"):
                    got = run_child(url, "bench/export.py", "--measure", fmt)
                    peak = int(str(got["peak_bytes"]))
                    peaks[fmt].append(peak)
                    print(
                        f"export[{kind}] {fmt} {seeded['agreements']:>7,} agreements: "
                        f"peak {peak / 1e6:6.2f} MB, file {int(str(got['bytes'])) / 1e6:7.2f} MB, "
                        f"rows {got['rows']}, {got['seconds']} s",
                        flush=True,
                    )
        for fmt, values in peaks.items():
            if len(values) > 1:
                print(
                    f"export[{kind}] {fmt}: largest/smallest peak {max(values) / min(values):.2f}"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
