"""The agreement list, the busiest read of the service: its filters in Python, its statements
in plain SQL (``mou.agreements.queries``). The visibility rule is ``mou.policy``'s."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec

from mou import clock
from mou.agreements import queries, schemas
from mou.caller import CurrentUser
from mou.policy import related_organisations


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
    rows = await queries.agreement_rows_page(where=where, args=args, limit=limit, offset=offset)
    total = await queries.agreement_rows_count(where=where, args=args)
    parties = await parties_of([row["id"] for row in rows])
    for row in rows:
        row["parties"] = parties[row["id"]]
    return schemas.AgreementPage(
        items=msgspec.convert(rows, list[schemas.AgreementSummary]),
        total=total,
        limit=limit,
        offset=offset,
    )
