"""The audited write: one transaction, the entity before and after, one audit event.

Every write service runs its body inside ``audited(...)``; the write itself (which columns,
which rows) stays in the service, and the helper owns the rest of the recipe::

    async with audited(
        actor_id=user.actor_id, action="update", entity="person", entity_id=person_id,
        read=lambda pid: person_get(user=user, person_id=pid),
    ) as write:
        ...checks on write.before...
        await Person.update(values).where(Person.id == person_id)
    return write.after

On entry it opens ``mou.db.atomic()`` and, when ``read`` and ``entity_id`` are given, reads
``write.before``; a create sets ``write.entity_id`` once its row exists. When the body ends
without raising, it reads ``write.after`` with ``read`` and appends exactly one event, inside
the same transaction; when the body raises, nothing is appended and the transaction rolls back.
A write whose before or after is not a read (a stage action reads ``before`` under its row lock,
a token has no readable secret) passes no ``read`` and sets ``write.before``/``write.after``
itself. ``write.noted`` adds keys to the recorded ``after`` (what the write took with it).
A block that ends normally always appends its event. A write that finds nothing to do (the
session already ended, the feed already revoked) raises ``NothingWritten``: the block rolls
back, appends nothing, and the exception goes no further.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar, overload

import msgspec

from mou.audit.services import audit_record
from mou.db import atomic

T = TypeVar("T")

CREATE_WITHOUT_ID = "an audited create must set write.entity_id before its block ends"


class NothingWritten(Exception):
    """Raised inside ``audited``: this write found nothing to change, so nothing to record."""


@dataclass(slots=True)
class AuditedWrite(Generic[T]):
    """What one audited write records; see the module docstring."""

    entity_id: int | None
    #: Unset for a create (recorded as null).
    before: T = field(init=False)
    after: T = field(init=False)
    noted: dict[str, Any] = field(default_factory=dict)

    def recorded_after(self) -> Any:
        after = _recorded(getattr(self, "after", None))
        return {**after, **self.noted} if self.noted else after


def _recorded(value: Any) -> Any:
    # Schemas become their JSON shape; plain values stay as given (audit_record serialises them).
    return msgspec.to_builtins(value) if isinstance(value, msgspec.Struct) else value


@overload
def audited(
    *,
    actor_id: int | None,
    action: str,
    entity: str,
    read: Callable[[int], Awaitable[T]],
    entity_id: int | None = None,
) -> AbstractAsyncContextManager[AuditedWrite[T]]: ...


@overload
def audited(
    *,
    actor_id: int | None,
    action: str,
    entity: str,
    read: None = None,
    entity_id: int | None = None,
) -> AbstractAsyncContextManager[AuditedWrite[Any]]: ...


def audited(
    *,
    actor_id: int | None,
    action: str,
    entity: str,
    read: Callable[[int], Awaitable[Any]] | None = None,
    entity_id: int | None = None,
) -> AbstractAsyncContextManager[AuditedWrite[Any]]:
    """One write of ``entity`` by ``actor_id`` (None: the system), audited as ``action``."""
    return _audited(actor_id=actor_id, action=action, entity=entity, read=read, entity_id=entity_id)


@asynccontextmanager
async def _audited(
    *,
    actor_id: int | None,
    action: str,
    entity: str,
    read: Callable[[int], Awaitable[Any]] | None,
    entity_id: int | None,
) -> AsyncIterator[AuditedWrite[Any]]:
    try:
        async with atomic():
            write: AuditedWrite[Any] = AuditedWrite(entity_id=entity_id)
            if read is not None and entity_id is not None:
                write.before = await read(entity_id)
            yield write
            if read is not None:
                if write.entity_id is None:
                    raise RuntimeError(CREATE_WITHOUT_ID)
                write.after = await read(write.entity_id)
            await audit_record(
                actor_id=actor_id,
                action=action,
                entity=entity,
                entity_id=write.entity_id,
                before=_recorded(getattr(write, "before", None)),
                after=write.recorded_after(),
            )
    except NothingWritten:
        return
