"""Checks that ids named in input point at rows that exist, reported against the field."""

from __future__ import annotations

from piccolo.table import Table

from mou import errors

NO_SUCH_ROW = "no {entity} has this id"


async def require_row(table: type[Table], row_id: int | None, *, field: str) -> None:
    """Raise ``InvalidInput`` naming ``field`` when ``row_id`` is set but no such row exists."""
    if row_id is None:
        return
    if not await table.exists().where(table._meta.primary_key == row_id):
        entity = table._meta.tablename.replace("_", " ")
        raise errors.InvalidInput(field, NO_SUCH_ROW.format(entity=entity))
