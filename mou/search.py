"""Case-insensitive substring search that behaves the same on SQLite and PostgreSQL."""

from __future__ import annotations

from piccolo.columns import Column
from piccolo.columns.combination import WhereRaw
from piccolo.engine.sqlite import SQLiteEngine

from mou.db import DB

# A plain position search: LIKE would read the user's % _ and \ as pattern syntax.
_POSITION = "instr" if isinstance(DB, SQLiteEngine) else "strpos"


def contains(column: Column, text: str) -> WhereRaw:
    """``column`` contains ``text``, ignoring case; every character of ``text`` is literal."""
    table = column._meta.table._meta.tablename
    name = column._meta.db_column_name
    return WhereRaw(f'{_POSITION}(lower("{table}"."{name}"), lower({{}})) > 0', text)


def contains_sql(column: str) -> str:
    """The same test as ``contains`` in plain SQL, for ``column``; one ``{}`` for the text."""
    return f"{_POSITION}(lower({column}), lower({{}})) > 0"
