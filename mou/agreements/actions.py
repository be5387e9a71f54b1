"""Stage actions on agreements, each in one transaction.

The agreement's row is read under a lock before anything is decided: on PostgreSQL
``SELECT ... FOR NO KEY UPDATE``, which queues every other writer of the row (actions, PATCH)
but not inserts of rows that merely refer to it (meetings, scope items); on SQLite the
transaction's ``BEGIN IMMEDIATE`` already admits one writer at a time. So two requests never
decide on the same state. Behind the lock stand the version's compare-and-set and the unique
index on (agreement, party, approval_round), whose violation answers 409, never 500.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from mou import clock, errors
from mou.agreements import schemas, workflow
from mou.agreements.renewal import renewal_create
from mou.agreements.selectors import agreement_get
from mou.agreements.tables import Agreement, AgreementParty, Approval, StageChange
from mou.audit import audited
from mou.caller import SYSTEM, CurrentUser
from mou.db import rows_locked, unique_violation_raises
from mou.policy import managed_organisations, require_agreement_visible
from mou.versions import write_if_version

_STATE_COLUMNS = (
    Agreement.id,
    Agreement.stage,
    Agreement.version,
    Agreement.approval_round,
    Agreement.start_date,
    Agreement.end_date,
    Agreement.signed_on,
)


def actor_role(user: CurrentUser) -> str:
    """The role the workflow knows ``user`` by: the system has its own."""
    return SYSTEM if user.actor_id is None else user.role


async def agreement_act(
    *,
    user: CurrentUser,
    agreement_id: int,
    action: str,
    expected_version: int | None,
    data: schemas.ActionRequest,
    today: dt.date | None = None,
) -> schemas.Agreement:
    """Take ``action`` on the agreement, or raise and write nothing.

    ``expected_version`` is the client's ``If-Match``; only the system's own actions pass
    None and act on whatever is current. Returns the agreement, or for ``renew`` the new draft.
    """
    request = workflow.Request(
        action=action,
        today=today or clock.today(),
        comment=data.comment,
        signed_on=data.signed_on,
        organisation_id=data.organisation_id,
    )
    async with audited(
        actor_id=user.actor_id, action=action, entity="agreement", entity_id=agreement_id
    ) as write:
        await require_agreement_visible(user, agreement_id)
        current = await _locked_row(agreement_id)
        if expected_version is not None and current["version"] != expected_version:
            raise errors.PreconditionFailed(
                errors.STALE_VERSION.format(
                    entity="agreement", expected=expected_version, actual=current["version"]
                )
            )
        actor = workflow.Actor(role=actor_role(user), manages=await managed_organisations(user))
        decision = workflow.decide(await _state(current), actor, request)
        # Read under the lock, so the event shows the state this action decided on.
        write.before = await agreement_get(user=user, agreement_id=agreement_id)
        renewal, evidence = await _record(user, current, decision, data.comment)
        write.after = await agreement_get(user=user, agreement_id=agreement_id)
        # The evidence rows go into the event as written, so ``mou audit verify`` can compare them.
        write.noted.update(evidence)
        if renewal is not None:
            write.noted["renewal_id"] = renewal.id
    return renewal or write.after


@dataclass(frozen=True, slots=True)
class Standing:
    """Where an agreement stands for one user: what they may do now, and which parties have
    approved in the current round (the others are pending)."""

    actions: tuple[str, ...]
    approved_party_ids: frozenset[int]


async def agreement_standing(*, user: CurrentUser, agreement_id: int) -> Standing:
    """What ``user`` may do with the agreement now, decided by the same rules as
    ``agreement_act`` (so a page offers exactly the buttons that would succeed)."""
    await require_agreement_visible(user, agreement_id)
    row = await Agreement.select(*_STATE_COLUMNS).where(Agreement.id == agreement_id).first()
    if row is None:
        raise errors.NotFound(errors.NOT_FOUND.format(entity="agreement"))
    state = await _state(row)
    actor = workflow.Actor(role=actor_role(user), manages=await managed_organisations(user))
    return Standing(workflow.actions_allowed(state, actor, clock.today()), state.approved)


async def _locked_row(agreement_id: int) -> dict[str, Any]:
    """The agreement's row, locked until the transaction ends."""
    query = Agreement.select(*_STATE_COLUMNS).where(Agreement.id == agreement_id)
    rows = await rows_locked(query)
    if not rows:
        raise errors.NotFound(errors.NOT_FOUND.format(entity="agreement"))
    return dict(rows[0])


