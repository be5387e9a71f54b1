"""The agreement list, the busiest read of the service, in plain SQL.

Built with Piccolo, composing these queries cost more CPU than running them. The total is a
separate ``COUNT(*)``: a ``COUNT(*) OVER ()`` on the page would make the database materialise
every matching row, measured slower. The visibility rule is ``mou.policy``'s, rendered by
``agreements_of_sql``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec

from mou import clock
from mou.accounts.schemas import CurrentUser
from mou.agreements import schemas
from mou.agreements.tables import Agreement
from mou.policy import agreements_of_sql, related_organisations
from mou.search import contains_sql

_PAGE_SQL = """
SELECT a.id, a.reference_number, a.title, a.kind, a.stage, a.start_date, a.end_date,
       a.signed_on, a.version
FROM agreement a
WHERE {where}
ORDER BY a.id DESC
LIMIT {{}} OFFSET {{}}
"""
_COUNT_SQL = "SELECT COUNT(*) AS total FROM agreement a WHERE {where}"
_OF_ORGANISATION = "a.id IN (SELECT agreement FROM agreement_party WHERE organisation = {})"


async def agreement_filters(
    user: CurrentUser,
    stage: str | None,
    organisation_id: int | None,
    q: str | None,
    expiring_within_days: int | None,
) -> tuple[str, list[Any]]:
    """The list's filters as a where-clause on ``agreement a`` and its arguments, the caller's
    visibility first: the list and the register export share them."""
    where: list[str] = []
    args: list[Any] = []
    organisations = await related_organisations(user)
    if organisations is not None:
        visible, visible_args = agreements_of_sql(organisations)
        where.append(f"a.id IN ({visible})")
        args += visible_args
    if stage is not None:
        where.append("a.stage = {}")
        args.append(stage)
    if organisation_id is not None:
        where.append(_OF_ORGANISATION)
        args.append(organisation_id)
    if q:
        where.append(f"({contains_sql('a.title')} OR {contains_sql('a.reference_number')})")
        args += [q, q]
    if expiring_within_days is not None:
        today = clock.today()
        where.append("a.end_date >= {} AND a.end_date <= {}")
        args += [today, today + dt.timedelta(days=expiring_within_days)]
    return " AND ".join(where) or "1 = 1", args


async def agreement_list(
    *,
    user: CurrentUser,
    limit: int,
    offset: int,
    stage: str | None = None,
    organisation_id: int | None = None,
    q: str | None = None,
    expiring_within_days: int | None = None,
) -> schemas.AgreementPage:
    """A page of the agreements ``user`` sees, newest first, with their parties and the total."""
    from mou.agreements.selectors import parties_of

    where, args = await agreement_filters(user, stage, organisation_id, q, expiring_within_days)
    rows = await Agreement.raw(_PAGE_SQL.format(where=where), *args, limit, offset)
    total = (await Agreement.raw(_COUNT_SQL.format(where=where), *args))[0]["total"]
    parties = await parties_of([row["id"] for row in rows])
    for row in rows:
        row["parties"] = parties[row["id"]]
    return schemas.AgreementPage(
        items=msgspec.convert(rows, list[schemas.AgreementSummary]),
        total=int(total),
        limit=limit,
        offset=offset,
    )
