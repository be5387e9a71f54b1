"""An agreement's history: its stage changes and its parties' approvals, oldest first."""

from __future__ import annotations

from typing import Any

import msgspec

from mou.agreements import schemas
from mou.agreements.tables import Approval, StageChange
from mou.caller import CurrentUser
from mou.policy import require_agreement_visible

#: An approval and the stage change it completes share a time; the approval reads first.
_APPROVAL_FIRST = {"approval": 0, "stage_change": 1}


async def agreement_history(
    *, user: CurrentUser, agreement_id: int, limit: int, offset: int
) -> schemas.HistoryPage:
    """Every step, replayable: each entry's ``from_stage`` is the previous one's ``to_stage``.

    An approval that leaves other parties pending is an entry from ``review`` to ``review``.
    """
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
    entries.sort(key=lambda e: (e["at"], _APPROVAL_FIRST[e["kind"]], e["id"]))
    for entry in entries:
        del entry["id"]
    return schemas.HistoryPage(
        items=msgspec.convert(entries[offset : offset + limit], list[schemas.HistoryEntry]),
        total=len(entries),
        limit=limit,
        offset=offset,
    )
