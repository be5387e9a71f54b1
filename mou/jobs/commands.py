"""The commands that run jobs: ``mou tick`` and ``mou remind`` once, ``mou worker`` for good."""

from __future__ import annotations

import datetime as dt

import mou.notifications  # noqa: F401  (subscribes the notification rules to the audit trail)
from mou.agreements.tick import agreements_tick
from mou.db import DB, close_pool, open_pool
from mou.notifications.delivery import DeliveryReport, deliveries_run
from mou.notifications.reminders import ReminderReport, reminders_run
from mou.settings import get_settings

#: Why ``mou worker`` refuses to run on SQLite.
WORKER_NEEDS_POSTGRES = "mou worker runs jobs from PostgreSQL; on SQLite mou serve runs them itself"


async def tick_command() -> list[tuple[int, str]]:
    """``mou tick``: one tick with the process's own pool."""
    await open_pool(DB, get_settings())
    try:
        return await agreements_tick()
    finally:
        await close_pool(DB)


async def remind_command(
    *, now: dt.datetime | None = None
) -> tuple[ReminderReport, DeliveryReport]:
    """``mou remind``: write the reminders due now and mail what is pending, once."""
    settings = get_settings()
    await open_pool(DB, settings)
    try:
        reminders = await reminders_run(settings=settings, now=now)
        return reminders, await deliveries_run(settings=settings)
    finally:
        await close_pool(DB)


async def worker_command() -> None:
    """``mou worker``: PostgreSQL only (see ``WORKER_NEEDS_POSTGRES``)."""
    from mou.jobs.queue import worker_run

    settings = get_settings()
    if settings.is_sqlite:
        raise ValueError(WORKER_NEEDS_POSTGRES)
    await worker_run(settings)
