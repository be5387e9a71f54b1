"""The render pool: limits per job, and a pool that outlives what kills its workers."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import AsyncIterator

import pytest

from mou.minutes.pool import RenderFailed, RenderPool
from mou.minutes.render import RenderJob, RenderTimeout


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


async def test_render_pool_kills_a_job_stuck_past_its_limit(pool: RenderPool) -> None:
    started = time.monotonic()
    with pytest.raises(RenderFailed):
        await pool.run(time.sleep, 30)
    assert time.monotonic() - started < 10
    await _alive(pool)


async def test_render_pool_stops_a_render_at_its_time_limit(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The worker's own timer ends the render; the worker lives on for the next job."""
    slow = RenderPool(workers=1, time_limit=0.001, grace=30)
    slow.start()
    try:
        await slow.run(sum, [0])
        pids = slow.pids()
        with pytest.raises(RenderFailed):
            await slow.render(RenderJob({}, "en", template="pdf/minutes.css"))
        assert any(r.exc_info and isinstance(r.exc_info[1], RenderTimeout) for r in caplog.records)
        await _alive(slow)
        assert slow.pids() == pids
    finally:
        slow.stop()


async def test_render_pool_refuses_more_memory_than_its_limit(pool: RenderPool) -> None:
    with pytest.raises(RenderFailed):
        await pool.run(bytearray, 2 * 1024**3)
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
