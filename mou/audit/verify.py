"""Walk the audit chain and report the first link that does not hold."""

from __future__ import annotations

from dataclasses import dataclass

from mou.audit.services import GENESIS_HASH, stored_event_hash
from mou.audit.tables import AuditEvent

BATCH = 1000


@dataclass(frozen=True, slots=True)
class ChainReport:
    checked: int
    #: 1-based position in the chain of the first broken event; None when the chain holds.
    broken_at: int | None = None
    event_id: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


async def audit_verify() -> ChainReport:
    """Recompute every event's hash and its link to the one before it, oldest first.

    An edited row fails its own hash; a deleted row breaks the next event's link. (Ids may
    have gaps: PostgreSQL sequences skip the ids of rolled-back transactions.)
    """
    previous = GENESIS_HASH
    position = 0
    last_id = 0
    while True:
        rows = (
            await AuditEvent.select()
            .where(AuditEvent.id > last_id)
            .order_by(AuditEvent.id)
            .limit(BATCH)
        )
        for row in rows:
            position += 1
            if row["prev_hash"] != previous:
                return ChainReport(position - 1, position, row["id"], "links to another event")
            if row["hash"] != stored_event_hash(row):
                return ChainReport(position - 1, position, row["id"], "its content was changed")
            previous = row["hash"]
            last_id = row["id"]
        if len(rows) < BATCH:
            return ChainReport(position)
