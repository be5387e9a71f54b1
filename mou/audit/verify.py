"""Walk the audit chain and report the first link that does not hold; then the evidence."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mou.audit.anchor import Anchor
from mou.audit.evidence import evidence_verify
from mou.audit.services import GENESIS_HASH, stored_event_hash
from mou.audit.tables import AuditEvent
from mou.db import read_snapshot

BATCH = 1000

LINK_BROKEN = "links to another event"
CONTENT_CHANGED = "its content was changed"
NOT_ANCHORED = (
    "its hash is not the anchored head {hash} of {count} events: the chain was rewritten up to here"
)
TRUNCATED = (
    "the chain ends after {count} events, but an anchored head counts {anchored}: "
    "events were deleted from its end"
)


@dataclass(frozen=True, slots=True)
class ChainReport:
    checked: int
    #: 1-based position in the chain of the first broken event; None when the chain holds.
    broken_at: int | None = None
    #: None when the break is past the end (events were deleted there).
    event_id: int | None = None
    reason: str = ""
    #: The last event's hash: with ``checked``, the head to keep outside the database.
    head: str = GENESIS_HASH

    @property
    def ok(self) -> bool:
        return self.broken_at is None

    @property
    def anchor(self) -> Anchor:
        return Anchor(count=self.checked, hash=self.head)


@dataclass(frozen=True, slots=True)
class AuditReport:
    chain: ChainReport
    #: The first evidence row that disagrees with the events; "" when all agree or not checked.
    evidence: str = ""

    @property
    def ok(self) -> bool:
        return self.chain.ok and not self.evidence


async def audit_check(*, anchors: Sequence[Anchor] = ()) -> AuditReport:
    """The chain (against ``anchors``), then the evidence against the chain, in one snapshot,
    so writes committed meanwhile never show as a mismatch. Evidence is checked only once the
    chain holds: a broken chain cannot vouch for anything."""
    async with read_snapshot():
        chain = await audit_verify(anchors=anchors)
        return AuditReport(chain, await evidence_verify() if chain.ok else "")


async def audit_verify(*, anchors: Sequence[Anchor] = ()) -> ChainReport:
    """Recompute every event's hash and its link to the one before it, oldest first, and
    compare the event at each anchor's count with the anchor's hash.

    An edited row fails its own hash; a deleted row breaks the next event's link; a chain
    rewritten from some event on (hashes recomputed) misses the next anchor past that event;
    deleted last events leave it shorter than the longest anchor. (Ids may have gaps:
    PostgreSQL sequences skip the ids of rolled-back transactions.)
    """
    anchored = {anchor.count: anchor for anchor in anchors}
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
            reason = _link_fault(row, previous, anchored.get(position))
            if reason:
                return ChainReport(position - 1, position, row["id"], reason, previous)
            previous = row["hash"]
            last_id = row["id"]
        if len(rows) < BATCH:
            return _chain_end(position, previous, max(anchored, default=0))


def _link_fault(row: dict[str, object], previous: str, anchor: Anchor | None) -> str:
    """Why ``row`` cannot follow the event whose hash is ``previous``; "" when it can."""
    if row["prev_hash"] != previous:
        return LINK_BROKEN
    if row["hash"] != stored_event_hash(row):
        return CONTENT_CHANGED
    if anchor is not None and row["hash"] != anchor.hash:
        return NOT_ANCHORED.format(hash=anchor.hash, count=anchor.count)
    return ""


def _chain_end(count: int, head: str, anchored: int) -> ChainReport:
    if count < anchored:
        return ChainReport(count, count + 1, None, TRUNCATED.format(count=count, anchored=anchored))
    return ChainReport(count, head=head)