async def _state(row: dict[str, Any]) -> workflow.State:
    parties = (
        await AgreementParty.select(
            AgreementParty.id,
            AgreementParty.organisation,
            AgreementParty.role,
            AgreementParty.signatory,
        )
        .where(AgreementParty.agreement == row["id"])
        .order_by(AgreementParty.position)
    )
    approvals = await Approval.select(Approval.party).where(
        (Approval.agreement == row["id"]) & (Approval.approval_round == row["approval_round"])
    )
    renewed = await Agreement.exists().where(
        (Agreement.renewal_of == row["id"]) & (Agreement.stage != "cancelled")
    )
    return workflow.State(
        stage=row["stage"],
        parties=tuple(
            workflow.Party(p["id"], p["organisation"], p["role"], p["signatory"]) for p in parties
        ),
        approved=frozenset(a["party"] for a in approvals),
        start_date=row["start_date"],
        end_date=row["end_date"],
        signed_on=row["signed_on"],
        renewed=renewed,
    )


async def _record(
    user: CurrentUser, row: dict[str, Any], decision: workflow.Decision, comment: str
) -> tuple[schemas.Agreement | None, dict[str, Any]]:
    """Write what ``decision`` says. Returns the renewal's new draft when it makes one, and the
    evidence rows written (``approval``, ``stage_change``) as the audit event records them."""
    values: dict[str, Any] = {"stage": decision.to_stage}
    if decision.signed_on is not None:
        values["signed_on"] = decision.signed_on
    if decision.new_round:
        values["approval_round"] = row["approval_round"] + 1
    await write_if_version(
        Agreement, row["id"], expected=row["version"], values=values, entity="agreement"
    )
    at = dt.datetime.now(dt.UTC)
    evidence: dict[str, Any] = {}
    if decision.party_id is not None:
        evidence["approval"] = await _approval_insert(user, row, decision.party_id, comment, at)
    renewal = None
    if decision.action == "renew":
        renewal = await renewal_create(user=user, agreement_id=row["id"])
        comment = f"renewed as agreement {renewal.id}" + (f": {comment}" if comment else "")
    if decision.records_stage_change:
        evidence["stage_change"] = await _stage_change_insert(
            user, row["id"], decision, comment, at
        )
    return renewal, evidence


async def _stage_change_insert(
    user: CurrentUser,
    agreement_id: int,
    decision: workflow.Decision,
    comment: str,
    at: dt.datetime,
) -> dict[str, Any]:
    """Write the stage change; returns it as the audit event records it."""
    change = StageChange(
        agreement=agreement_id,
        from_stage=decision.from_stage,
        to_stage=decision.to_stage,
        action=decision.action,
        actor=user.actor_id,
        comment=comment,
        at=at,
    )
    await change.save()
    return {
        "id": change.id,
        "action": decision.action,
        "from_stage": decision.from_stage,
        "to_stage": decision.to_stage,
        "comment": comment,
        "at": at.isoformat(),
    }


async def _approval_insert(
    user: CurrentUser, row: dict[str, Any], party_id: int, comment: str, at: dt.datetime
) -> dict[str, Any]:
    """Write the approval; returns it as the audit event records it."""
    approval = Approval(
        agreement=row["id"],
        party=party_id,
        approval_round=row["approval_round"],
        actor=user.actor_id,
        comment=comment,
        at=at,
    )
    # Only refused if the lock above were bypassed: the index still refuses a twin.
    with unique_violation_raises(errors.Conflict(workflow.ALREADY_APPROVED)):
        await approval.save()
    return {
        "id": approval.id,
        "party_id": party_id,
        "approval_round": row["approval_round"],
        "comment": comment,
        "at": at.isoformat(),
    }
