"""SQLite: the periodic jobs run inside the app process, one asyncio task each.

On PostgreSQL the app runs none of them: ``mou worker`` does (``mou.jobs.queue``).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

from mou.db import runtime_bound
from mou.jobs.tasks import PERIODIC_JOBS, PeriodicJob
from mou.settings import Settings

logger = logging.getLogger("mou.jobs")


async def _every(job: PeriodicJob, seconds: float, settings: Settings) -> None:
    with runtime_bound(settings):
        await _loop(job, seconds)


async def _loop(job: PeriodicJob, seconds: float) -> None:
    while True:
        try:
            await job.run()
        except Exception:
            logger.exception("job %s failed; trying again in %s s", job.name, seconds)
        await asyncio.sleep(seconds)


def jobs_lifespan(settings: Settings) -> Callable[[Any], AbstractAsyncContextManager[None]]:
    """An app lifespan running each periodic job every its period, on SQLite only."""

    @contextlib.asynccontextmanager
    async def jobs(_: Any) -> AsyncIterator[None]:
        # A fresh context: a job never joins a transaction of whoever entered the lifespan;
        # it binds the app's settings and database itself.
        tasks = [
            asyncio.create_task(
                _every(job, job.every(settings), settings),
                name=job.name,
                context=contextvars.Context(),
            )
            for job in PERIODIC_JOBS
            if settings.is_sqlite and job.every(settings) > 0
        ]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    return jobs
