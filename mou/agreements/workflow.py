"""The agreement stage machine, as pure data and functions (no I/O).

``decide(state, actor, request)`` answers what an action does to an agreement as it stands,
or raises the ``mou.errors`` exception that refuses it: ``Forbidden`` when the actor's role
(or the parties they decide for) may not take it, ``Conflict`` when the agreement's stage or
record does not allow it, ``InvalidInput`` when the request lacks what the action needs.

Witnesses sign but never approve or decide: approval needs a manager of every *principal*
(non-witness) party, and the manager-level actions need a manager of a principal party.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace

from mou import errors
from mou.caller import MANAGERS, SYSTEM, WRITERS, Role
from mou.i18n import N_

STAGES = ("draft", "review", "approved", "signed", "active", "expired", "terminated", "cancelled")
ACTIONS = (
    "submit",
    "return",
    "approve",
    "sign",
    "activate",
    "expire",
    "terminate",
    "cancel",
    "renew",
)
#: ``system`` is the service itself (the periodic job, ``mou tick``); people have the others.
ROLES = (*Role, SYSTEM)
#: Stages after which nothing changes except through renewal.
CLOSED_STAGES = frozenset({"expired", "terminated", "cancelled"})
#: The only stage in which an agreement's own fields may change.
EDITABLE_STAGES = frozenset({"draft"})
#: A party may still change who signs for it until the agreement is signed.
SIGNATORY_STAGES = frozenset({"draft", "review", "approved"})
WITNESS = "witness"

_SYSTEM = frozenset({SYSTEM})

ROLE_MAY_NOT = "A {role} may not {action} an agreement."
STAGE_MAY_NOT = "An agreement in {stage} cannot be {action}: {allowed}."
NOT_YOUR_PARTY = N_("Only a manager of a party (or of an organisation above it) may do this.")
NO_PRINCIPAL_PARTY = N_("An agreement needs a party other than witnesses before review.")
ALREADY_APPROVED = N_("This party has already approved in this round.")
WITNESS_APPROVES = N_("Witnesses do not approve; they sign.")
NOT_A_PARTY = N_("this organisation is not a party to the agreement")
COMMENT_REQUIRED = N_("say why the agreement goes back to draft")
REASON_REQUIRED = N_("give the reason for terminating")
SIGNED_ON_REQUIRED = N_("give the date the agreement was signed")
SIGNED_ON_FUTURE = N_("must not be after today")
SIGNATORY_MISSING = "Every party needs a signatory before signing; {names} has none."
NOT_STARTED = N_("The start date has not been reached.")
NOT_ENDED = N_("The end date has not passed.")
ALREADY_RENEWED = N_("The agreement already has a renewal that is not cancelled.")


@dataclass(frozen=True, slots=True)
class Transition:
    action: str
    from_stage: str
    #: For ``approve``, the stage reached when the last principal party approves.
    to_stage: str
    roles: frozenset[str]

    @property
    def for_party_managers(self) -> bool:
        """A decision of the parties' managers, not a liaison's paperwork."""
        return Role.LIAISON not in self.roles


TRANSITIONS = (
    Transition("submit", "draft", "review", WRITERS),
    Transition("return", "review", "draft", MANAGERS),
    Transition("approve", "review", "approved", MANAGERS),
    Transition("sign", "approved", "signed", MANAGERS),
    Transition("activate", "signed", "active", MANAGERS | _SYSTEM),
    Transition("expire", "active", "expired", _SYSTEM),
    Transition("terminate", "active", "terminated", MANAGERS),
    Transition("cancel", "draft", "cancelled", WRITERS),
    Transition("cancel", "review", "cancelled", MANAGERS),
    # The renewed agreement keeps its stage; the renewal is a new draft.
    Transition("renew", "active", "active", WRITERS),
    Transition("renew", "expired", "expired", WRITERS),
)


@dataclass(frozen=True, slots=True)
class Party:
    id: int
    organisation_id: int
    role: str
    signatory_id: int | None = None

    @property
    def is_principal(self) -> bool:
        return self.role != WITNESS


@dataclass(frozen=True, slots=True)
class State:
    """What the rules need to know about one agreement."""

    stage: str
    parties: tuple[Party, ...]
    #: Ids of the parties that approved in the current round.
    approved: frozenset[int] = frozenset()
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    signed_on: dt.date | None = None
    #: A renewal of this agreement exists and is not cancelled.
    renewed: bool = False


@dataclass(frozen=True, slots=True)
class Actor:
    role: str
    #: Organisations the actor decides for: their own and those below it; None for any.
    manages: frozenset[int] | None = None

    def decides_for(self, party: Party) -> bool:
        return self.manages is None or party.organisation_id in self.manages


@dataclass(frozen=True, slots=True)
class Request:
    action: str
    today: dt.date
    comment: str = ""
    signed_on: dt.date | None = None
    #: For ``approve``: the party to approve for, when the actor decides for several.
    organisation_id: int | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    action: str
    from_stage: str
    to_stage: str
    #: ``approve``: the party whose approval is recorded.
    party_id: int | None = None
    #: ``sign``: the date recorded on the agreement.
    signed_on: dt.date | None = None
    #: ``return``: the approvals so far stay as evidence; a new round starts.
    new_round: bool = False

    @property
    def records_stage_change(self) -> bool:
        """Every action writes a stage change except an approval that leaves others pending."""
        return self.action != "approve" or self.to_stage != self.from_stage


def is_alive(stage: str) -> bool:
    """Scope progress, meetings and action items may still change."""
    return stage not in CLOSED_STAGES


def is_editable(stage: str) -> bool:
    return stage in EDITABLE_STAGES


def transition_for(stage: str, action: str, role: str) -> Transition:
    """The transition ``role`` may take; ``Forbidden`` for the role, ``Conflict`` for the stage."""
    candidates = [t for t in TRANSITIONS if t.action == action]
    if not any(role in t.roles for t in candidates):
        raise errors.Forbidden(ROLE_MAY_NOT.format(role=role, action=action))
    here = [t for t in candidates if t.from_stage == stage]
    if not here:
        allowed = "only from " + " or ".join(t.from_stage for t in candidates)
        raise errors.Conflict(
            STAGE_MAY_NOT.format(stage=stage, action=_past(action), allowed=allowed)
        )
    if role not in here[0].roles:
        raise errors.Forbidden(ROLE_MAY_NOT.format(role=role, action=action) + f" in {stage}")
    return here[0]


def decide(state: State, actor: Actor, request: Request) -> Decision:
    """The effect of ``request`` by ``actor`` on an agreement in ``state``, or the refusal."""
    transition = transition_for(state.stage, request.action, actor.role)
    principals = [p for p in state.parties if p.is_principal]
    if transition.for_party_managers and not any(actor.decides_for(p) for p in principals):
        raise errors.Forbidden(NOT_YOUR_PARTY)
    decision = Decision(request.action, transition.from_stage, transition.to_stage)
    condition = _CONDITIONS.get(request.action)
    return condition(state, actor, request, decision) if condition else decision


def actions_allowed(state: State, actor: Actor, today: dt.date) -> tuple[str, ...]:
    """The actions ``actor`` may take on ``state`` now, in the table's order: what a page
    offers as buttons. Input the person still types (a reason, a date) counts as given."""
    allowed: list[str] = []
    for action in ACTIONS:
        request = Request(action=action, today=today, comment="-", signed_on=today)
        try:
            decide(state, actor, request)
        except errors.DomainError:
            continue
        allowed.append(action)
    return tuple(allowed)


def _submit(state: State, _: Actor, __: Request, decision: Decision) -> Decision:
    if not any(p.is_principal for p in state.parties):
        raise errors.Conflict(NO_PRINCIPAL_PARTY)
    return decision


def _return(_: State, __: Actor, request: Request, decision: Decision) -> Decision:
    if not request.comment.strip():
        raise errors.InvalidInput("comment", COMMENT_REQUIRED)
    return replace(decision, new_round=True)


def _approve(state: State, actor: Actor, request: Request, decision: Decision) -> Decision:
    party = _approving_party(state, actor, request.organisation_id)
    pending = [p for p in state.parties if p.is_principal and p.id not in state.approved]
    last = [p.id for p in pending] == [party.id]
    return replace(decision, party_id=party.id, to_stage=decision.to_stage if last else state.stage)


def _approving_party(state: State, actor: Actor, organisation_id: int | None) -> Party:
    if organisation_id is not None:
        party = next((p for p in state.parties if p.organisation_id == organisation_id), None)
        if party is None:
            raise errors.InvalidInput("organisation_id", NOT_A_PARTY)
        if not party.is_principal:
            raise errors.Conflict(WITNESS_APPROVES)
        if not actor.decides_for(party):
            raise errors.Forbidden(NOT_YOUR_PARTY)
        if party.id in state.approved:
            raise errors.Conflict(ALREADY_APPROVED)
        return party
    mine = [p for p in state.parties if p.is_principal and actor.decides_for(p)]
    pending = [p for p in mine if p.id not in state.approved]
    if not pending:
        raise errors.Conflict(ALREADY_APPROVED)
    return pending[0]


def _sign(state: State, _: Actor, request: Request, decision: Decision) -> Decision:
    if request.signed_on is None:
        raise errors.InvalidInput("signed_on", SIGNED_ON_REQUIRED)
    if request.signed_on > request.today:
        raise errors.InvalidInput("signed_on", SIGNED_ON_FUTURE)
    unsigned = [p for p in state.parties if p.signatory_id is None]
    if unsigned:
        names = ", ".join(f"organisation {p.organisation_id}" for p in unsigned)
        raise errors.Conflict(SIGNATORY_MISSING.format(names=names))
    return replace(decision, signed_on=request.signed_on)


def _activate(state: State, actor: Actor, request: Request, decision: Decision) -> Decision:
    # A manager may activate early; the system waits for the start (or signing) date.
    start = state.start_date or state.signed_on
    if actor.role == SYSTEM and (start is None or start > request.today):
        raise errors.Conflict(NOT_STARTED)
    return decision


def _expire(state: State, _: Actor, request: Request, decision: Decision) -> Decision:
    if state.end_date is None or state.end_date >= request.today:
        raise errors.Conflict(NOT_ENDED)
    return decision


def _terminate(_: State, __: Actor, request: Request, decision: Decision) -> Decision:
    if not request.comment.strip():
        raise errors.InvalidInput("comment", REASON_REQUIRED)
    return decision


def _renew(state: State, _: Actor, __: Request, decision: Decision) -> Decision:
    if state.renewed:
        raise errors.Conflict(ALREADY_RENEWED)
    return decision


_CONDITIONS: dict[str, Callable[[State, Actor, Request, Decision], Decision]] = {
    "submit": _submit,
    "return": _return,
    "approve": _approve,
    "sign": _sign,
    "activate": _activate,
    "expire": _expire,
    "terminate": _terminate,
    "renew": _renew,
}


def _past(action: str) -> str:
    irregular = {"submit": "submitted", "return": "returned", "cancel": "cancelled"}
    return irregular.get(action, action.removesuffix("e") + "ed")
