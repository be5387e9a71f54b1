"""The commands that run jobs: ``mou tick`` and ``mou remind`` once, ``mou worker`` for good."""

from __future__ import annotations

import datetime as dt

from mou.agreements import agreements_tick
from mou.db import database_session
from mou.notifications import (  # subscribes the notification rules to the audit trail
    DeliveryReport,
    ReminderReport,
    deliveries_run,
    reminders_run,
)
from mou.settings import Settings

#: Why ``mou worker`` refuses to run on SQLite.
WORKER_NEEDS_POSTGRES = "mou worker runs jobs from PostgreSQL; on SQLite mou serve runs them itself"


async def tick_command(*, settings: Settings) -> list[tuple[int, str]]:
    """``mou tick``: one tick on the database ``settings`` name, with a pool of its own."""
    async with database_session(settings):
        return await agreements_tick()


async def remind_command(
    *, settings: Settings, now: dt.datetime | None = None
) -> tuple[ReminderReport, DeliveryReport]:
    """``mou remind``: write the reminders due now and mail what is pending, once."""
    async with database_session(settings):
        reminders = await reminders_run(settings=settings, now=now)
        return reminders, await deliveries_run(settings=settings)


async def worker_command(*, settings: Settings) -> None:
    """``mou worker``: PostgreSQL only (see ``WORKER_NEEDS_POSTGRES``)."""
    from mou.jobs.queue import worker_run

    if settings.is_sqlite:
        raise ValueError(WORKER_NEEDS_POSTGRES)
    await worker_run(settings)
