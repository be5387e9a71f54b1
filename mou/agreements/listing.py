"""The agreement list, the busiest read of the service: its filters in Python, its statements
in plain SQL (``mou.agreements.queries``). The visibility rule is ``mou.policy``'s; paging and
the total follow ``mou.paging``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec

from mou import clock
from mou.agreements import queries, schemas
from mou.caller import CurrentUser
from mou.paging import COUNT_MAX, cursor_decode, offset_check, page_cut
from mou.policy import related_organisations

#: The name ``mou.paging`` gives this list's cursors.
CURSOR_NAME = "agreement"


async def agreement_filters(
    user: CurrentUser,
    stage: str | None,
    organisation_id: int | None,
    q: str | None,
    expiring_within_days: int | None,
) -> tuple[str, list[Any]]:
    """The list's filters as a where-clause on ``agreement a`` and its arguments, the caller's
    visibility first: the list and the register export share them."""
    ends_between = None
    if expiring_within_days is not None:
        today = clock.today()
        ends_between = (today, today + dt.timedelta(days=expiring_within_days))
    return queries.agreement_where(
        party_among=await related_organisations(user),
        stage=stage,
        organisation_id=organisation_id,
        q=q,
        ends_between=ends_between,
    )


async def agreement_total(*, where: str, args: list[Any], exact: bool) -> tuple[int, bool]:
    """The total and whether it is exact: counted up to ``COUNT_MAX`` matches (or all, when
    ``exact``); past that, the database's estimate, never below what was counted."""
    if exact:
        return await queries.agreement_rows_count(where=where, args=args, at_most=None), True
    counted = await queries.agreement_rows_count(where=where, args=args, at_most=COUNT_MAX + 1)
    if counted <= COUNT_MAX:
        return counted, True
    estimate = await queries.agreement_rows_estimate(where=where, args=args)
    return max(counted, estimate or 0), False


async def agreement_list(
    *,
    user: CurrentUser,
    limit: int,
    offset: int,
    cursor: str | None = None,
    count: str | None = None,
    stage: str | None = None,
    organisation_id: int | None = None,
    q: str | None = None,
    expiring_within_days: int | None = None,
) -> schemas.AgreementPage:
    """A page of the agreements ``user`` sees, newest first, with their parties and the total
    (``count="exact"``: counted however many; see ``agreement_total``)."""
    from mou.agreements.selectors import parties_of

    offset_check(offset=offset, cursor=cursor)
    after_id = None if cursor is None else cursor_decode(CURSOR_NAME, cursor, (int,))[0]
    where, args = await agreement_filters(user, stage, organisation_id, q, expiring_within_days)
    rows, next_cursor = page_cut(
        CURSOR_NAME,
        await queries.agreement_rows_page(
            where=where, args=args, after_id=after_id, limit=limit + 1, offset=offset
        ),
        limit,
        lambda row: (row["id"],),
    )
    total, total_exact = await agreement_total(where=where, args=args, exact=count == "exact")
    parties = await parties_of([row["id"] for row in rows])
    for row in rows:
        row["parties"] = parties[row["id"]]
    return schemas.AgreementPage(
        items=msgspec.convert(rows, list[schemas.AgreementSummary]),
        total=total,
        total_exact=total_exact,
        limit=limit,
        offset=offset,
        next_cursor=next_cursor,
    )
