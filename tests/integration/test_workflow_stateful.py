"""Random sequences of actions by random users against the real service keep the invariants.

After every step: the history replays to the current stage, approvals never exceed the
parties, versions only grow, and the audit chain holds. Each example runs in a transaction
that is rolled back; the people are made once, committed.
"""

from __future__ import annotations

import asyncio
import contextvars
import datetime as dt
import itertools
from collections import Counter
from collections.abc import Awaitable
from typing import Any, ClassVar, TypeVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from mou import errors
from mou.agreements import workflow
from mou.agreements.actions import agreement_act
from mou.agreements.history import agreement_history
from mou.agreements.schemas import ActionRequest
from mou.agreements.tables import Agreement, AgreementParty, Approval, StageChange
from mou.agreements.tick import agreements_tick
from mou.audit.services import stored_event_hash
from mou.audit.tables import AuditEvent
from mou.caller import CurrentUser
from mou.db import DB, close_pool, open_pool
from mou.settings import get_settings
from tests.conftest import DATABASE, REPORT, Actors
from tests.integration.workflow_cast import ROLES, TODAY, Cast, make_cast

T = TypeVar("T")
#: Successful actions by the stage they led to, to show the walk goes deep, not just wide.
REACHED: Counter[str] = Counter()
SYSTEM = CurrentUser.system()
WHO = [*ROLES, "system"]
FORWARD = {
    "draft": "submit",
    "review": "approve",
    "approved": "sign",
    "signed": "activate",
    "active": "renew",
    "expired": "renew",
}
PLAYERS = {
    "admin": ["admin"],
    "manager": ["manager_a", "manager_b", "manager_c", "manager_w"],
    "liaison": ["liaison_a"],
    "viewer": ["viewer_a"],
    "system": ["system"],
}
DATES = st.sampled_from([None, *(TODAY + dt.timedelta(days=d) for d in (-400, -30, 0, 30, 400))])


async def audit_chain_breaks(after_id: int) -> list[int]:
    """Ids of events from ``after_id`` on whose link or hash does not hold."""
    rows = await AuditEvent.select().where(AuditEvent.id >= after_id).order_by(AuditEvent.id)
    broken = []
    for previous, event in itertools.pairwise(rows):
        if event["prev_hash"] != previous["hash"] or event["hash"] != stored_event_hash(event):
            broken.append(event["id"])
    return broken


