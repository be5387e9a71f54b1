"""Reads of agreements: one query per kind of row, however many rows a page holds."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import msgspec

from mou import errors
from mou.agreements import queries, schemas
from mou.agreements.listing import agreement_list
from mou.agreements.tables import Agreement, AgreementParty, Approval, ScopeItem, StageChange
from mou.agreements.workflow import WITNESS
from mou.caller import CurrentUser
from mou.paging import offset_check, page_cut, rows_after
from mou.policy import managed_organisations, visible_agreements_clause

__all__ = ["agreement_list"]

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
    for row in await queries.party_rows_of(agreement_ids):
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


async def scope_item_get(*, user: CurrentUser, scope_item_id: int) -> schemas.ScopeItem:
    query = ScopeItem.select(*SCOPE_COLUMNS).where(ScopeItem.id == scope_item_id)
    clause = await visible_agreements_clause(user, ScopeItem.agreement)
    if clause is not None:
        query = query.where(clause)
    row = await query.first()
    if row is None:
        raise errors.NotFound(errors.NOT_FOUND.format(entity="scope item"))
    return msgspec.convert(row, schemas.ScopeItem)


#: The name ``mou.paging`` gives the waiting approvals' cursors: (agreement, position, party).
WAITING_CURSOR = "waiting"


def _waiting_key(row: dict[str, Any]) -> tuple[int, int, int]:
    return (row["agreement_id"], row["_position"], row["party_id"])


async def _review_since(agreement_ids: list[int]) -> dict[int, Any]:
    """When each agreement last went into review, in one query."""
    changes = await StageChange.select(
        StageChange.agreement.as_alias("agreement_id"), StageChange.at
    ).where(StageChange.agreement.is_in(agreement_ids or [0]), StageChange.to_stage == "review")
    since: dict[int, Any] = {}
    for change in changes:
        current = since.get(change["agreement_id"])
        if current is None or change["at"] > current:
            since[change["agreement_id"]] = change["at"]
    return since


async def approvals_waiting(
    *, user: CurrentUser, limit: int, offset: int, cursor: str | None = None
) -> schemas.WaitingApprovalPage:
    """Parties ``user`` decides for whose approval of an agreement in review is missing."""
    offset_check(offset=offset, cursor=cursor)
    managed = await managed_organisations(user)
    query = AgreementParty.select(
        AgreementParty.agreement.as_alias("agreement_id"),
        AgreementParty.agreement.reference_number.as_alias("reference_number"),
        AgreementParty.agreement.title.as_alias("title"),
        AgreementParty.agreement.version.as_alias("version"),
        AgreementParty.agreement.approval_round.as_alias("approval_round"),
        AgreementParty.id.as_alias("party_id"),
        AgreementParty.organisation.as_alias("organisation_id"),
        AgreementParty.organisation.name.as_alias("organisation_name"),
        AgreementParty.position.as_alias("_position"),
    ).where(AgreementParty.agreement.stage == "review", AgreementParty.role != WITNESS)
    if managed is not None:
        query = query.where(AgreementParty.organisation.is_in(list(managed) or [0]))
    rows = (
        await query.order_by(AgreementParty.agreement)
        .order_by(AgreementParty.position)
        .order_by(AgreementParty.id)
    )
    approvals = await Approval.select(Approval.party, Approval.approval_round).where(
        Approval.agreement.is_in([row["agreement_id"] for row in rows] or [0])
    )
    done = {(a["party"], a["approval_round"]) for a in approvals}
    waiting = [row for row in rows if (row["party_id"], row["approval_round"]) not in done]
    after = rows_after(WAITING_CURSOR, waiting, _waiting_key, (int, int, int), cursor)
    page, next_cursor = page_cut(
        WAITING_CURSOR, after[offset : offset + limit + 1], limit, _waiting_key
    )
    # Only the page's rows: what the page shows costs what the page costs.
    since = await _review_since([row["agreement_id"] for row in page])
    for row in page:
        row["waiting_since"] = since.get(row["agreement_id"])
    return schemas.WaitingApprovalPage(
        items=msgspec.convert(page, list[schemas.WaitingApproval]),
        total=len(waiting),
        total_exact=True,
        limit=limit,
        offset=offset,
        next_cursor=next_cursor,
    )
