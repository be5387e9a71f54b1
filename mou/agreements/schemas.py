from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec

from mou.schemas import Id, Input, LongText, Page, Title

Stage = Literal[
    "draft", "review", "approved", "signed", "active", "expired", "terminated", "cancelled"
]
AgreementKind = Literal["mou", "pks", "loi", "implementing_arrangement"]
PartyRole = Literal["first_party", "second_party", "party", "witness"]
ScopeKind = Literal[
    "information_sharing",
    "media_channel_sharing",
    "co_produced_content",
    "joint_event",
    "capacity_building",
    "data_exchange",
    "other",
]
ScopeStatus = Literal["planned", "in_progress", "done", "dropped"]
ReferenceNumber = Annotated[str, msgspec.Meta(max_length=100)]


class PartyIn(Input):
    organisation_id: Id
    role: PartyRole
    signatory_id: Id | None = None


class PartyUpdate(Input):
    #: A person of the party's own organisation; null clears the choice.
    signatory_id: Id | None


class Party(msgspec.Struct):
    id: int
    organisation_id: int
    organisation_name: str
    organisation_short_name: str
    role: PartyRole
    signatory_id: int | None
    #: The signatory's name and position: all a caller outside the party's tree sees of them.
    signatory_name: str | None
    signatory_position: str | None


class ScopeItem(msgspec.Struct):
    id: int
    agreement_id: int
    kind: ScopeKind
    title: str
    description: str
    lead_organisation_id: int | None
    status: ScopeStatus
    due_date: dt.date | None


class ScopeItemCreate(Input):
    kind: ScopeKind
    title: Title
    description: LongText = ""
    lead_organisation_id: Id | None = None
    status: ScopeStatus = "planned"
    due_date: dt.date | None = None


class ScopeItemUpdate(Input):
    kind: ScopeKind | msgspec.UnsetType = msgspec.UNSET
    title: Title | msgspec.UnsetType = msgspec.UNSET
    description: LongText | msgspec.UnsetType = msgspec.UNSET
    lead_organisation_id: Id | msgspec.UnsetType | None = msgspec.UNSET
    status: ScopeStatus | msgspec.UnsetType = msgspec.UNSET
    due_date: dt.date | msgspec.UnsetType | None = msgspec.UNSET


class AgreementSummary(msgspec.Struct):
    id: int
    reference_number: str
    title: str
    kind: AgreementKind
    stage: Stage
    start_date: dt.date | None
    end_date: dt.date | None
    signed_on: dt.date | None
    version: int
    parties: list[Party]


class Agreement(AgreementSummary):
    purpose: str
    parent_id: int | None
    renewal_of_id: int | None
    created_by_id: int
    created_at: dt.datetime
    updated_at: dt.datetime
    scope_items: list[ScopeItem]


class AgreementCreate(Input):
    title: Title
    kind: AgreementKind
    parties: Annotated[list[PartyIn], msgspec.Meta(min_length=1, max_length=20)]
    purpose: LongText = ""
    reference_number: ReferenceNumber = ""
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    parent_id: Id | None = None


class AgreementUpdate(Input):
    title: Title | msgspec.UnsetType = msgspec.UNSET
    kind: AgreementKind | msgspec.UnsetType = msgspec.UNSET
    purpose: LongText | msgspec.UnsetType = msgspec.UNSET
    reference_number: ReferenceNumber | msgspec.UnsetType = msgspec.UNSET
    start_date: dt.date | msgspec.UnsetType | None = msgspec.UNSET
    end_date: dt.date | msgspec.UnsetType | None = msgspec.UNSET
    parent_id: Id | msgspec.UnsetType | None = msgspec.UNSET
    parties: (
        Annotated[list[PartyIn], msgspec.Meta(min_length=1, max_length=20)] | msgspec.UnsetType
    ) = msgspec.UNSET


class AgreementPage(Page):
    items: list[AgreementSummary]


#: The stage actions a client may take; ``expire`` belongs to the system alone.
Action = Literal["submit", "return", "approve", "sign", "activate", "terminate", "cancel", "renew"]


class ActionRequest(Input):
    #: Required to ``return`` (why) and to ``terminate`` (the reason).
    comment: LongText = ""
    #: Required to ``sign``.
    signed_on: dt.date | None = None
    #: ``approve``: the party to approve for, when you decide for several.
    organisation_id: Id | None = None


class HistoryEntry(msgspec.Struct):
    #: ``stage_change``, or ``approval`` (one party's approval, which may leave the stage).
    kind: Literal["stage_change", "approval"]
    action: str
    from_stage: Stage
    to_stage: Stage
    #: None when the system acted (activation, expiry).
    actor_id: int | None
    comment: str
    at: dt.datetime
    #: Approvals: the party that approved, and the round (returning to draft starts a new one).
    organisation_id: int | None = None
    approval_round: int | None = None


class HistoryPage(Page):
    items: list[HistoryEntry]


class WaitingApproval(msgspec.Struct):
    """A party whose approval of an agreement in review is still missing."""

    agreement_id: int
    reference_number: str
    title: str
    #: Send it back as ``If-Match`` to approve.
    version: int
    approval_round: int
    party_id: int
    organisation_id: int
    organisation_name: str
    #: When the agreement last went into review: the wait is counted from then.
    waiting_since: dt.datetime | None = None


class WaitingApprovalPage(Page):
    items: list[WaitingApproval]
