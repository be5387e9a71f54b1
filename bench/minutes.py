"""Minutes rendering: three ratios, each against a baseline measured beside it in the same run.

    .venv/bin/python bench/minutes.py [--runs 12] [--duration 6]

On a fresh SQLite file with the reference case (``mou.demo.demo_load``):

1. service / WeasyPrint: the demo minutes (draft, Indonesian) rendered through the service
   (``mou.minutes.download.minutes_pdf``: database reads, context, the process pool, HTML and
   PDF in a worker) against WeasyPrint alone on the same HTML in this process, same options and
   a reused font configuration. Medians of ``--runs`` alternating runs. Aim: <= 1.3.
2. render / download: ``GET /api/v1/meetings/{id}/minutes.pdf`` of the draft (a render) against
   the same GET of a finalized version (stored bytes), through the app in this process. Aim:
   the download >= 50 times faster.
3. p99 under renders / p99 alone: ``GET /api/v1/agreements`` latency on a real server
   (``uvicorn mou.app:create_app --factory``, one process, its render pool of 2 workers), one
   request at a time, with 4 clients each adding a discussion point and downloading the draft
   (a fresh render, the content having changed) in a loop, against none; ABBA windows of
   ``--duration`` seconds. Aim: <= 3.

Unchanged drafts are cached in the database (``minutes_draft``); the render figures empty that
cache or change the content, so that they measure renders.

Absolute times drift on a shared machine; the ratios are the figures. The server is stopped by
its own pid on exit.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import logging
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, cast

ROOT = Path(__file__).resolve().parent.parent
# Render workers re-import this module: they reuse the folder their parent made.
FOLDER = Path(os.environ.get("MOU_BENCH_FOLDER") or tempfile.mkdtemp(prefix="mou-bench-minutes-"))
os.environ["MOU_BENCH_FOLDER"] = str(FOLDER)
DATABASE_URL = f"sqlite:///{FOLDER}/bench.sqlite"
# Before mou is imported: the engine is built from the environment once.
os.environ["MOU_DATABASE_URL"] = DATABASE_URL
os.environ.setdefault("MOU_LOG_LEVEL", "WARNING")
# The app refuses to start in production mode without a shared secret; its servers inherit this.
os.environ.setdefault("MOU_SECRET_KEY", secrets.token_urlsafe(48))
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from mou.accounts.selectors import token_digest  # noqa: E402
from mou.accounts.tables import ApiToken, User  # noqa: E402
from mou.app import create_app  # noqa: E402
from mou.caller import CurrentUser  # noqa: E402
from mou.db import (  # noqa: E402
    DB,
    close_pool,
    open_pool,
    runtime_bound,
)
from mou.demo import demo_load  # noqa: E402
from mou.meetings.tables import Meeting  # noqa: E402
from mou.migrate import migrate  # noqa: E402
from mou.minutes import download, selectors, services  # noqa: E402
from mou.minutes.document import minutes_context  # noqa: E402
from mou.minutes.pool import render_pool  # noqa: E402
from mou.minutes.render import RenderJob, html_of, pdf_of  # noqa: E402
from mou.minutes.tables import MinutesDraft  # noqa: E402
from mou.settings import Settings, get_settings  # noqa: E402

SYSTEM = CurrentUser.system()


async def _token(username: str) -> str:
    user = await User.select(User.id).where(User.username == username).first()
    assert user is not None, f"no user {username!r}"
    token = secrets.token_urlsafe(32)
    now = dt.datetime.now(dt.UTC)
    await ApiToken(
        user=user["id"],
        name="bench",
        token_hash=token_digest(token),
        created_at=now,
        expires_at=now + dt.timedelta(hours=2),
    ).save()
    return token


async def _drafts_clear() -> None:
    await MinutesDraft.delete(force=True)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


async def service_against_weasyprint(meeting_id: int, runs: int) -> dict[str, float]:
    record = await selectors.minutes_record(user=SYSTEM, meeting_id=meeting_id)
    context = minutes_context(record, language="id", version=None, created=dt.datetime.now(dt.UTC))
    html = html_of(RenderJob(context, "id"))
    service: list[float] = []
    alone: list[float] = []

    async def one_service() -> None:
        await _drafts_clear()  # an unchanged draft is cached; this figure is about renders
        started = time.perf_counter()
        await download.minutes_pdf(user=SYSTEM, meeting_id=meeting_id, language="id", version=None)
        service.append(time.perf_counter() - started)

    def one_alone() -> None:
        started = time.perf_counter()
        pdf_of(html)
        alone.append(time.perf_counter() - started)

    for _ in range(2):  # warm both: worker fonts, this process's fonts
        await one_service()
        one_alone()
    service.clear()
    alone.clear()
    for run in range(runs):  # ABBA order, so a drift of the machine cancels out
        if run % 2:
            one_alone()
            await one_service()
        else:
            await one_service()
            one_alone()
    return {"service": statistics.median(service), "alone": statistics.median(alone)}


async def render_against_download(meeting_id: int, token: str, runs: int) -> dict[str, float]:
    url = f"/api/v1/meetings/{meeting_id}/minutes.pdf"
    headers = {"Authorization": f"Bearer {token}"}
    # httpx types the ASGI app with plain-mapping scopes; Litestar's __call__ takes its own
    # TypedDict scopes, which mypy will not accept in their place (same interface at runtime).
    app = cast(Callable[..., Awaitable[None]], create_app())
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:

        async def timed(**params: Any) -> float:
            await _drafts_clear()  # every draft GET renders
            started = time.perf_counter()
            response = await client.get(url, params=params, headers=headers)
            assert response.status_code == 200, response.text
            return time.perf_counter() - started

        await timed()
        renders = [await timed() for _ in range(runs)]
        meeting = await Meeting.select(Meeting.version).where(Meeting.id == meeting_id).first()
        assert meeting is not None
        await services.minutes_finalize(
            user=SYSTEM, meeting_id=meeting_id, expected_version=meeting["version"], reason=""
        )
        await timed(version=1)
        downloads = [await timed(version=1) for _ in range(runs * 10)]
    return {"render": statistics.median(renders), "download": statistics.median(downloads)}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _latencies(base: str, token: str, seconds: float) -> list[float]:
    headers = {"Authorization": f"Bearer {token}"}
    latencies = []
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as client:
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            response = await client.get("/api/v1/agreements")
            assert response.status_code == 200, response.text
            latencies.append(time.perf_counter() - started)
    return latencies


async def _render_loop(base: str, token: str, meeting_id: int, stop: asyncio.Event) -> int:
    done = 0
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=120) as client:
        while not stop.is_set():
            # New content each time, so the server renders instead of serving a cached draft.
            point = {"text": f"Catatan {secrets.token_hex(4)}"}
            added = await client.post(f"/api/v1/meetings/{meeting_id}/points", json=point)
            assert added.status_code == 201, added.text
            response = await client.get(f"/api/v1/meetings/{meeting_id}/minutes.pdf")
            assert response.status_code == 200, response.text
            done += 1
    return done


def _p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98]


async def latency_under_renders(meeting_id: int, token: str, seconds: float) -> dict[str, float]:
    port = _free_port()
    env = {**os.environ, "MOU_DATABASE_URL": DATABASE_URL, "MOU_LOG_LEVEL": "WARNING"}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "mou.app:create_app",
            "--factory",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/health").status_code == 200:
                    break
            except httpx.HTTPError:
                await asyncio.sleep(0.1)
        await _latencies(base, token, 1.0)
        quiet: list[float] = []
        loaded: list[float] = []
        renders = 0
        for window in ("quiet", "loaded", "loaded", "quiet"):
            if window == "quiet":
                quiet += await _latencies(base, token, seconds)
                continue
            stop = asyncio.Event()
            loops = [
                asyncio.create_task(_render_loop(base, token, meeting_id, stop)) for _ in range(4)
            ]
            await asyncio.sleep(0.5)  # the four renders are under way
            loaded += await _latencies(base, token, seconds)
            stop.set()
            renders += sum(await asyncio.gather(*loops))
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    return {
        "quiet_p99": _p99(quiet),
        "loaded_p99": _p99(loaded),
        "quiet_n": len(quiet),
        "loaded_n": len(loaded),
        "renders": renders,
    }


async def main(runs: int, seconds: float) -> None:
    logging.getLogger("httpx").setLevel(logging.WARNING)
    await migrate()
    await open_pool(DB, get_settings())
    try:
        await demo_load()
        meeting = await Meeting.select(Meeting.id).order_by(Meeting.id).first()
        assert meeting is not None, "demo_load creates a meeting"
        meeting_id = meeting["id"]
        token = await _token("admin")
        render_pool().start()
        first = await service_against_weasyprint(meeting_id, runs)
        third = await latency_under_renders(meeting_id, token, seconds)
        second = await render_against_download(meeting_id, token, runs)
    finally:
        render_pool().stop()
        await close_pool(DB)
        shutil.rmtree(FOLDER, ignore_errors=True)
    print(
        f"1. render via service / WeasyPrint alone: {first['service'] / first['alone']:.2f}"
        f"  (service {_ms(first['service'])}, WeasyPrint {_ms(first['alone'])}; aim <= 1.3)"
    )
    print(
        f"2. download of final version is {second['render'] / second['download']:.0f}x faster"
        f" than a render  (render {_ms(second['render'])}, download {_ms(second['download'])};"
        " aim >= 50)"
    )
    print(
        f"3. p99 GET /api/v1/agreements with 4 renders / without:"
        f" {third['loaded_p99'] / third['quiet_p99']:.2f}  (with {_ms(third['loaded_p99'])}"
        f" over {third['loaded_n']:.0f} requests and {third['renders']:.0f} renders, without"
        f" {_ms(third['quiet_p99'])} over {third['quiet_n']:.0f}; aim <= 3)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=12)
    parser.add_argument("--duration", type=float, default=6.0)
    args = parser.parse_args()
    with runtime_bound(Settings.from_env()):
        asyncio.run(main(args.runs, args.duration))
