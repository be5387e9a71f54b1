"""The periodic jobs, as plain async functions: each idempotent, each logs its outcome.

A job may run twice at once (two workers, a retry after a kill): each relies on the unique
keys and claims of what it writes, never on running alone.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from mou.agreements import agreements_tick
from mou.notifications import deliveries_run, reminders_run  # subscribes the rules too
from mou.settings import Settings, get_settings

logger = logging.getLogger("mou.jobs")


async def tick_job() -> None:
    applied = await agreements_tick()
    for agreement_id, action in applied:
        logger.info("agreement %s: %s by the system", agreement_id, action)
    logger.info("job tick: %s stage changes", len(applied))


async def reminders_job() -> None:
    """Write the reminders due now, then mail what is pending (``mou remind`` runs this)."""
    settings = get_settings()
    report = await reminders_run(settings=settings)
    logger.info("job reminders: %s new", report.written)
    await deliveries_job()


async def deliveries_job() -> None:
    report = await deliveries_run(settings=get_settings())
    logger.info(
        "job deliveries: %s sent, %s retrying, %s failed",
        report.sent,
        report.retrying,
        report.failed,
    )


@dataclass(frozen=True, slots=True)
class PeriodicJob:
    name: str
    run: Callable[[], Awaitable[None]]
    #: Seconds between runs, from the settings; 0 or less: never.
    every: Callable[[Settings], float]


PERIODIC_JOBS = (
    PeriodicJob("agreement-tick", tick_job, lambda s: s.tick_seconds),
    PeriodicJob("reminders", reminders_job, lambda s: s.reminder_seconds),
    PeriodicJob("deliveries", deliveries_job, lambda s: s.delivery_seconds),
)
