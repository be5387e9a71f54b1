"""Writes of agreements and scope items, each in one transaction with its audit event."""

from __future__ import annotations

import datetime as dt
from typing import Any

from mou import errors
from mou.accounts.schemas import CurrentUser
from mou.agreements import schemas, workflow
from mou.agreements.selectors import agreement_get, scope_item_get
from mou.agreements.signatories import signatories_chosen
from mou.agreements.tables import Agreement, AgreementParty, Approval, ScopeItem
from mou.audit import audited
from mou.parties.tables import Organisation
from mou.policy import may_act_for, require_agreement_visible
from mou.references import require_row, require_visible_agreement
from mou.schemas import changed_fields
from mou.versions import write_if_version

NOT_EDITABLE = "an agreement's own fields change only in draft; it is {stage}"
CLOSED = "the agreement is {stage}; nothing changes except through renewal"
END_BEFORE_START = "must not be before start_date"
PARTY_TWICE = "this organisation is already a party"
PARTY_HAS_APPROVED = "a party that approved in an earlier round cannot be removed"
OWN_PARTY_MISSING = "your organisation, or one above or below it, must be a party"
LEAD_NOT_PARTY = "the lead organisation must be a party to the agreement"


async def _check_parties(parties: list[schemas.PartyIn]) -> None:
    seen: set[int] = set()
    for index, party in enumerate(parties):
        field = f"parties[{index}]"
        if party.organisation_id in seen:
            raise errors.InvalidInput(f"{field}.organisation_id", PARTY_TWICE)
        seen.add(party.organisation_id)
        await require_row(Organisation, party.organisation_id, field=f"{field}.organisation_id")


async def _require_own_party(user: CurrentUser, parties: list[schemas.PartyIn]) -> None:
    # Otherwise the caller would create an agreement they could not see.
    if not await may_act_for(user, [p.organisation_id for p in parties]):
        raise errors.InvalidInput("parties", OWN_PARTY_MISSING)


def _check_dates(start: dt.date | None, end: dt.date | None) -> None:
    if start is not None and end is not None and end < start:
        raise errors.InvalidInput("end_date", END_BEFORE_START)


async def _save_parties(
    agreement_id: int, parties: list[schemas.PartyIn], signatories: list[int | None]
) -> None:
    await AgreementParty.insert(
        *(
            AgreementParty(
                agreement=agreement_id,
                organisation=p.organisation_id,
                role=p.role,
                signatory=signatory,
                position=i,
            )
            for i, (p, signatory) in enumerate(zip(parties, signatories, strict=True))
        )
    )


async def _replace_parties(
    agreement_id: int, parties: list[schemas.PartyIn], signatories: list[int | None]
) -> None:
    """Keep the rows of organisations that stay (approvals point at them), drop the rest."""
    current = {
        row["organisation"]: row["id"]
        for row in await AgreementParty.select(
            AgreementParty.id, AgreementParty.organisation
        ).where(AgreementParty.agreement == agreement_id)
    }
    wanted = {p.organisation_id for p in parties}
    removed = [pid for org, pid in current.items() if org not in wanted]
    if removed and await Approval.exists().where(Approval.party.is_in(removed)):
        raise errors.Conflict(PARTY_HAS_APPROVED)
    if removed:
        await AgreementParty.delete().where(AgreementParty.id.is_in(removed))
    for position, (party, signatory) in enumerate(zip(parties, signatories, strict=True)):
        values: dict[Any, Any] = {
            "role": party.role,
            "signatory": signatory,
            "position": position,
        }
        if party.organisation_id in current:
            await AgreementParty.update(values).where(
                AgreementParty.id == current[party.organisation_id]
            )
        else:
            await AgreementParty.insert(
                AgreementParty(
                    {
                        AgreementParty.agreement: agreement_id,
                        AgreementParty.organisation: party.organisation_id,
                        **values,
                    }
                )
            )


async def agreement_create(
    *, user: CurrentUser, data: schemas.AgreementCreate
) -> schemas.Agreement:
    _check_dates(data.start_date, data.end_date)
    async with audited(
        actor_id=user.actor_id,
        action="create",
        entity="agreement",
        read=lambda agreement_id: agreement_get(user=user, agreement_id=agreement_id),
    ) as write:
        await require_visible_agreement(user, data.parent_id, field="parent_id")
        await _check_parties(data.parties)
        await _require_own_party(user, data.parties)
        signatories = await signatories_chosen(user, data.parties, {})
        row = Agreement(
            reference_number=data.reference_number,
            title=data.title,
            kind=data.kind,
            purpose=data.purpose,
            stage="draft",
            start_date=data.start_date,
            end_date=data.end_date,
            parent=data.parent_id,
            created_by=user.actor_id,
        )
        await row.save()
        await _save_parties(row.id, data.parties, signatories)
        write.entity_id = row.id
    return write.after


