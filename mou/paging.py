"""One way to answer a paginated list: the rows of a page and the total, under the same filters."""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec
from piccolo.table import Table

from mou.schemas import Page

P = TypeVar("P", bound=Page)


async def page_of(
    page_type: type[P],
    table: type[Table],
    columns: tuple[Any, ...],
    where: list[Any],
    *,
    limit: int,
    offset: int,
    extra: dict[str, Any] | None = None,
) -> P:
    """A ``page_type`` of ``table`` rows matching every clause in ``where``, ordered by id;
    ``extra`` fills the page's own further fields."""
    query = table.select(*columns).order_by(table._meta.primary_key)
    count = table.count()
    for clause in where:
        query, count = query.where(clause), count.where(clause)
    rows = await query.limit(limit).offset(offset)
    return msgspec.convert(
        {"items": rows, "total": await count, "limit": limit, "offset": offset} | (extra or {}),
        page_type,
    )
