"""A small pool of render worker processes, off the event loop, with limits per render.

* Time: a worker stops its own job at ``time_limit`` (an interval timer in the worker); if a
  job still has no answer ``grace`` seconds later (stuck inside C code), the pool is killed
  and started again. Either way the caller gets ``RenderFailed`` (503).
* Memory: every worker runs under ``RLIMIT_AS``; a render that exceeds it fails alone.
* A worker that dies (killed, out of memory) breaks a ``ProcessPoolExecutor`` for good: the
  pool notices, answers ``RenderFailed`` and starts a fresh executor for the next job.
* At most ``workers`` jobs run at once; the next ones wait their turn, up to ``queue_wait``.
* Workers run at a lower CPU priority (``niceness``): under load, API calls go first.

The app's lifespan starts and stops the process's pool; used before that (tests, commands),
it starts on first use.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
from collections.abc import AsyncIterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from mou import errors
from mou.minutes.render import RenderJob, render_job, warm_up, worker_init

logger = logging.getLogger("mou.minutes")

RENDER_FAILED = "The minutes could not be rendered just now; nothing was stored. Try again."
RENDER_BUSY = "Every minutes renderer is busy; nothing was stored. Try again in a moment."


class RenderFailed(errors.DomainError):
    status_code = 503
    title = "Rendering unavailable"


class RenderPool:
    def __init__(
        self,
        *,
        workers: int = 2,
        time_limit: float = 60.0,
        grace: float = 10.0,
        memory_limit: int | None = 2 * 1024**3,
        queue_wait: float = 120.0,
        niceness: int = 10,
    ) -> None:
        self.workers = workers
        self.time_limit = time_limit
        self.grace = grace
        self.memory_limit = memory_limit
        self.queue_wait = queue_wait
        self.niceness = niceness
        self._executor: ProcessPoolExecutor | None = None
        self._slots: asyncio.Semaphore | None = None

    def start(self) -> None:
        """Start the worker processes (idempotent) and warm them up in the background."""
        if self._executor is not None:
            return
        # Spawned, not forked: the app process holds threads and database connections.
        self._executor = ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=worker_init,
            initargs=(self.memory_limit, self.niceness),
        )
        for _ in range(self.workers):
            self._executor.submit(warm_up)

    def stop(self) -> None:
        """Stop the workers now, running jobs included."""
        executor, self._executor = self._executor, None
        if executor is None:
            return
        processes = list((executor._processes or {}).values())
        executor.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            if process.is_alive():
                process.kill()
        for process in processes:
            process.join(timeout=5)

    def pids(self) -> list[int]:
        """Worker process ids (for tests and benchmarks)."""
        executor = self._executor
        return [p.pid for p in (executor._processes or {}).values() if p.pid] if executor else []

    async def render(self, job: RenderJob) -> bytes:
        """The PDF of ``job``; ``RenderFailed`` when it fails, times out or its worker dies."""
        limited = RenderJob(job.context, job.language, job.template, self.time_limit)
        return await self.run(render_job, limited)

    async def run(self, function: Any, *args: Any) -> Any:
        """Run a picklable ``function`` in a worker under the pool's limits."""
        slots = self._slots_for_this_loop()
        try:
            await asyncio.wait_for(slots.acquire(), self.queue_wait)
        except TimeoutError:
            raise RenderFailed(RENDER_BUSY) from None
        try:
            return await self._run_now(function, *args)
        finally:
            slots.release()

    async def _run_now(self, function: Any, *args: Any) -> Any:
        self.start()
        executor = self._executor
        assert executor is not None
        future = asyncio.get_running_loop().run_in_executor(executor, function, *args)
        try:
            return await asyncio.wait_for(future, self.time_limit + self.grace)
        except TimeoutError:
            logger.error("a render outlived its limit; restarting the render pool")
            self._restart(executor)
        except BrokenProcessPool:
            logger.error("a render worker died; restarting the render pool")
            self._restart(executor)
        except Exception:
            logger.warning("a render failed", exc_info=True)
        raise RenderFailed(RENDER_FAILED)

    def _restart(self, broken: ProcessPoolExecutor) -> None:
        if self._executor is broken:
            self.stop()
            self.start()

    def _slots_for_this_loop(self) -> asyncio.Semaphore:
        # A semaphore belongs to the loop it first waits on; tests run one loop per test.
        loop = asyncio.get_running_loop()
        if self._slots is None or getattr(self._slots, "_mou_loop", None) is not loop:
            self._slots = asyncio.Semaphore(self.workers)
            self._slots._mou_loop = loop  # type: ignore[attr-defined]
        return self._slots


_pool: RenderPool | None = None


def render_pool() -> RenderPool:
    """The process's render pool."""
    global _pool
    if _pool is None:
        _pool = RenderPool()
    return _pool


def use_render_pool(pool: RenderPool | None) -> RenderPool | None:
    """Swap the process's pool (tests give it tighter limits); returns the previous one."""
    global _pool
    previous, _pool = _pool, pool
    return previous


@contextlib.asynccontextmanager
async def render_pool_lifespan(_: Any) -> AsyncIterator[None]:
    """App lifespan: the workers start with the app and stop with it."""
    pool = render_pool()
    pool.start()
    try:
        yield
    finally:
        pool.stop()
