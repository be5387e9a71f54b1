"""Activation and expiry by the calendar, recorded as stage changes by the system.

``agreements_tick`` is idempotent and safe from several processes at once: each due agreement
goes through the ``activate``/``expire`` action under the agreement's lock, so a process that
comes second finds the stage already moved and leaves it. ``mou tick`` runs it once; the app
runs it every ``MOU_TICK_SECONDS``.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

from mou import clock, errors
from mou.agreements.actions import agreement_act
from mou.agreements.schemas import ActionRequest
from mou.agreements.tables import Agreement
from mou.caller import CurrentUser
from mou.db import database_session
from mou.settings import Settings

logger = logging.getLogger("mou.tick")


async def _due(action: str, today: dt.date) -> list[int]:
    if action == "activate":
        starts = (Agreement.start_date <= today) | (
            Agreement.start_date.is_null() & (Agreement.signed_on <= today)
        )
        query = Agreement.select(Agreement.id).where((Agreement.stage == "signed") & starts)
    else:
        query = Agreement.select(Agreement.id).where(
            (Agreement.stage == "active") & (Agreement.end_date < today)
        )
    return [row["id"] for row in await query.order_by(Agreement.id)]


async def agreements_tick(*, today: dt.date | None = None) -> list[tuple[int, str]]:
    """Activate signed agreements whose start has come, expire active ones whose end has
    passed; returns the (agreement id, action) pairs this call applied."""
    today = today or clock.today()
    system = CurrentUser.system()
    applied: list[tuple[int, str]] = []
    # Activation first: an agreement signed late may start and end within one tick.
    for action in ("activate", "expire"):
        for agreement_id in await _due(action, today):
            try:
                await agreement_act(
                    user=system,
                    agreement_id=agreement_id,
                    action=action,
                    expected_version=None,
                    data=ActionRequest(),
                    today=today,
                )
            except (errors.Conflict, errors.PreconditionFailed):
                continue  # another process moved it first
            applied.append((agreement_id, action))
    return applied


async def tick_command(*, settings: Settings) -> list[tuple[int, str]]:
    """``mou tick``: one tick on the database ``settings`` name, with a pool of its own."""
    async with database_session(settings):
        return await agreements_tick()


async def _tick_every(seconds: float) -> None:
    while True:
        try:
            applied = await agreements_tick()
        except Exception:
            logger.exception("agreement tick failed; trying again in %s s", seconds)
        else:
            for agreement_id, action in applied:
                logger.info("agreement %s: %s by the system", agreement_id, action)
        await asyncio.sleep(seconds)


def agreement_ticker(seconds: float) -> Callable[[Any], AbstractAsyncContextManager[None]]:
    """An app lifespan running the tick every ``seconds`` (0 or less: never)."""

    @contextlib.asynccontextmanager
    async def ticker(_: Any) -> AsyncIterator[None]:
        if seconds <= 0:
            yield
            return
        task = asyncio.create_task(_tick_every(seconds), name="agreement-tick")
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    return ticker