async def agreement_update(
    *, user: CurrentUser, agreement_id: int, expected_version: int, data: schemas.AgreementUpdate
) -> schemas.Agreement:
    values = changed_fields(data, {"parent_id": "parent"})
    parties = values.pop("parties", None)
    async with audited(
        actor_id=user.actor_id,
        action="update",
        entity="agreement",
        entity_id=agreement_id,
        read=lambda agreement_id: agreement_get(user=user, agreement_id=agreement_id),
    ) as write:
        before = write.before
        if not workflow.is_editable(before.stage):
            raise errors.Conflict(NOT_EDITABLE.format(stage=before.stage))
        _check_dates(
            values.get("start_date", before.start_date), values.get("end_date", before.end_date)
        )
        if values.get("parent") == agreement_id:
            raise errors.InvalidInput("parent_id", "an agreement cannot implement itself")
        await require_visible_agreement(user, values.get("parent"), field="parent_id")
        if parties is not None:
            await _check_parties(parties)
            await _require_own_party(user, parties)
            stored = {p.organisation_id: p.signatory_id for p in before.parties}
            signatories = await signatories_chosen(user, parties, stored)
        await write_if_version(
            Agreement, agreement_id, expected=expected_version, values=values, entity="agreement"
        )
        if parties is not None:
            await _replace_parties(agreement_id, parties, signatories)
    return write.after


async def agreement_require_alive(user: CurrentUser, agreement_id: int) -> None:
    """``NotFound`` for a missing or invisible agreement, ``Conflict`` for a closed one."""
    await require_agreement_visible(user, agreement_id)
    row = await Agreement.select(Agreement.stage).where(Agreement.id == agreement_id).first()
    if row is None:
        raise errors.NotFound(errors.NOT_FOUND.format(entity="agreement"))
    if not workflow.is_alive(row["stage"]):
        raise errors.Conflict(CLOSED.format(stage=row["stage"]))


async def _check_lead(agreement_id: int, lead_id: int | None) -> None:
    if lead_id is None:
        return
    await require_row(Organisation, lead_id, field="lead_organisation_id")
    is_party = await AgreementParty.exists().where(
        (AgreementParty.agreement == agreement_id) & (AgreementParty.organisation == lead_id)
    )
    if not is_party:
        raise errors.InvalidInput("lead_organisation_id", LEAD_NOT_PARTY)


async def scope_item_create(
    *, user: CurrentUser, agreement_id: int, data: schemas.ScopeItemCreate
) -> schemas.ScopeItem:
    async with audited(
        actor_id=user.actor_id,
        action="create",
        entity="scope_item",
        read=lambda scope_item_id: scope_item_get(user=user, scope_item_id=scope_item_id),
    ) as write:
        await agreement_require_alive(user, agreement_id)
        await _check_lead(agreement_id, data.lead_organisation_id)
        position = await ScopeItem.count().where(ScopeItem.agreement == agreement_id)
        row = ScopeItem(
            agreement=agreement_id,
            kind=data.kind,
            title=data.title,
            description=data.description,
            lead_organisation=data.lead_organisation_id,
            status=data.status,
            due_date=data.due_date,
            position=position,
        )
        await row.save()
        write.entity_id = row.id
    return write.after


async def scope_item_update(
    *, user: CurrentUser, scope_item_id: int, data: schemas.ScopeItemUpdate
) -> schemas.ScopeItem:
    values = changed_fields(data, {"lead_organisation_id": "lead_organisation"})
    async with audited(
        actor_id=user.actor_id,
        action="update",
        entity="scope_item",
        entity_id=scope_item_id,
        read=lambda scope_item_id: scope_item_get(user=user, scope_item_id=scope_item_id),
    ) as write:
        agreement_id = write.before.agreement_id
        await agreement_require_alive(user, agreement_id)
        if "lead_organisation" in values:
            await _check_lead(agreement_id, values["lead_organisation"])
        if values:
            await ScopeItem.update(values).where(ScopeItem.id == scope_item_id)
    return write.after
