"""PostgreSQL: procrastinate runs the periodic jobs, in ``mou worker`` processes.

Its tables live in the application database (a migration creates them). Periodic jobs are
deferred once per period across all workers (procrastinate's periodic lock); a job that fails
is retried with backoff; a worker killed mid-job leaves nothing half-done that matters, since
every job is idempotent (``mou.jobs.tasks``).
"""

from __future__ import annotations

import logging

import procrastinate

from mou.db import database_session, runtime_bound
from mou.jobs.tasks import PERIODIC_JOBS, PeriodicJob
from mou.logs import logging_configure
from mou.settings import Settings

logger = logging.getLogger("mou.jobs")
#: Retries of a failed periodic job before the next period takes over.
JOB_RETRY = procrastinate.RetryStrategy(max_attempts=3, exponential_wait=5)


def cron_every(seconds: float) -> str:
    """A cron expression (croniter's, seconds last) for "every ``seconds``", rounded to a
    whole second, minute or hour as the period allows."""
    whole = max(1, int(seconds))
    if whole < 60:
        return f"* * * * * */{whole}"
    if whole < 3600:
        return f"*/{whole // 60} * * * *"
    return f"0 */{min(whole // 3600, 23)} * * *"


def _register(app: procrastinate.App, job: PeriodicJob, seconds: float, settings: Settings) -> None:
    async def run(timestamp: int) -> None:
        with runtime_bound(settings):
            await job.run()

    run.__name__ = job.name.replace("-", "_")
    task = app.task(name=f"mou.{job.name}", retry=JOB_RETRY, pass_context=False)(run)
    app.periodic(cron=cron_every(seconds), periodic_id=job.name)(task)


def queue_app(settings: Settings) -> procrastinate.App:
    """The procrastinate app with every periodic job of these settings."""
    connector = procrastinate.PsycopgConnector(conninfo=settings.database_url)
    app = procrastinate.App(connector=connector)
    for job in PERIODIC_JOBS:
        if job.every(settings) > 0:
            _register(app, job, job.every(settings), settings)
    return app


async def worker_run(settings: Settings) -> None:
    """``mou worker``: run jobs until stopped (SIGINT/SIGTERM finish the current job first)."""
    logging_configure(settings.log_level)
    async with database_session(settings):
        app = queue_app(settings)
        async with app.open_async():
            logger.info("worker started: %s", ", ".join(j.name for j in PERIODIC_JOBS))
            await app.run_worker_async(concurrency=1, install_signal_handlers=True)
