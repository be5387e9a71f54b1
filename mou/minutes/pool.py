"""Render worker processes the pool manages one by one, off the event loop, with limits per job.

* One job runs in one worker at a time; a worker that dies, or is killed for overrunning its
  job, fails that job alone and is replaced. The other renders in flight carry on (a
  ``ProcessPoolExecutor`` breaks as a whole when one of its workers dies).
* Time: a worker stops its own job at ``time_limit`` (an interval timer in the worker); if a
  job still has no answer ``grace`` seconds later (stuck inside C code), its worker is killed.
  Either way the caller gets ``RenderLimitExceeded`` (422): the same minutes would overrun
  again, so the answer never says "try again".
* Memory: every worker runs under ``RLIMIT_AS``; a render that exceeds it fails alone (422).
* At most ``workers`` jobs run at once; the next ones wait their turn, up to ``queue_wait``,
  then get ``RenderFailed`` (503 with ``Retry-After``).
* One caller has at most one render running or waiting: a second one at the same time gets
  ``RenderRunning`` (429 with ``Retry-After``). The claim is per process.
* Workers run at a lower CPU priority (``niceness``): under load, API calls go first.

The app's lifespan starts and stops the process's pool; used before that (tests, commands),
it starts on first use. Its limits are the ``MOU_RENDER_*`` settings.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from mou import errors
from mou.accounts.schemas import CurrentUser
from mou.minutes.document import MinutesTooLarge
from mou.minutes.render import RenderJob, render_job, worker_main
from mou.settings import Settings, get_settings

logger = logging.getLogger("mou.minutes")

RENDER_FAILED = "The minutes could not be rendered; nothing was stored. The error is logged."
RENDER_BUSY = "Every minutes renderer is busy; nothing was stored. Try again in a moment."
RENDER_STOPPED = (
    "The minutes renderer stopped during this render; nothing was stored. Try again in a moment."
)
RENDER_RUNNING = "A render of yours is still running; wait for it before asking for another."
TIME_LIMIT = (
    "The minutes take longer than the {seconds:g} s render limit to print; nothing was stored. "
    "Shorten them (attendees, points, decisions, action items, text) or move long material "
    "into an attachment of the agreement."
)
MEMORY_LIMIT = (
    "The minutes need more than the {megabytes:,} MiB render memory limit to print; nothing was "
    "stored. Shorten them (attendees, points, decisions, action items, text) or move long "
    "material into an attachment of the agreement."
)
#: Seconds a client is told to wait after a busy pool, a stopped worker or a running render.
RETRY_AFTER = 5


class RenderFailed(errors.DomainError):
    """A transient failure (busy pool, a worker that stopped): the same request may succeed."""

    status_code = 503
    title = "Rendering unavailable"

    def __init__(self, detail: str, retry_after: int | None = RETRY_AFTER) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class RenderLimitExceeded(MinutesTooLarge):
    """The job hit the time or memory limit: retrying the same minutes cannot cure it."""


class RenderRunning(errors.TooManyRequests):
    title = "Render already running"


#: Seconds a fresh worker may take to start and warm up (loading WeasyPrint and fonts);
#: not counted against a job's time limit.
START_LIMIT = 120.0


@dataclass(eq=False)
class _Worker:
    process: BaseProcess
    conn: Connection
    #: The worker said it is warmed up and waits for jobs.
    ready: bool = False


def render_caller(user: CurrentUser) -> str:
    """Whom a render counts against: one render at a time each."""
    return f"user:{user.actor_id}"


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
        self._idle: list[_Worker] = []
        self._busy: set[_Worker] = set()
        self._callers: set[str] = set()
        self._slots: asyncio.Semaphore | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> RenderPool:
        """A pool under the ``MOU_RENDER_*`` limits."""
        megabytes = settings.render_memory_limit_mb
        return cls(
            workers=settings.render_workers,
            time_limit=settings.render_time_limit_seconds,
            memory_limit=megabytes * 1024**2 if megabytes > 0 else None,
            niceness=settings.render_niceness,
        )

    def start(self) -> None:
        """Start the idle workers the pool lacks (idempotent); each warms itself up."""
        while len(self._idle) + len(self._busy) < self.workers:
            self._idle.append(self._spawn())

    def stop(self) -> None:
        """Stop the workers now, running jobs included."""
        workers = [*self._idle, *self._busy]
        self._idle, self._busy = [], set()
        for worker in workers:
            _kill(worker)

    def pids(self) -> list[int]:
        """Live worker process ids (for tests and benchmarks)."""
        workers = [*self._idle, *self._busy]
        return [w.process.pid for w in workers if w.process.pid and w.process.is_alive()]

    async def render(self, job: RenderJob, *, caller: str | None = None) -> bytes:
        """The PDF of ``job``, under the pool's limits; see the module for what it raises."""
        limited = RenderJob(job.context, job.language, job.template, self.time_limit)
        pdf: bytes = await self.run(render_job, limited, caller=caller)
        return pdf

    async def run(self, function: Any, *args: Any, caller: str | None = None) -> Any:
        """Run a picklable ``function`` in a worker under the pool's limits.

        ``caller`` (a user id, say) may have one job running or waiting at a time.
        """
        with self._claim(caller):
            slots = self._slots_for_this_loop()
            try:
                await asyncio.wait_for(slots.acquire(), self.queue_wait)
            except TimeoutError:
                raise RenderFailed(RENDER_BUSY) from None
            try:
                return await self._run_now(function, args)
            finally:
                slots.release()

    @contextlib.contextmanager
    def _claim(self, caller: str | None) -> Iterator[None]:
        # Check and claim with no await in between: concurrent requests of one caller see it.
        if caller is not None and caller in self._callers:
            raise RenderRunning(RENDER_RUNNING, RETRY_AFTER)
        if caller is not None:
            self._callers.add(caller)
        try:
            yield
        finally:
            self._callers.discard(caller or "")

    async def _run_now(self, function: Any, args: tuple[Any, ...]) -> Any:
        worker = self._take()
        try:
            await _ready(worker)
            worker.conn.send((function, args))
            await _readable(worker, self.time_limit + self.grace)
            answer = worker.conn.recv()
        except TimeoutError:
            logger.error("a render outlived its limit; killing its worker")
            self._discard(worker)
            raise RenderLimitExceeded(TIME_LIMIT.format(seconds=self.time_limit)) from None
        except (EOFError, OSError):
            logger.error("a render worker died; replacing it")
            self._discard(worker)
            raise RenderFailed(RENDER_STOPPED) from None
        except BaseException:
            # Cancelled (the client left): the worker is mid-job and cannot take another.
            self._discard(worker)
            raise
        self._busy.discard(worker)
        self._idle.append(worker)
        return self._result(answer)

    def _result(self, answer: tuple[str, Any]) -> Any:
        kind, value = answer
        if kind == "ok":
            return value
        if kind == "time":
            raise RenderLimitExceeded(TIME_LIMIT.format(seconds=self.time_limit))
        if kind == "memory":
            megabytes = (self.memory_limit or 0) // 1024**2
            raise RenderLimitExceeded(MEMORY_LIMIT.format(megabytes=megabytes))
        logger.error("a render failed in its worker:\n%s", value)
        raise RenderFailed(RENDER_FAILED, retry_after=None)

    def _take(self) -> _Worker:
        """An idle live worker, marked busy; a fresh one when none is idle."""
        while self._idle:
            worker = self._idle.pop()
            if worker.process.is_alive():
                break
            _kill(worker)
        else:
            worker = self._spawn()
        self._busy.add(worker)
        return worker

    def _discard(self, worker: _Worker) -> None:
        """Kill one worker and start its replacement; the other workers are left alone."""
        self._busy.discard(worker)
        _kill(worker)
        self.start()

    def _spawn(self) -> _Worker:
        # Spawned, not forked: the app process holds threads and database connections.
        context = multiprocessing.get_context("spawn")
        ours, theirs = context.Pipe()
        process = context.Process(
            target=worker_main,
            args=(theirs, self.memory_limit, self.niceness),
            name="mou-render",
            daemon=True,
        )
        process.start()
        theirs.close()
        return _Worker(process, ours)

    def _slots_for_this_loop(self) -> asyncio.Semaphore:
        # A semaphore belongs to the loop it first waits on; tests run one loop per test.
        loop = asyncio.get_running_loop()
        if self._slots is None or getattr(self._slots, "_mou_loop", None) is not loop:
            self._slots = asyncio.Semaphore(self.workers)
            self._slots._mou_loop = loop  # type: ignore[attr-defined]
        return self._slots


