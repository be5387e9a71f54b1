"""The job seam's small rules: periods as cron expressions, the worker's engine."""

from __future__ import annotations

import asyncio

import pytest

from mou.jobs.commands import WORKER_NEEDS_POSTGRES, worker_command
from mou.jobs.queue import cron_every
from mou.settings import get_settings
from tests.conftest import DATABASE


@pytest.mark.parametrize(
    ("seconds", "cron"),
    [(1, "* * * * * */1"), (30, "* * * * * */30"), (300, "*/5 * * * *"), (3600, "0 */1 * * *")],
)
def test_cron_every_runs_once_per_period(seconds: float, cron: str) -> None:
    assert cron_every(seconds) == cron


@pytest.mark.skipif(DATABASE.kind != "sqlite", reason="the refusal concerns SQLite only")
def test_worker_refuses_sqlite_naming_what_runs_jobs_there() -> None:
    with pytest.raises(ValueError, match=WORKER_NEEDS_POSTGRES):
        asyncio.run(worker_command(settings=get_settings()))
