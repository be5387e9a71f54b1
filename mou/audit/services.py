"""Append events to the hash-chained audit trail, inside the caller's transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from piccolo.engine.postgres import PostgresEngine

from mou.audit.tables import AuditEvent
from mou.db import DB

GENESIS_HASH = "0" * 64
#: Key of the PostgreSQL advisory lock that queues writers of the chain.
_CHAIN_LOCK = 7_020_001


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=False)


def event_hash(
    *,
    prev_hash: str,
    actor_id: int | None,
    action: str,
    entity: str,
    entity_id: int | None,
    before: str,
    after: str,
    at: dt.datetime,
) -> str:
    fields = [prev_hash, actor_id, action, entity, entity_id, before, after, at.isoformat()]
    return hashlib.sha256(canonical_json(fields).encode()).hexdigest()


def stored_event_hash(row: dict[str, Any]) -> str:
    """The hash an audit_event row should carry, recomputed from its stored columns."""
    return event_hash(
        prev_hash=row["prev_hash"],
        actor_id=row["actor"],
        action=row["action"],
        entity=row["entity"],
        entity_id=row["entity_id"],
        before=row["before"],
        after=row["after"],
        at=row["at"],
    )


async def audit_record(
    *,
    actor_id: int | None,
    action: str,
    entity: str,
    entity_id: int | None,
    before: Any = None,
    after: Any = None,
) -> None:
    """Append one event inside the current transaction. Features do not call this: they write
    through ``mou.audit.audited``, which calls it once per write."""
    if isinstance(DB, PostgresEngine):
        # SQLite's IMMEDIATE transactions already admit one writer at a time.
        await AuditEvent.raw("SELECT pg_advisory_xact_lock({})", _CHAIN_LOCK)
    last = await AuditEvent.select(AuditEvent.hash).order_by(AuditEvent.id, ascending=False).first()
    prev_hash = last["hash"] if last else GENESIS_HASH
    at = dt.datetime.now(dt.UTC)
    before_json, after_json = canonical_json(before), canonical_json(after)
    digest = event_hash(
        prev_hash=prev_hash,
        actor_id=actor_id,
        action=action,
        entity=entity,
        entity_id=entity_id,
        before=before_json,
        after=after_json,
        at=at,
    )
    await AuditEvent.insert(
        AuditEvent(
            actor=actor_id,
            action=action,
            entity=entity,
            entity_id=entity_id,
            before=before_json,
            after=after_json,
            at=at,
            prev_hash=prev_hash,
            hash=digest,
        )
    )
