"""Optimistic locking: a write names the version it read and fails if another got there first."""

from __future__ import annotations

import datetime as dt
from typing import Any

from piccolo.table import Table

from mou import errors


async def write_if_version(
    table: type[Table], row_id: int, *, expected: int, values: dict[str, Any], entity: str
) -> int:
    """Apply ``values`` and add one to ``version`` only if it still equals ``expected``.

    Returns the new version; ``NotFound`` or ``PreconditionFailed`` otherwise. The compare and
    the write are one statement, so two writers holding the same version cannot both win.
    """
    version: Any = table._meta.get_column_by_name("version")
    changes: dict[Any, Any] = {version: version + 1, **values}
    if "updated_at" in {c._meta.name for c in table._meta.columns}:
        changes["updated_at"] = dt.datetime.now(dt.UTC)
    pk = table._meta.primary_key
    rows = (
        await table.update(changes).where((pk == row_id) & (version == expected)).returning(version)
    )
    if rows:
        return int(rows[0]["version"])
    current = await table.select(version).where(pk == row_id).first()
    if current is None:
        raise errors.NotFound(errors.NOT_FOUND.format(entity=entity))
    raise errors.PreconditionFailed(
        errors.STALE_VERSION.format(entity=entity, expected=expected, actual=current["version"])
    )
