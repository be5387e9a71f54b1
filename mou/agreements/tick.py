"""Activation and expiry by the calendar, recorded as stage changes by the system.

``agreements_tick`` is idempotent and safe from several processes at once: each due agreement
goes through the ``activate``/``expire`` action under the agreement's lock, so a process that
comes second finds the stage already moved and leaves it. ``mou tick`` runs it once; it runs
every ``MOU_TICK_SECONDS`` as a periodic job (``mou.jobs``).
"""

from __future__ import annotations

import datetime as dt

from mou import clock, errors
from mou.agreements.actions import agreement_act
from mou.agreements.schemas import ActionRequest
from mou.agreements.tables import Agreement
from mou.caller import CurrentUser


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
