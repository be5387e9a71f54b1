"""The render pool: limits per job, one job per caller, and a dead worker that fails its job only."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from mou.minutes.pool import (
    RENDER_RUNNING,
    RenderFailed,
    RenderLimitExceeded,
    RenderPool,
    RenderRunning,
)
from mou.minutes.render import RenderJob
from mou.settings import Settings


@pytest.fixture
async def pool() -> AsyncIterator[RenderPool]:
    started = RenderPool(workers=1, time_limit=2.0, grace=1.0, memory_limit=1024**3)
    started.start()
    try:
        yield started
    finally:
        started.stop()


async def _alive(pool: RenderPool) -> None:
    """The pool still does work: a plain job answers."""
    assert await pool.run(sum, [1, 2, 3]) == 6


async def test_render_pool_survives_a_killed_worker(pool: RenderPool) -> None:
    job = asyncio.create_task(pool.run(time.sleep, 30))
    while not pool.pids():
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.5)
    os.kill(pool.pids()[0], signal.SIGKILL)
    with pytest.raises(RenderFailed):
        await job
    await _alive(pool)


def _wait_for_file(report: str, go: str) -> int:
    """A job (run in a worker) that says which worker runs it, then waits for the test's go."""
    Path(report).write_text(str(os.getpid()))
    for _ in range(1200):
        if Path(go).exists():
            break
        time.sleep(0.05)
    return os.getpid()


async def _reported_pid(report: Path) -> int:
    while not report.exists() or not report.read_text():
        await asyncio.sleep(0.05)
    return int(report.read_text())


async def test_a_dead_worker_fails_only_its_own_job(tmp_path: Path) -> None:
    pool = RenderPool(workers=2, time_limit=120.0, grace=10.0, memory_limit=None)
    pool.start()
    go = tmp_path / "go"
    try:
        jobs = [
            asyncio.create_task(pool.run(_wait_for_file, str(tmp_path / name), str(go)))
            for name in ("a", "b")
        ]
        survivor = await _reported_pid(tmp_path / "a")
        os.kill(await _reported_pid(tmp_path / "b"), signal.SIGKILL)
        with pytest.raises(RenderFailed):
            await jobs[1]
        go.touch()
        assert await jobs[0] == survivor
        await _alive(pool)
    finally:
        pool.stop()


async def test_render_pool_kills_a_job_stuck_past_its_limit(pool: RenderPool) -> None:
    """Past the limit and its grace the worker is killed; the answer names the limit."""
    with pytest.raises(RenderLimitExceeded) as refused:
        await pool.run(time.sleep, 30)
    assert refused.value.status_code == 422
    assert "2 s render limit" in refused.value.detail and "Try again" not in refused.value.detail
    await _alive(pool)


async def test_one_caller_runs_one_job_at_a_time(pool: RenderPool, tmp_path: Path) -> None:
    go = tmp_path / "go"
    first = asyncio.create_task(
        pool.run(_wait_for_file, str(tmp_path / "a"), str(go), caller="user:1")
    )
    await _reported_pid(tmp_path / "a")
    with pytest.raises(RenderRunning) as refused:
        await pool.run(sum, [1], caller="user:1")
    assert refused.value.status_code == 429 and refused.value.retry_after > 0
    assert refused.value.detail == RENDER_RUNNING
    go.touch()
    await first
    assert await pool.run(sum, [1], caller="user:1") == 1


def test_render_limits_are_settings() -> None:
    settings = Settings.from_env(
        {
            "MOU_RENDER_WORKERS": "3",
            "MOU_RENDER_TIME_LIMIT_SECONDS": "7.5",
            "MOU_RENDER_MEMORY_LIMIT_MB": "512",
            "MOU_RENDER_NICENESS": "5",
        }
    )
    pool = RenderPool.from_settings(settings)
    assert (pool.workers, pool.time_limit, pool.memory_limit, pool.niceness) == (
        3,
        7.5,
        512 * 1024**2,
        5,
    )
    assert RenderPool.from_settings(Settings(render_memory_limit_mb=0)).memory_limit is None


async def test_render_pool_stops_a_render_at_its_time_limit() -> None:
    """The worker's own timer ends the render (422 naming the limit, no "try again"); the
    worker lives on for the next job."""
    slow = RenderPool(workers=1, time_limit=0.001, grace=30)
    slow.start()
    try:
        await slow.run(sum, [0])
        pids = slow.pids()
        with pytest.raises(RenderLimitExceeded) as refused:
            await slow.render(RenderJob({}, "en", template="pdf/minutes.css"))
        assert "0.001 s render limit" in refused.value.detail
        assert "Try again" not in refused.value.detail
        await _alive(slow)
        assert slow.pids() == pids
    finally:
        slow.stop()


async def test_render_pool_refuses_more_memory_than_its_limit(pool: RenderPool) -> None:
    with pytest.raises(RenderLimitExceeded) as refused:
        await pool.run(bytearray, 2 * 1024**3)
    assert "1,024 MiB render memory limit" in refused.value.detail
    await _alive(pool)


async def test_render_pool_starts_and_stops_with_the_app_lifespan() -> None:
    from litestar import Litestar

    from mou.app import create_app
    from mou.minutes.pool import render_pool_lifespan, use_render_pool

    assert render_pool_lifespan in create_app()._lifespan_managers
    pool = RenderPool(workers=1)
    previous = use_render_pool(pool)
    try:
        async with Litestar(lifespan=[render_pool_lifespan]).lifespan():
            assert len(pool.pids()) == 1
            await _alive(pool)
        assert pool.pids() == []
    finally:
        use_render_pool(previous)
        pool.stop()
