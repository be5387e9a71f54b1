"""Every (stage, action, role) against the database: allowed ones write, refused ones don't."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from mou import errors
from mou.agreements import workflow
from mou.agreements.actions import agreement_act
from mou.agreements.schemas import ActionRequest
from mou.agreements.tables import Agreement, Approval, StageChange
from mou.audit.tables import AuditEvent
from mou.caller import CurrentUser
from tests.conftest import Actors
from tests.integration.workflow_cast import TODAY, make_cast
from tests.unit.test_workflow import ALLOWED

DAY = dt.timedelta(days=1)
PLAYERS = {
    "admin": "admin",
    "manager": "manager_a",
    "liaison": "liaison_a",
    "viewer": "viewer_a",
    "system": None,
}


async def _written(agreement_id: int) -> tuple[int, ...]:
    version = await Agreement.select(Agreement.version).where(Agreement.id == agreement_id)
    return (
        await StageChange.count().where(StageChange.agreement == agreement_id),
        await Approval.count().where(Approval.agreement == agreement_id),
        await AuditEvent.count(),
        await Agreement.count(),
        version[0]["version"],
    )


@pytest.mark.parametrize("stage", workflow.STAGES)
async def test_every_action_and_role_in_stage_writes_only_when_allowed(
    actors: Actors, stage: str
) -> None:
    cast = await make_cast(actors)
    users = {
        role: cast.users[name] if name else CurrentUser.system() for role, name in PLAYERS.items()
    }
    for action, role in itertools.product(workflow.ACTIONS, workflow.ROLES):
        # Every condition met: signatories, start and end dates passed, a comment, a date.
        agreement_id = await cast.agreement(stage, parties="abw", end=TODAY - DAY)
        before = await _written(agreement_id)
        roles, to_stage = ALLOWED.get((stage, action), ((), ""))
        label = f"{stage} {action} by {role}"
        call = agreement_act(
            user=users[role],
            agreement_id=agreement_id,
            action=action,
            expected_version=1,
            data=ActionRequest(comment="Alasan tertulis", signed_on=TODAY),
        )
        if role not in roles:
            with pytest.raises((errors.Forbidden, errors.Conflict)):
                await call
            assert await _written(agreement_id) == before, label
            continue
        await call
        stage_now = await Agreement.select(Agreement.stage).where(Agreement.id == agreement_id)
        assert stage_now[0]["stage"] == to_stage, label
        changes, approvals, events, agreements, version = await _written(agreement_id)
        approving = action == "approve"
        assert changes == before[0] + (0 if approving else 1), label
        assert approvals == before[1] + (1 if approving else 0), label
        renewing = action == "renew"
        assert events == before[2] + (2 if renewing else 1), label
        assert agreements == before[3] + (1 if renewing else 0), label
        assert version == before[4] + 1, label
