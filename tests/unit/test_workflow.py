"""The pure stage machine: every (stage, action, role), and each action's conditions."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mou import errors
from mou.agreements import workflow
from mou.agreements.workflow import Actor, Party, Request, State

TODAY = dt.date(2024, 6, 1)
A, B, W = (
    Party(1, 101, "first_party", 11),
    Party(2, 102, "second_party", 12),
    Party(3, 103, "witness", 13),
)
#: Every condition met: signatories, start and end in the past, a comment, a signing date.
GOOD = State(
    stage="draft",
    parties=(A, B, W),
    start_date=TODAY - dt.timedelta(days=30),
    end_date=TODAY - dt.timedelta(days=1),
    signed_on=TODAY - dt.timedelta(days=31),
)
ACTORS = {
    "admin": Actor("admin", None),
    "manager": Actor("manager", frozenset({101})),
    "liaison": Actor("liaison", frozenset({101})),
    "viewer": Actor("viewer", frozenset({101})),
    "system": Actor("system", None),
}

# Written out by hand from DESIGN.md, not derived from workflow.TRANSITIONS.
PEOPLE = ("admin", "manager", "liaison")
MANAGERS = ("admin", "manager")
ALLOWED: dict[tuple[str, str], tuple[tuple[str, ...], str]] = {
    ("draft", "submit"): (PEOPLE, "review"),
    ("review", "return"): (MANAGERS, "draft"),
    # B has not approved yet, so the first approval leaves the agreement in review.
    ("review", "approve"): (MANAGERS, "review"),
    ("approved", "sign"): (MANAGERS, "signed"),
    ("signed", "activate"): ((*MANAGERS, "system"), "active"),
    ("active", "expire"): (("system",), "expired"),
    ("active", "terminate"): (MANAGERS, "terminated"),
    ("draft", "cancel"): (PEOPLE, "cancelled"),
    ("review", "cancel"): (MANAGERS, "cancelled"),
    ("active", "renew"): (PEOPLE, "active"),
    ("expired", "renew"): (PEOPLE, "expired"),
}


def _request(action: str, **fields: object) -> Request:
    values: dict[str, object] = {"comment": "Alasan tertulis", "signed_on": TODAY, **fields}
    return Request(action=action, today=TODAY, **values)  # type: ignore[arg-type]


def _expected_refusal(stage: str, action: str, role: str) -> type[errors.DomainError]:
    roles_for_action = {r for (_, a), (roles, _) in ALLOWED.items() if a == action for r in roles}
    if role not in roles_for_action:
        return errors.Forbidden
    if (stage, action) not in ALLOWED:
        return errors.Conflict
    return errors.Forbidden


def test_tables_name_every_stage_action_and_role() -> None:
    assert set(workflow.STAGES) == {s for s, _ in ALLOWED} | {"terminated", "cancelled"}
    assert set(workflow.ACTIONS) == {a for _, a in ALLOWED}
    assert workflow.ROLES == ("admin", "manager", "liaison", "viewer", "system")


@pytest.mark.parametrize(
    ("stage", "action", "role"),
    list(itertools.product(workflow.STAGES, workflow.ACTIONS, workflow.ROLES)),
)
def test_decide_allows_exactly_the_table(stage: str, action: str, role: str) -> None:
    state = _with_stage(stage)
    roles, to_stage = ALLOWED.get((stage, action), ((), ""))
    if role in roles:
        decision = workflow.decide(state, ACTORS[role], _request(action))
        assert (decision.from_stage, decision.to_stage) == (stage, to_stage)
    else:
        with pytest.raises(_expected_refusal(stage, action, role)):
            workflow.decide(state, ACTORS[role], _request(action))


def _with_stage(stage: str, **fields: object) -> State:
    return replace(GOOD, stage=stage, **fields)  # type: ignore[arg-type]


def test_approve_by_the_last_party_moves_to_approved() -> None:
    state = _with_stage("review", approved=frozenset({A.id}))
    manager_b = Actor("manager", frozenset({102}))
    decision = workflow.decide(state, manager_b, _request("approve"))
    assert (decision.to_stage, decision.party_id) == ("approved", B.id)
    assert decision.records_stage_change


def test_approve_not_last_records_no_stage_change() -> None:
    decision = workflow.decide(_with_stage("review"), ACTORS["manager"], _request("approve"))
    assert (decision.to_stage, decision.party_id) == ("review", A.id)
    assert not decision.records_stage_change


def test_approve_twice_by_the_same_party_is_a_conflict() -> None:
    state = _with_stage("review", approved=frozenset({A.id}))
    with pytest.raises(errors.Conflict, match=workflow.ALREADY_APPROVED):
        workflow.decide(state, ACTORS["manager"], _request("approve"))


def test_witnesses_do_not_approve_and_are_not_waited_for() -> None:
    manager_w = Actor("manager", frozenset({103}))
    with pytest.raises(errors.Forbidden, match="manager of a party"):
        workflow.decide(_with_stage("review"), manager_w, _request("approve"))
    with pytest.raises(errors.Conflict, match=workflow.WITNESS_APPROVES):
        workflow.decide(
            _with_stage("review"), ACTORS["admin"], _request("approve", organisation_id=103)
        )
    both = workflow.decide(
        _with_stage("review", approved=frozenset({A.id})), ACTORS["admin"], _request("approve")
    )
    assert both.to_stage == "approved"


def test_a_manager_above_decides_for_a_party_below_but_not_the_reverse() -> None:
    commission = Actor("manager", frozenset({100, 101, 102}))
    first = workflow.decide(_with_stage("review"), commission, _request("approve"))
    assert first.party_id == A.id
    chosen = workflow.decide(
        _with_stage("review"), commission, _request("approve", organisation_id=102)
    )
    assert chosen.party_id == B.id
    bureau = Actor("manager", frozenset({999}))
    with pytest.raises(errors.Forbidden):
        workflow.decide(_with_stage("review"), bureau, _request("approve"))
    with pytest.raises(errors.Forbidden):
        workflow.decide(
            _with_stage("review"), ACTORS["manager"], _request("approve", organisation_id=102)
        )


def test_approve_for_an_organisation_that_is_no_party_is_invalid() -> None:
    with pytest.raises(errors.InvalidInput) as refused:
        workflow.decide(
            _with_stage("review"), ACTORS["admin"], _request("approve", organisation_id=555)
        )
    assert refused.value.errors[0].field == "organisation_id"


@pytest.mark.parametrize("stage", ["return", "sign", "activate", "terminate"])
def test_manager_of_no_party_may_not_decide(stage: str) -> None:
    stages = {"return": "review", "sign": "approved", "activate": "signed", "terminate": "active"}
    outsider = Actor("manager", frozenset({999}))
    with pytest.raises(errors.Forbidden, match="manager of a party"):
        workflow.decide(_with_stage(stages[stage]), outsider, _request(stage))


@pytest.mark.parametrize(
    ("stage", "action", "field", "message"),
    [
        ("review", "return", "comment", workflow.COMMENT_REQUIRED),
        ("active", "terminate", "comment", workflow.REASON_REQUIRED),
    ],
)
def test_return_and_terminate_need_a_reason(
    stage: str, action: str, field: str, message: str
) -> None:
    with pytest.raises(errors.InvalidInput) as refused:
        workflow.decide(_with_stage(stage), ACTORS["manager"], _request(action, comment="  "))
    assert (refused.value.errors[0].field, refused.value.errors[0].message) == (field, message)


def test_return_starts_a_new_approval_round() -> None:
    decision = workflow.decide(_with_stage("review"), ACTORS["manager"], _request("return"))
    assert decision.new_round and decision.to_stage == "draft"


def test_sign_needs_a_date_not_in_the_future() -> None:
    approved = _with_stage("approved")
    for signed_on, message in [
        (None, workflow.SIGNED_ON_REQUIRED),
        (TODAY + dt.timedelta(days=1), workflow.SIGNED_ON_FUTURE),
    ]:
        with pytest.raises(errors.InvalidInput) as refused:
            workflow.decide(approved, ACTORS["manager"], _request("sign", signed_on=signed_on))
        assert refused.value.errors[0].message == message
    decision = workflow.decide(approved, ACTORS["manager"], _request("sign"))
    assert decision.signed_on == TODAY


def test_sign_needs_a_signatory_for_every_party_witnesses_too() -> None:
    unsigned = Party(3, 103, "witness", None)
    state = _with_stage("approved", parties=(A, B, unsigned))
    with pytest.raises(errors.Conflict, match="organisation 103"):
        workflow.decide(state, ACTORS["manager"], _request("sign"))


def test_system_activates_only_from_the_start_date_managers_any_time() -> None:
    later = _with_stage("signed", start_date=TODAY + dt.timedelta(days=1))
    with pytest.raises(errors.Conflict, match=workflow.NOT_STARTED):
        workflow.decide(later, ACTORS["system"], _request("activate"))
    assert workflow.decide(later, ACTORS["manager"], _request("activate")).to_stage == "active"
    on_the_day = _with_stage("signed", start_date=TODAY)
    assert workflow.decide(on_the_day, ACTORS["system"], _request("activate")).to_stage == "active"
    # Without a start date the agreement runs from its signing.
    undated = _with_stage("signed", start_date=None, signed_on=TODAY)
    assert workflow.decide(undated, ACTORS["system"], _request("activate")).to_stage == "active"


def test_system_expires_only_after_the_end_date() -> None:
    for end in (TODAY, TODAY + dt.timedelta(days=5), None):
        with pytest.raises(errors.Conflict, match=workflow.NOT_ENDED):
            workflow.decide(
                _with_stage("active", end_date=end), ACTORS["system"], _request("expire")
            )


def test_submit_needs_a_party_other_than_witnesses() -> None:
    with pytest.raises(errors.Conflict, match=workflow.NO_PRINCIPAL_PARTY):
        workflow.decide(_with_stage("draft", parties=(W,)), ACTORS["liaison"], _request("submit"))


def test_renew_only_once_while_the_renewal_lives() -> None:
    with pytest.raises(errors.Conflict, match=workflow.ALREADY_RENEWED):
        workflow.decide(_with_stage("expired", renewed=True), ACTORS["liaison"], _request("renew"))


def test_liaison_cancels_a_draft_but_not_an_agreement_in_review() -> None:
    assert workflow.decide(_with_stage("draft"), ACTORS["liaison"], _request("cancel"))
    with pytest.raises(errors.Forbidden):
        workflow.decide(_with_stage("review"), ACTORS["liaison"], _request("cancel"))


def test_editing_rules_per_stage() -> None:
    assert [s for s in workflow.STAGES if workflow.is_editable(s)] == ["draft"]
    assert [s for s in workflow.STAGES if not workflow.is_alive(s)] == [
        "expired",
        "terminated",
        "cancelled",
    ]


parties = st.lists(
    st.builds(
        Party,
        id=st.integers(1, 6),
        organisation_id=st.integers(100, 106),
        role=st.sampled_from(["first_party", "second_party", "party", "witness"]),
        signatory_id=st.none() | st.integers(1, 9),
    ),
    max_size=4,
    unique_by=(lambda p: p.id, lambda p: p.organisation_id),
).map(tuple)


@given(
    state=st.builds(
        State,
        stage=st.sampled_from(workflow.STAGES),
        parties=parties,
        approved=st.frozensets(st.integers(1, 6)),
        start_date=st.none() | st.dates(),
        end_date=st.none() | st.dates(),
        signed_on=st.none() | st.dates(),
        renewed=st.booleans(),
    ),
    actor=st.builds(
        Actor,
        role=st.sampled_from(workflow.ROLES),
        manages=st.none() | st.frozensets(st.integers(100, 106)),
    ),
    request=st.builds(
        Request,
        action=st.sampled_from(workflow.ACTIONS),
        today=st.dates(),
        comment=st.sampled_from(["", " ", "alasan"]),
        signed_on=st.none() | st.dates(),
        organisation_id=st.none() | st.integers(100, 106),
    ),
)
def test_decide_answers_a_decision_or_a_domain_error(
    state: State, actor: Actor, request: Request
) -> None:
    try:
        decision = workflow.decide(state, actor, request)
    except errors.DomainError:
        return
    assert decision.from_stage == state.stage
    assert decision.to_stage in workflow.STAGES
    if decision.party_id is not None:
        party = next(p for p in state.parties if p.id == decision.party_id)
        assert party.is_principal and party.id not in state.approved
        assert actor.decides_for(party)
    if decision.to_stage == "approved":
        principals = {p.id for p in state.parties if p.is_principal}
        assert principals <= state.approved | {decision.party_id}