class WorkflowMachine(RuleBasedStateMachine):
    loop: ClassVar[asyncio.AbstractEventLoop]
    cast: ClassVar[Cast]

    def __init__(self) -> None:
        super().__init__()
        # One context per example, so the transaction opened here is the one every step joins.
        self.context = contextvars.copy_context()
        self.transaction = DB.transaction()
        self.run(self.transaction.__aenter__())
        try:
            last = self.run(
                AuditEvent.select(AuditEvent.id).order_by(AuditEvent.id, ascending=False)
            )
        except BaseException:
            self.teardown()  # Hypothesis only tears down machines it finished making
            raise
        self.first_event = last[0]["id"] if last else 0
        self.versions: dict[int, int] = {}

    def run(self, awaitable: Awaitable[T]) -> T:
        async def wait() -> T:
            return await awaitable

        return self.loop.run_until_complete(self.loop.create_task(wait(), context=self.context))

    def teardown(self) -> None:
        async def rollback() -> None:
            await self.transaction.rollback()
            await self.transaction.__aexit__(None, None, None)

        self.run(rollback())

    @initialize(parties=st.sampled_from(["ab", "abw", "abc", "abcw"]), start=DATES, end=DATES)
    def create(self, parties: str, start: dt.date | None, end: dt.date | None) -> None:
        if start is not None and end is not None and end < start:
            start, end = end, start
        agreement_id = self.run(self.cast.agreement(parties=parties, start=start, end=end))
        self.versions[agreement_id] = 1

    @rule(data=st.data())
    def act(self, data: st.DataObject) -> None:
        agreement_id = data.draw(st.sampled_from(sorted(self.versions)))
        stage = self.run(self._row(agreement_id))["stage"]
        # Mostly aim at a transition the stage has, with someone who may take it, so that the
        # walk reaches signing and renewal; sometimes anything at all, by anyone.
        here = [t for t in workflow.TRANSITIONS if t.from_stage == stage]
        aim = data.draw(st.integers(0, 5))
        if here and aim:
            forward = [t for t in here if t.action == FORWARD.get(stage)]
            transition = data.draw(st.sampled_from(forward if aim > 1 and forward else here))
            action = transition.action
            who = data.draw(st.sampled_from([n for r in transition.roles for n in PLAYERS[r]]))
        else:
            action = data.draw(st.sampled_from(workflow.ACTIONS))
            who = data.draw(st.sampled_from(WHO))
        version = self.versions[agreement_id] - data.draw(st.sampled_from([0, 0, 0, 0, 1]))
        request = ActionRequest(
            comment=data.draw(st.sampled_from(["Alasan tertulis", "Alasan tertulis", ""])),
            signed_on=data.draw(st.sampled_from([TODAY, TODAY, None, TODAY + dt.timedelta(3)])),
        )
        user = SYSTEM if who == "system" else self.cast.users[who]
        before = self.run(self._written(agreement_id))
        try:
            result = self.run(
                agreement_act(
                    user=user,
                    agreement_id=agreement_id,
                    action=action,
                    expected_version=version,
                    data=request,
                )
            )
        except (errors.Forbidden, errors.Conflict, errors.InvalidInput, errors.NotFound):
            assert self.run(self._written(agreement_id)) == before, "a refusal wrote"
            return
        except errors.PreconditionFailed:
            assert version != self.versions[agreement_id]
            assert self.run(self._written(agreement_id)) == before, "a refusal wrote"
            return
        REACHED[f"{action}->{result.stage}"] += 1
        if action == "renew":
            self.versions[result.id] = result.version
        else:
            assert result.version == version + 1

    @precondition(lambda self: len(self.versions) > 0)
    @rule(days=st.sampled_from([0, 40, 500]))
    def tick(self, days: int) -> None:
        self.run(agreements_tick(today=TODAY + dt.timedelta(days=days)))

    async def _written(self, agreement_id: int) -> tuple[Any, ...]:
        row = await self._row(agreement_id)
        return (
            row["stage"],
            row["version"],
            await StageChange.count().where(StageChange.agreement == agreement_id),
            await Approval.count().where(Approval.agreement == agreement_id),
            await AuditEvent.count(),
            await Agreement.count(),
        )

    async def _row(self, agreement_id: int) -> dict[str, Any]:
        rows = await Agreement.select(
            Agreement.stage, Agreement.version, Agreement.approval_round
        ).where(Agreement.id == agreement_id)
        return rows[0]

    @invariant()
    def history_replays_to_the_stage(self) -> None:
        for agreement_id in self.versions:
            history = self.run(
                agreement_history(user=SYSTEM, agreement_id=agreement_id, limit=200, offset=0)
            )
            stage = "draft"
            for entry in history.items:
                assert entry.from_stage == stage, (agreement_id, history.items)
                stage = entry.to_stage
            assert stage == self.run(self._row(agreement_id))["stage"]

    @invariant()
    def approvals_never_exceed_parties(self) -> None:
        for agreement_id in self.versions:
            principals = self.run(
                AgreementParty.count().where(
                    (AgreementParty.agreement == agreement_id)
                    & (AgreementParty.role != workflow.WITNESS)
                )
            )
            row = self.run(self._row(agreement_id))
            for round_ in range(1, row["approval_round"] + 1):
                approvals = self.run(
                    Approval.count().where(
                        (Approval.agreement == agreement_id) & (Approval.approval_round == round_)
                    )
                )
                assert approvals <= principals

    @invariant()
    def versions_only_grow(self) -> None:
        for agreement_id, seen in self.versions.items():
            current = self.run(self._row(agreement_id))["version"]
            assert current >= seen
            self.versions[agreement_id] = current

    @invariant()
    def audit_chain_holds(self) -> None:
        assert self.run(audit_chain_breaks(self.first_event)) == []


def test_random_actions_keep_the_workflow_invariants() -> None:
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(open_pool(DB, get_settings()))
        WorkflowMachine.loop = loop
        WorkflowMachine.cast = loop.run_until_complete(make_cast(Actors()))
        run_state_machine_as_test(
            WorkflowMachine,
            settings=settings(
                max_examples=50,
                stateful_step_count=30,
                deadline=None,
                # Same sequences every run: the reach assertions below must not be luck.
                derandomize=True,
                database=None,
                suppress_health_check=[HealthCheck.too_slow],
            ),
        )
    finally:
        loop.run_until_complete(close_pool(DB))
        loop.close()
    REPORT.append(f"stateful[{DATABASE.kind}] successful actions: " + _summary(REACHED))
    for reached in ("approve->approved", "sign->signed", "activate->active", "renew->draft"):
        assert REACHED[reached], REACHED


def _summary(counter: Counter[str]) -> str:
    return ", ".join(f"{key} {count}" for key, count in sorted(counter.items()))
