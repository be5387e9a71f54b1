"""An agreement's history: its stage changes and its parties' approvals, oldest first."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec

from mou.agreements import schemas
from mou.agreements.tables import Approval, StageChange
from mou.caller import CurrentUser
from mou.paging import offset_check, page_cut, rows_after
from mou.policy import require_agreement_visible

#: An approval and the stage change it completes share a time; the approval reads first.
_APPROVAL_FIRST = {"approval": 0, "stage_change": 1}


#: The name ``mou.paging`` gives this list's cursors, and the shape of their keys.
CURSOR_NAME = "history"
_KEY_SHAPE = (dt.datetime, int, int)


def _key(entry: dict[str, Any]) -> tuple[dt.datetime, int, int]:
    return (entry["at"], _APPROVAL_FIRST[entry["kind"]], entry["id"])


async def agreement_history(
    *, user: CurrentUser, agreement_id: int, limit: int, offset: int, cursor: str | None = None
) -> schemas.HistoryPage:
    """Every step, replayable: each entry's ``from_stage`` is the previous one's ``to_stage``.

    An approval that leaves other parties pending is an entry from ``review`` to ``review``.
    """
    offset_check(offset=offset, cursor=cursor)
    await require_agreement_visible(user, agreement_id)
    changes = await StageChange.select(
        StageChange.id,
        StageChange.action,
        StageChange.from_stage,
        StageChange.to_stage,
        StageChange.actor.as_alias("actor_id"),
        StageChange.comment,
        StageChange.at,
    ).where(StageChange.agreement == agreement_id)
    approvals = await Approval.select(
        Approval.id,
        Approval.actor.as_alias("actor_id"),
        Approval.comment,
        Approval.at,
        Approval.approval_round,
        Approval.party.organisation.as_alias("organisation_id"),
    ).where(Approval.agreement == agreement_id)
    entries: list[dict[str, Any]] = [{"kind": "stage_change", **row} for row in changes]
    entries += [
        {"kind": "approval", "action": "approve", "from_stage": "review", "to_stage": "review"}
        | row
        for row in approvals
    ]
    entries.sort(key=_key)
    after = rows_after(CURSOR_NAME, entries, _key, _KEY_SHAPE, cursor)
    page, next_cursor = page_cut(CURSOR_NAME, after[offset : offset + limit + 1], limit, _key)
    return schemas.HistoryPage(
        items=msgspec.convert(page, list[schemas.HistoryEntry]),
        total=len(entries),
        total_exact=True,
        limit=limit,
        offset=offset,
        next_cursor=next_cursor,
    )
