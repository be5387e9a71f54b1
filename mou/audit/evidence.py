"""Cross-check the evidence tables against the audit events that recorded them.

A stage change, an approval and a minutes version are written in the same transaction as the
event that records them, so each row must match its event field for field, each event's rows
must exist, and an agreement's stage must be where its last stage change led. A minutes
version's PDF must still hash to the SHA-256 its event recorded. Events written before they
recorded ids, comments and times are compared on what they did record.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from typing import Any

from piccolo.table import Table

from mou.agreements import ACTIONS, Decision
from mou.agreements.tables import Agreement, Approval, StageChange
from mou.audit.tables import AuditEvent
from mou.minutes.tables import MinutesVersion

BATCH = 1000
#: Minutes versions carry their PDFs: fewer per query.
PDF_BATCH = 20

NO_EVENT = "{what} was recorded by no audit event"
MISSING = "{what}, recorded by audit event {event_id}, is missing"
DIFFERS = (
    "{what} differs from audit event {event_id}: {field} is {actual}, the event recorded {expected}"
)
PDF_REPLACED = (
    "{what}: its PDF's bytes hash to {actual}, but audit event {event_id} recorded {expected}"
)
STAGE_DIFFERS = (
    "agreement {id} is in stage {stage!r}, but its stage changes leave it in {expected!r}"
)

#: Names an event records under, where they differ from the column's.
_COLUMN = {"party_id": "party"}


@dataclass(frozen=True, slots=True)
class Recorded:
    event_id: int
    #: The row as the event names it, for a message when the row is missing.
    what: str
    #: Column name (or its ``_COLUMN`` alias) to the value the event recorded.
    fields: dict[str, Any]


@dataclass(slots=True)
class Expected:
    """What the events say the evidence tables hold."""

    #: Per agreement, its stage changes in the order they were made.
    stage_changes: defaultdict[int, deque[Recorded]] = field(
        default_factory=lambda: defaultdict(deque)
    )
    #: By (agreement, party, approval round).
    approvals: dict[tuple[int, int, int], Recorded] = field(default_factory=dict)
    #: By (meeting, version, language).
    minutes: dict[tuple[int, int, str], Recorded] = field(default_factory=dict)


async def evidence_verify() -> str:
    """The first evidence row that disagrees with the audit events; "" when all agree."""
    expected = await _expected()
    last_stage: dict[int, str] = {}
    return (
        await _stage_changes_check(expected, last_stage)
        or await _approvals_check(expected)
        or await _minutes_check(expected)
        or await _stages_check(last_stage)
    )


async def _rows(
    table: type[Table], *columns: Any, where: Any = None, batch: int = BATCH
) -> AsyncIterator[dict[str, Any]]:
    """Every row of ``table`` (matching ``where``), oldest first, ``batch`` at a time."""
    pk: Any = table._meta.primary_key
    last_id = 0
    while True:
        condition = pk > last_id if where is None else (pk > last_id) & where
        rows = await table.select(*columns).where(condition).order_by(pk).limit(batch)
        for row in rows:
            yield row
        if len(rows) < batch:
            return
        last_id = rows[-1]["id"]


async def _expected() -> Expected:
    expected = Expected()
    stage_actions = (AuditEvent.entity == "agreement") & AuditEvent.action.is_in(list(ACTIONS))
    finalizing = (AuditEvent.entity == "minutes") & (AuditEvent.action == "finalize")
    async for event in _rows(AuditEvent, where=stage_actions | finalizing):
        if event["entity"] == "agreement":
            _agreement_event(expected, event)
        else:
            _finalize_event(expected, event)
    return expected


def _agreement_event(expected: Expected, event: dict[str, Any]) -> None:
    agreement_id, actor = event["entity_id"], {"actor": event["actor"]}
    before, after = json.loads(event["before"]), json.loads(event["after"])
    if (approval := after.get("approval")) is not None:
        party, round_ = approval["party_id"], approval["approval_round"]
        what = f"the approval of party {party} in round {round_} of agreement {agreement_id}"
        recorded = Recorded(event["id"], what, actor | approval)
        expected.approvals[(agreement_id, party, round_)] = recorded
    if Decision(event["action"], before["stage"], after["stage"]).records_stage_change:
        change = {"action": event["action"], "from_stage": before["stage"]}
        change |= {"to_stage": after["stage"], **actor, **after.get("stage_change", {})}
        what = f"the stage change {change['from_stage']} -> {change['to_stage']}"
        what += f" of agreement {agreement_id}"
        expected.stage_changes[agreement_id].append(Recorded(event["id"], what, change))


def _finalize_event(expected: Expected, event: dict[str, Any]) -> None:
    after = json.loads(event["after"])
    common = {"version": after["version"], "reason": after["reason"]}
    common["rendered_by"] = event["actor"]
    if "rendered_at" in after:
        common["rendered_at"] = after["rendered_at"]
    for document in after["documents"]:
        key = (event["entity_id"], after["version"], document["language"])
        what = f"minutes version {key[1]} ({key[2]}) of meeting {key[0]}"
        expected.minutes[key] = Recorded(event["id"], what, common | document)


def _difference(row: dict[str, Any], recorded: Recorded, what: str) -> str:
    """The first recorded field ``row`` does not hold, as a message; "" when it holds all."""
    for name, value in recorded.fields.items():
        actual = row[_COLUMN.get(name, name)]
        if isinstance(actual, dt.datetime) and isinstance(value, str):
            same = actual == dt.datetime.fromisoformat(value)
        else:
            same = actual == value
        if not same:
            return DIFFERS.format(
                what=what,
                event_id=recorded.event_id,
                field=name,
                actual=_shown(actual),
                expected=_shown(value),
            )
    return ""


def _shown(value: Any) -> str:
    """Strings quoted, so an emptied comment shows as ''; times and numbers as they read."""
    return repr(value) if isinstance(value, str) else str(value)


def _first_missing(remaining: Iterable[Recorded]) -> str:
    """Of the recorded rows no row matched, the one recorded first; "" when there is none."""
    first = min(remaining, key=lambda recorded: recorded.event_id, default=None)
    return "" if first is None else MISSING.format(what=first.what, event_id=first.event_id)


async def _stage_changes_check(expected: Expected, last_stage: dict[int, str]) -> str:
    async for row in _rows(StageChange):
        what = f"stage change {row['id']} of agreement {row['agreement']}"
        pending = expected.stage_changes[row["agreement"]]
        if not pending:
            return NO_EVENT.format(what=what)
        recorded = pending.popleft()
        if recorded.fields.get("id", row["id"]) != row["id"]:
            # The one recorded here was deleted, and a later (or forged) one took its place.
            return MISSING.format(what=recorded.what, event_id=recorded.event_id)
        if mismatch := _difference(row, recorded, what):
            return mismatch
        last_stage[row["agreement"]] = row["to_stage"]
    return _first_missing(r for pending in expected.stage_changes.values() for r in pending)


async def _approvals_check(expected: Expected) -> str:
    async for row in _rows(Approval):
        what = f"approval {row['id']} of agreement {row['agreement']}"
        key = (row["agreement"], row["party"], row["approval_round"])
        recorded = expected.approvals.pop(key, None)
        if recorded is None:
            return NO_EVENT.format(what=what)
        if mismatch := _difference(row, recorded, what):
            return mismatch
    return _first_missing(expected.approvals.values())


async def _minutes_check(expected: Expected) -> str:
    async for row in _rows(MinutesVersion, batch=PDF_BATCH):
        key = (row["meeting"], row["version"], row["language"])
        recorded = expected.minutes.pop(key, None)
        what = f"minutes version {key[1]} ({key[2]}) of meeting {key[0]}"
        if recorded is None:
            return NO_EVENT.format(what=what)
        digest = hashlib.sha256(row["pdf"]).hexdigest()
        if digest != recorded.fields["sha256"]:
            return PDF_REPLACED.format(
                what=what,
                actual=digest,
                event_id=recorded.event_id,
                expected=recorded.fields["sha256"],
            )
        if mismatch := _difference(row, recorded, what):
            return mismatch
    return _first_missing(expected.minutes.values())


async def _stages_check(last_stage: dict[int, str]) -> str:
    async for row in _rows(Agreement, Agreement.id, Agreement.stage):
        expected = last_stage.get(row["id"], "draft")
        if row["stage"] != expected:
            return STAGE_DIFFERS.format(id=row["id"], stage=row["stage"], expected=expected)
    return ""