async def _ready(worker: _Worker) -> None:
    """Wait for a fresh worker's warm-up; its job's clock starts after it."""
    if not worker.ready:
        try:
            await _readable(worker, START_LIMIT)
        except TimeoutError:
            raise EOFError from None
        worker.conn.recv()
        worker.ready = True


async def _readable(worker: _Worker, timeout: float) -> None:
    """Wait until the worker answers or exits, without a thread; ``TimeoutError`` after ``timeout``."""
    loop = asyncio.get_running_loop()
    ready: asyncio.Future[None] = loop.create_future()

    def wake() -> None:
        if not ready.done():
            ready.set_result(None)

    handles = (worker.conn.fileno(), worker.process.sentinel)
    for handle in handles:
        loop.add_reader(handle, wake)
    try:
        await asyncio.wait_for(ready, timeout)
    finally:
        for handle in handles:
            loop.remove_reader(handle)


def _kill(worker: _Worker) -> None:
    if worker.process.is_alive():
        worker.process.kill()
    worker.process.join(timeout=5)
    worker.conn.close()


_pool: RenderPool | None = None


def render_pool() -> RenderPool:
    """The process's render pool, under the settings' limits."""
    global _pool
    if _pool is None:
        _pool = RenderPool.from_settings(get_settings())
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
