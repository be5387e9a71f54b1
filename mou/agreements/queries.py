"""The agreements feature's plain SQL (DESIGN.md "Plain SQL").

The policy, the same for every feature's ``queries.py``: Piccolo builds queries, except where a
benchmark shows Piccolo's query building dominating a hot read; such a statement lives here,
with a comment naming that benchmark, runs unchanged on SQLite and PostgreSQL (differences go
through ``mou.db``), takes every value as an argument (only placeholders are formatted in), and
names the tables and columns the feature's ``tables.py`` declares: a renamed column fails
``tests/integration/test_queries.py``, which runs every statement here on both engines.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from mou.agreements.tables import Agreement, AgreementParty
from mou.db import rows_estimate, search_sql
from mou.policy import agreements_of_sql

# The agreement list, the busiest read of the service (bench/list_agreements.py, bench/scale.py):
# composing these with Piccolo cost more CPU than running them. Newest first by id, so the
# primary key walks the page and a cursor (``after_id``) starts where the last page ended.
_PAGE_SQL = """
SELECT a.id, a.reference_number, a.title, a.kind, a.stage, a.start_date, a.end_date,
       a.signed_on, a.version
FROM agreement a
WHERE {where}
ORDER BY a.id DESC
LIMIT {{}} OFFSET {{}}
"""
_COUNT_SQL = "SELECT COUNT(*) AS total FROM agreement a WHERE {where}"
# Counting stops after ``{}`` rows, so the total costs what a page costs in any archive.
_COUNT_AT_MOST_SQL = (
    "SELECT COUNT(*) AS total FROM (SELECT 1 FROM agreement a WHERE {where} "
    "ORDER BY a.id DESC LIMIT {{}}) AS c"
)
_MATCHING_SQL = "SELECT a.id FROM agreement a WHERE {where}"
_OF_ORGANISATION = "a.id IN (SELECT agreement FROM agreement_party WHERE organisation = {})"

# Runs for every page of every agreement list: Piccolo's ``is_in`` over fifty ids costs several
# times the query itself (bench/list_agreements.py).
_PARTIES_SQL = """
SELECT p.id, p.agreement AS agreement_id, p.organisation AS organisation_id,
       o.name AS organisation_name, o.short_name AS organisation_short_name, p.role,
       p.signatory AS signatory_id, s.full_name AS signatory_name,
       s.position AS signatory_position
FROM agreement_party p JOIN organisation o ON o.id = p.organisation
LEFT JOIN person s ON s.id = p.signatory
WHERE p.agreement IN ({ids})
ORDER BY p.agreement, p.position
"""


def _marks(count: int) -> str:
    return ", ".join(["{}"] * count)


def agreement_where(
    *,
    party_among: frozenset[int] | None,
    stage: str | None,
    organisation_id: int | None,
    q: str | None,
    ends_between: tuple[dt.date, dt.date] | None,
) -> tuple[str, list[Any]]:
    """The list's filter as a where-clause on ``agreement a`` and its arguments: agreements
    one of ``party_among`` is a party to (None: any; the rule is ``mou.policy``'s), in
    ``stage``, with ``organisation_id`` a party, ``q`` in the title, reference number, a
    party's name or a scope item's title, ending within ``ends_between`` (inclusive)."""
    where: list[str] = []
    args: list[Any] = []
    if party_among is not None:
        visible, visible_args = agreements_of_sql(party_among, "a.id")
        where.append(visible)
        args += visible_args
    if stage is not None:
        where.append("a.stage = {}")
        args.append(stage)
    if organisation_id is not None:
        where.append(_OF_ORGANISATION)
        args.append(organisation_id)
    if q:
        found, found_args = search_sql(q)
        where.append(f"a.id IN ({found})")
        args += found_args
    if ends_between is not None:
        where.append("a.end_date >= {} AND a.end_date <= {}")
        args += list(ends_between)
    return " AND ".join(where) or "1 = 1", args


async def agreement_rows_page(
    *, where: str, args: list[Any], after_id: int | None, limit: int, offset: int
) -> list[dict[str, Any]]:
    """Summary rows of the agreements ``where`` (from ``agreement_where``) holds, newest first,
    those with ids below ``after_id`` only when given."""
    if after_id is not None:
        where, args = f"{where} AND a.id < {{}}", [*args, after_id]
    return list(await Agreement.raw(_PAGE_SQL.format(where=where), *args, limit, offset))


async def agreement_rows_count(*, where: str, args: list[Any], at_most: int | None) -> int:
    """How many agreements ``where`` holds, counting no further than ``at_most`` (None: all)."""
    if at_most is None:
        rows = await Agreement.raw(_COUNT_SQL.format(where=where), *args)
    else:
        rows = await Agreement.raw(_COUNT_AT_MOST_SQL.format(where=where), *args, at_most)
    return int(rows[0]["total"])


async def agreement_rows_estimate(*, where: str, args: list[Any]) -> int | None:
    """The database's estimate of how many agreements ``where`` holds, without counting them
    (None where the database keeps no statistics to estimate from)."""
    return await rows_estimate(_MATCHING_SQL.format(where=where), args)


async def party_rows_of(agreement_ids: list[int]) -> list[dict[str, Any]]:
    """The parties of several agreements, with their organisation's names and signatory, by
    agreement and then in their order; ``[]`` for no ids."""
    if not agreement_ids:
        return []
    sql = _PARTIES_SQL.format(ids=_marks(len(agreement_ids)))
    return list(await AgreementParty.raw(sql, *agreement_ids))
