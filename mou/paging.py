"""Paging for every list: keyset cursors, bounded offsets, and totals that do not scan the archive.

* ``next_cursor`` is the sort key of a page's last row, opaque to clients (base64 of JSON naming
  the list). ``?cursor=`` continues after it, reading what the first page reads whatever the
  depth. A cursor only positions: the caller's visibility applies as on the first page, so an
  edited cursor shows nothing more; one that does not decode is a 400 naming ``cursor``.
* ``offset`` stays for small skips, up to ``OFFSET_MAX`` (deeper is a 400 naming ``offset``
  that points to ``cursor``): the database walks every skipped row.
* ``total`` is exact where counting is cheap. Lists that grow with the archive count at most
  ``COUNT_MAX`` matching rows; past that ``total`` is an estimate with ``total_exact`` false,
  and ``?count=exact`` asks for the exact figure.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import msgspec
from piccolo.table import Table

from mou import errors
from mou.schemas import MAX_ID, Page

P = TypeVar("P", bound=Page)
T = TypeVar("T")

#: Deepest ``offset`` accepted; past it, clients page with ``cursor``.
OFFSET_MAX = 1000
#: Lists that grow with the archive count this many matches exactly, no more (unless asked):
#: at one visible agreement in ten, the count then reads at most ~2,000 rows in any archive.
COUNT_MAX = 200

OFFSET_TOO_DEEP = (
    f"must be at most {OFFSET_MAX}; to page further, send the previous page's `next_cursor` "
    "as `cursor`"
)
CURSOR_AND_OFFSET = "give `cursor` or `offset`, not both"
CURSOR_INVALID = "is not a cursor this list gave; start again from the first page"

#: The types a cursor's key may hold, as JSON carries them.
Key = tuple[Any, ...]


def offset_check(*, offset: int, cursor: str | None) -> None:
    """400 (``InvalidQuery``) for an offset past ``OFFSET_MAX`` or one beside a cursor."""
    if offset > OFFSET_MAX:
        raise errors.InvalidQuery("offset", OFFSET_TOO_DEEP)
    if offset and cursor is not None:
        raise errors.InvalidQuery("offset", CURSOR_AND_OFFSET)


def cursor_encode(name: str, key: Key) -> str:
    """The opaque cursor continuing list ``name`` after the row whose sort key is ``key``."""
    values = [v.isoformat() if isinstance(v, dt.datetime) else v for v in key]
    raw = json.dumps([name, *values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _key_value(value: Any, kind: type) -> Any:
    # Ids and positions are 32-bit: a larger number would overflow the database's integer.
    if kind is int and type(value) is int and 0 <= value <= MAX_ID:
        return value
    if kind is dt.datetime and isinstance(value, str):
        parsed = dt.datetime.fromisoformat(value)
        if parsed.tzinfo is not None:
            return parsed
    raise ValueError(value)


def cursor_decode(name: str, text: str, shape: Sequence[type]) -> Key:
    """The key ``cursor_encode(name, key)`` wrote, each value of the type ``shape`` names;
    anything else (another list's cursor, an edited one) is a 400 naming ``cursor``."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        values = json.loads(raw)
        if not isinstance(values, list) or values[:1] != [name] or len(values) != len(shape) + 1:
            raise ValueError(text)
        return tuple(_key_value(v, kind) for v, kind in zip(values[1:], shape, strict=True))
    except (ValueError, binascii.Error, UnicodeDecodeError, OverflowError):
        raise errors.InvalidQuery("cursor", CURSOR_INVALID) from None


def page_cut(
    name: str, rows: list[T], limit: int, key_of: Callable[[T], Key]
) -> tuple[list[T], str | None]:
    """The page (``rows`` was read with ``limit + 1``) and its ``next_cursor`` (None: last)."""
    if len(rows) <= limit:
        return rows, None
    return rows[:limit], cursor_encode(name, key_of(rows[limit - 1]))


def rows_after(
    name: str, rows: list[T], key_of: Callable[[T], Key], shape: Sequence[type], cursor: str | None
) -> list[T]:
    """``rows`` (sorted by ``key_of``) after ``cursor``'s key: for short lists held in memory."""
    if cursor is None:
        return rows
    after = cursor_decode(name, cursor, shape)
    return [row for row in rows if key_of(row) > after]


async def page_of(
    page_type: type[P],
    table: type[Table],
    columns: tuple[Any, ...],
    where: list[Any],
    *,
    limit: int,
    offset: int,
    cursor: str | None = None,
    extra: dict[str, Any] | None = None,
) -> P:
    """A ``page_type`` of ``table`` rows matching every clause in ``where``, ordered by id;
    ``extra`` fills the page's own further fields.

    For tables that do not grow with the archive (users, tokens, organisations, people): the
    total is an exact ``COUNT`` over the same filters.
    """
    offset_check(offset=offset, cursor=cursor)
    name = table._meta.tablename
    pk = table._meta.primary_key
    query = table.select(*columns, pk.as_alias("_key")).order_by(pk)
    count = table.count()
    for clause in where:
        query, count = query.where(clause), count.where(clause)
    if cursor is not None:
        query = query.where(pk > cursor_decode(name, cursor, (int,))[0])
    rows, next_cursor = page_cut(
        name, await query.limit(limit + 1).offset(offset), limit, lambda r: (r["_key"],)
    )
    return msgspec.convert(
        {
            "items": rows,
            "total": await count,
            "total_exact": True,
            "limit": limit,
            "offset": offset,
            "next_cursor": next_cursor,
        }
        | (extra or {}),
        page_type,
    )
