"""Case-insensitive substring search that behaves the same on SQLite and PostgreSQL."""

from __future__ import annotations

from piccolo.columns import Column
from piccolo.columns.combination import WhereRaw

from mou.db import text_position_function


def contains(column: Column, text: str) -> WhereRaw:
    """``column`` contains ``text``, ignoring case; every character of ``text`` is literal."""
    table = column._meta.table._meta.tablename
    name = column._meta.db_column_name
    return WhereRaw(contains_sql(f'"{table}"."{name}"'), text)


def contains_sql(column: str) -> str:
    """The same test as ``contains`` in plain SQL, for ``column``; one ``{}`` for the text."""
    return f"{text_position_function()}(lower({column}), lower({{}})) > 0"
