"""Reads of agreements: one query per kind of row, however many rows a page holds."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import msgspec

from mou import errors
from mou.accounts.schemas import CurrentUser
from mou.agreements import schemas
from mou.agreements.tables import Agreement, AgreementParty, ScopeItem
from mou.policy import visible_agreements_clause
from mou.search import contains

SUMMARY_COLUMNS = (
    Agreement.id,
    Agreement.reference_number,
    Agreement.title,
    Agreement.kind,
    Agreement.stage,
    Agreement.start_date,
    Agreement.end_date,
    Agreement.signed_on,
    Agreement.version,
)
DETAIL_COLUMNS = (
    *SUMMARY_COLUMNS,
    Agreement.purpose,
    Agreement.parent.as_alias("parent_id"),
    Agreement.renewal_of.as_alias("renewal_of_id"),
    Agreement.created_by.as_alias("created_by_id"),
    Agreement.created_at,
    Agreement.updated_at,
)
SCOPE_COLUMNS = (
    ScopeItem.id,
    ScopeItem.agreement.as_alias("agreement_id"),
    ScopeItem.kind,
    ScopeItem.title,
    ScopeItem.description,
    ScopeItem.lead_organisation.as_alias("lead_organisation_id"),
    ScopeItem.status,
    ScopeItem.due_date,
)


async def parties_of(agreement_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The parties of several agreements in one query, in their order."""
    by_agreement: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if not agreement_ids:
        return by_agreement
    rows = (
        await AgreementParty.select(
            AgreementParty.id,
            AgreementParty.agreement.as_alias("agreement_id"),
            AgreementParty.organisation.as_alias("organisation_id"),
            AgreementParty.organisation.name.as_alias("organisation_name"),
            AgreementParty.organisation.short_name.as_alias("organisation_short_name"),
            AgreementParty.role,
            AgreementParty.signatory.as_alias("signatory_id"),
        )
        .where(AgreementParty.agreement.is_in(agreement_ids))
        .order_by(AgreementParty.agreement)
        .order_by(AgreementParty.position)
    )
    for row in rows:
        by_agreement[row.pop("agreement_id")].append(row)
    return by_agreement


async def agreement_get(*, user: CurrentUser, agreement_id: int) -> schemas.Agreement:
    query = Agreement.select(*DETAIL_COLUMNS).where(Agreement.id == agreement_id)
    clause = await visible_agreements_clause(user)
    row = await (query.where(clause) if clause is not None else query).first()
    if row is None:
        raise errors.NotFound(errors.NOT_FOUND.format(entity="agreement"))
    row["parties"] = (await parties_of([agreement_id]))[agreement_id]
    row["scope_items"] = (
        await ScopeItem.select(*SCOPE_COLUMNS)
        .where(ScopeItem.agreement == agreement_id)
        .order_by(ScopeItem.position)
        .order_by(ScopeItem.id)
    )
    return msgspec.convert(row, schemas.Agreement)


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
    visible = await visible_agreements_clause(user)
    where: list[Any] = [] if visible is None else [visible]
    if stage is not None:
        where.append(Agreement.stage == stage)
    if organisation_id is not None:
        where.append(
            Agreement.id.is_in(
                AgreementParty.select(AgreementParty.agreement).where(
                    AgreementParty.organisation == organisation_id
                )
            )
        )
    if q:
        where.append(contains(Agreement.title, q) | contains(Agreement.reference_number, q))
    if expiring_within_days is not None:
        today = dt.date.today()
        where.append(Agreement.end_date >= today)
        where.append(Agreement.end_date <= today + dt.timedelta(days=expiring_within_days))
    query = Agreement.select(*SUMMARY_COLUMNS).order_by(Agreement.id, ascending=False)
    count = Agreement.count()
    for clause in where:
        query, count = query.where(clause), count.where(clause)
    rows = await query.limit(limit).offset(offset)
    parties = await parties_of([row["id"] for row in rows])
    for row in rows:
        row["parties"] = parties[row["id"]]
    return schemas.AgreementPage(
        items=msgspec.convert(rows, list[schemas.AgreementSummary]),
        total=await count,
        limit=limit,
        offset=offset,
    )


async def scope_item_get(*, user: CurrentUser, scope_item_id: int) -> schemas.ScopeItem:
    query = ScopeItem.select(*SCOPE_COLUMNS).where(ScopeItem.id == scope_item_id)
    clause = await visible_agreements_clause(user)
    if clause is not None:
        query = query.where(ScopeItem.agreement.is_in(Agreement.select(Agreement.id).where(clause)))
    row = await query.first()
    if row is None:
        raise errors.NotFound(errors.NOT_FOUND.format(entity="scope item"))
    return msgspec.convert(row, schemas.ScopeItem)
