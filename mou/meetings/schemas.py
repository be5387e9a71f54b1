from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec

from mou.schemas import (
    Id,
    Input,
    LongText,
    OptionalShortText,
    Page,
    RequiredLongText,
    ShortText,
    Title,
)

MeetingKind = Literal["planning", "coordination", "signing", "review"]
MeetingMode = Literal["in_person", "online", "hybrid"]
AttendeeRole = Literal["chair", "speaker", "minute_taker", "participant"]
Attendance = Literal["present", "absent", "excused", "represented"]
ActionStatus = Literal["open", "done", "dropped"]
MinutesStatus = Literal["draft", "final"]
TimeZoneName = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
AgendaItem = Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
Agenda = Annotated[
    list[AgendaItem],
    msgspec.Meta(
        max_length=50,
        # Litestar's OpenAPI drops an item type's own constraints: spell them out for it.
        extra_json_schema={"extra": {"items": msgspec.json.schema(AgendaItem)}},
    ),
]
MinutesNumber = Annotated[str, msgspec.Meta(max_length=100)]


class Attendee(msgspec.Struct):
    id: int
    #: None for a guest from an organisation the recorder does not manage: the row holds the
    #: name, position and organisation as on the day, until that organisation links a person.
    person_id: int | None
    full_name: str
    position: str
    organisation_id: int
    organisation_name: str
    role: AttendeeRole
    attendance: Attendance
    represented_by: str


class AttendeeCreate(Input):
    """Name a person by ``person_id``, or give ``full_name``, ``position`` and ``organisation_id``.

    A name in an organisation the caller manages becomes a person of its directory; in any
    other organisation it stays a guest on the attendee row (``person_id`` null).
    """

    person_id: Id | None = None
    full_name: ShortText | None = None
    position: OptionalShortText | None = None
    organisation_id: Id | None = None
    role: AttendeeRole = "participant"
    attendance: Attendance = "present"
    represented_by: OptionalShortText = ""


class AttendeeLink(Input):
    """Tie an attendee row to a person of the caller's directory (the row's own organisation's
    users, or one above it, and admins)."""

    person_id: Id


class Point(msgspec.Struct):
    id: int
    text: str
    speaker_attendee_id: int | None


class PointCreate(Input):
    text: RequiredLongText
    speaker_attendee_id: Id | None = None


class Decision(msgspec.Struct):
    id: int
    text: str


class DecisionCreate(Input):
    text: RequiredLongText


class ActionItem(msgspec.Struct):
    id: int
    title: str
    owner_organisation_id: int | None
    owner_person_id: int | None
    due_date: dt.date | None
    status: ActionStatus
    scope_item_id: int | None


class ActionItemCreate(Input):
    title: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
    owner_organisation_id: Id | None = None
    owner_person_id: Id | None = None
    due_date: dt.date | None = None
    scope_item_id: Id | None = None
    status: ActionStatus = "open"


class ActionItemUpdate(Input):
    status: ActionStatus | msgspec.UnsetType = msgspec.UNSET
    due_date: dt.date | msgspec.UnsetType | None = msgspec.UNSET
    title: Annotated[str, msgspec.Meta(min_length=1, max_length=500)] | msgspec.UnsetType = (
        msgspec.UNSET
    )


class MeetingSummary(msgspec.Struct):
    id: int
    agreement_id: int
    title: str
    kind: MeetingKind
    starts_at: dt.datetime
    ends_at: dt.datetime | None
    timezone: str
    venue: str
    mode: MeetingMode
    minutes_status: MinutesStatus
    version: int


class Meeting(MeetingSummary):
    address: str
    agenda: list[str]
    number: str
    attendees: list[Attendee]
    points: list[Point]
    decisions: list[Decision]
    action_items: list[ActionItem]


class MeetingCreate(Input):
    """``starts_at``/``ends_at`` without an offset are read in ``timezone``."""

    title: Title
    kind: MeetingKind
    starts_at: dt.datetime
    ends_at: dt.datetime | None = None
    timezone: TimeZoneName = "Asia/Jakarta"
    venue: OptionalShortText = ""
    address: LongText = ""
    mode: MeetingMode = "in_person"
    agenda: Agenda = []
    number: MinutesNumber = ""


class MeetingUpdate(Input):
    title: Title | msgspec.UnsetType = msgspec.UNSET
    kind: MeetingKind | msgspec.UnsetType = msgspec.UNSET
    starts_at: dt.datetime | msgspec.UnsetType = msgspec.UNSET
    ends_at: dt.datetime | msgspec.UnsetType | None = msgspec.UNSET
    timezone: TimeZoneName | msgspec.UnsetType = msgspec.UNSET
    venue: OptionalShortText | msgspec.UnsetType = msgspec.UNSET
    address: LongText | msgspec.UnsetType = msgspec.UNSET
    mode: MeetingMode | msgspec.UnsetType = msgspec.UNSET
    agenda: Agenda | msgspec.UnsetType = msgspec.UNSET
    number: MinutesNumber | msgspec.UnsetType = msgspec.UNSET


class MeetingPage(Page):
    items: list[MeetingSummary]


class CalendarFeedCreate(msgspec.Struct, forbid_unknown_fields=True):
    #: To tell feeds apart (e.g. "Phone", "Office Outlook").
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]


class CalendarFeedCreated(msgspec.Struct):
    """A new feed: ``url`` carries its secret, shown this once; treat it like a password."""

    id: int
    name: str
    url: str


class CalendarFeed(msgspec.Struct):
    id: int
    name: str
    created_at: dt.datetime


class CalendarFeedList(msgspec.Struct):
    items: list[CalendarFeed]
