"""Writes of meetings and their records, each in one transaction with its audit event."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec

from mou import errors
from mou.accounts.schemas import CurrentUser
from mou.agreements.services import agreement_require_alive
from mou.agreements.tables import ScopeItem
from mou.audit import audited
from mou.meetings import schemas
from mou.meetings.selectors import (
    action_item_get,
    attendee_get,
    meeting_get,
    meeting_of_action_item,
    meeting_size,
)
from mou.meetings.tables import ActionItem, Attendee, Decision, DiscussionPoint, Meeting
from mou.minutes.document import MinutesSize, size_check, text_chars
from mou.parties.tables import Organisation, Person
from mou.policy import manages
from mou.references import require_row, require_visible_person
from mou.schemas import changed_fields
from mou.versions import write_if_version

UNKNOWN_ZONE = "not an IANA time zone name, such as Asia/Jakarta"
ENDS_BEFORE_START = "must be after starts_at"
MINUTES_FINAL = "the minutes are final; record a correction instead"
PERSON_OR_NAME = "give person_id, or full_name with organisation_id"
ALREADY_ATTENDS = "this person is already an attendee"
NOT_AN_ATTENDEE = "not an attendee of this meeting"
SCOPE_ELSEWHERE = "no scope item of this agreement has this id"


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise errors.InvalidInput("timezone", UNKNOWN_ZONE) from None


def _utc(value: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    # The year is already within mou.schemas' range, so the conversion cannot overflow.
    local = value if value.tzinfo is not None else value.replace(tzinfo=zone)
    return local.astimezone(dt.UTC)


def _times(values: dict[str, Any], current: schemas.MeetingSummary | None) -> None:
    """Validate the zone and put ``starts_at``/``ends_at`` into UTC, in place."""
    zone = _zone(values.get("timezone", current.timezone if current else "Asia/Jakarta"))
    for field in ("starts_at", "ends_at"):
        if values.get(field) is not None:
            values[field] = _utc(values[field], zone)
    starts = values.get("starts_at", current.starts_at if current else None)
    ends = values.get("ends_at", current.ends_at if current else None)
    if starts is not None and ends is not None and ends <= starts:
        raise errors.InvalidInput("ends_at", ENDS_BEFORE_START)


async def _open_meeting(user: CurrentUser, meeting_id: int) -> dict[str, Any]:
    """The meeting's row, if ``user`` sees it and its content may still change."""
    row = (
        await Meeting.select(Meeting.agreement, Meeting.minutes_status)
        .where(Meeting.id == meeting_id)
        .first()
    )
    if row is None:
        raise errors.NotFound(errors.NOT_FOUND.format(entity="meeting"))
    try:
        await agreement_require_alive(user, row["agreement"])
    except errors.NotFound:
        # An invisible agreement's meeting is as absent as a meeting that does not exist.
        raise errors.NotFound(errors.NOT_FOUND.format(entity="meeting")) from None
    if row["minutes_status"] == "final":
        raise errors.Conflict(MINUTES_FINAL)
    return row


async def meeting_require_room(*, meeting_id: int, adding: MinutesSize) -> None:
    """``MinutesTooLarge`` (422, naming the limit) when the meeting's minutes with ``adding``
    would not print within the render limits: refused when written, not when rendered.

    Call inside the write's transaction. It locks the meeting row first, so concurrent writes
    to one meeting are counted one after the other and cannot pass a limit together.
    """
    if Meeting._meta.db.engine_type == "postgres":
        # SQLite needs no lock: its write transactions (BEGIN IMMEDIATE) run one at a time.
        await Meeting.raw("SELECT id FROM meeting WHERE id = {} FOR UPDATE", meeting_id)
    size_check(await meeting_size(meeting_id=meeting_id) + adding)


async def _touch(meeting_id: int) -> None:
    """Recorded content changed: a finalize holding the old version must fail."""
    await Meeting.update({Meeting.version: Meeting.version + 1}).where(Meeting.id == meeting_id)


async def meeting_create(
    *, user: CurrentUser, agreement_id: int, data: schemas.MeetingCreate
) -> schemas.Meeting:
    values = msgspec.structs.asdict(data)
    _times(values, None)
    async with audited(
        actor_id=user.actor_id,
        action="create",
        entity="meeting",
        read=lambda meeting_id: meeting_get(user=user, meeting_id=meeting_id),
    ) as write:
        await agreement_require_alive(user, agreement_id)
        row = Meeting(agreement=agreement_id, created_by=user.actor_id, **values)
        await row.save()
        write.entity_id = row.id
    return write.after


async def meeting_update(
    *, user: CurrentUser, meeting_id: int, expected_version: int, data: schemas.MeetingUpdate
) -> schemas.Meeting:
    values = changed_fields(data)
    async with audited(
        actor_id=user.actor_id,
        action="update",
        entity="meeting",
        entity_id=meeting_id,
        read=lambda meeting_id: meeting_get(user=user, meeting_id=meeting_id),
    ) as write:
        await _open_meeting(user, meeting_id)
        before = write.before
        _times(values, before)
        if "agenda" in values:
            grown = text_chars(*values["agenda"]) - text_chars(*before.agenda)
            if grown > 0:
                await meeting_require_room(
                    meeting_id=meeting_id, adding=MinutesSize(text_chars=grown)
                )
        await write_if_version(
            Meeting, meeting_id, expected=expected_version, values=values, entity="meeting"
        )
    return write.after


async def _attendee_person(user: CurrentUser, data: schemas.AttendeeCreate) -> dict[str, Any]:
    """Who attends: a person of the caller's directory, a new person of an organisation the
    caller manages, or a guest of any other organisation (``id`` None, nobody's directory)."""
    if data.person_id is not None:
        await require_visible_person(user, data.person_id, field="person_id")
        row = (
            await Person.select(Person.id, Person.full_name, Person.position, Person.organisation)
            .where(Person.id == data.person_id)
            .first()
        )
        if row is None:
            await require_row(Person, data.person_id, field="person_id")
        return row  # type: ignore[return-value]
    if data.full_name is None:
        raise errors.InvalidInput("full_name", PERSON_OR_NAME)
    if data.organisation_id is None:
        raise errors.InvalidInput("organisation_id", PERSON_OR_NAME)
    await require_row(Organisation, data.organisation_id, field="organisation_id")
    named: dict[str, Any] = {
        "full_name": data.full_name,
        "position": data.position or "",
        "organisation": data.organisation_id,
    }
    # The same rule as ``POST /people``: only the organisation's own users add to its directory.
    if not await manages(user, data.organisation_id):
        return {"id": None, **named}
    person = Person(**named)
    await person.save()
    return {"id": person.id, **named}


async def attendee_require_new(meeting_id: int, person_id: int | None) -> None:
    """``InvalidInput`` when the person already has a row in this meeting (guests never do)."""
    if person_id is not None and await Attendee.exists().where(
        (Attendee.meeting == meeting_id) & (Attendee.person == person_id)
    ):
        raise errors.InvalidInput("person_id", ALREADY_ATTENDS)


async def attendee_add(
    *, user: CurrentUser, meeting_id: int, data: schemas.AttendeeCreate
) -> schemas.Attendee:
    async with audited(
        actor_id=user.actor_id,
        action="create",
        entity="attendee",
        read=lambda attendee_id: attendee_get(attendee_id=attendee_id),
    ) as write:
        await _open_meeting(user, meeting_id)
        await meeting_require_room(meeting_id=meeting_id, adding=MinutesSize(attendees=1))
        person = await _attendee_person(user, data)
        await attendee_require_new(meeting_id, person["id"])
        row = Attendee(
            meeting=meeting_id,
            person=person["id"],
            full_name=person["full_name"],
            position_title=person["position"],
            organisation=person["organisation"],
            role=data.role,
            attendance=data.attendance,
            represented_by=data.represented_by,
            position=await Attendee.count().where(Attendee.meeting == meeting_id),
        )
        await row.save()
        await _touch(meeting_id)
        write.entity_id = row.id
    return write.after


async def point_add(
    *, user: CurrentUser, meeting_id: int, data: schemas.PointCreate
) -> schemas.Point:
    async with audited(actor_id=user.actor_id, action="create", entity="discussion_point") as write:
        await _open_meeting(user, meeting_id)
        if data.speaker_attendee_id is not None and not await Attendee.exists().where(
            (Attendee.id == data.speaker_attendee_id) & (Attendee.meeting == meeting_id)
        ):
            raise errors.InvalidInput("speaker_attendee_id", NOT_AN_ATTENDEE)
        adding = MinutesSize(points=1, text_chars=text_chars(data.text))
        await meeting_require_room(meeting_id=meeting_id, adding=adding)
        row = DiscussionPoint(
            meeting=meeting_id,
            text=data.text,
            speaker=data.speaker_attendee_id,
            position=await DiscussionPoint.count().where(DiscussionPoint.meeting == meeting_id),
        )
        await row.save()
        await _touch(meeting_id)
        write.entity_id = row.id
        write.after = schemas.Point(
            id=row.id, text=data.text, speaker_attendee_id=data.speaker_attendee_id
        )
    return write.after


async def decision_add(
    *, user: CurrentUser, meeting_id: int, data: schemas.DecisionCreate
) -> schemas.Decision:
    async with audited(actor_id=user.actor_id, action="create", entity="decision") as write:
        await _open_meeting(user, meeting_id)
        adding = MinutesSize(decisions=1, text_chars=text_chars(data.text))
        await meeting_require_room(meeting_id=meeting_id, adding=adding)
        row = Decision(
            meeting=meeting_id,
            text=data.text,
            position=await Decision.count().where(Decision.meeting == meeting_id),
        )
        await row.save()
        await _touch(meeting_id)
        write.entity_id = row.id
        write.after = schemas.Decision(id=row.id, text=data.text)
    return write.after


async def _check_action_refs(
    user: CurrentUser, agreement_id: int, data: schemas.ActionItemCreate
) -> None:
    await require_row(Organisation, data.owner_organisation_id, field="owner_organisation_id")
    await require_visible_person(user, data.owner_person_id, field="owner_person_id")
    if data.scope_item_id is not None:
        row = (
            await ScopeItem.select(ScopeItem.agreement)
            .where(ScopeItem.id == data.scope_item_id)
            .first()
        )
        # One answer for "no such scope item" and "another agreement's": ids reveal nothing.
        if row is None or row["agreement"] != agreement_id:
            raise errors.InvalidInput("scope_item_id", SCOPE_ELSEWHERE)


async def action_item_add(
    *, user: CurrentUser, meeting_id: int, data: schemas.ActionItemCreate
) -> schemas.ActionItem:
    async with audited(
        actor_id=user.actor_id,
        action="create",
        entity="action_item",
        read=lambda action_item_id: action_item_get(user=user, action_item_id=action_item_id),
    ) as write:
        meeting = await _open_meeting(user, meeting_id)
        await _check_action_refs(user, meeting["agreement"], data)
        adding = MinutesSize(action_items=1, text_chars=text_chars(data.title))
        await meeting_require_room(meeting_id=meeting_id, adding=adding)
        row = ActionItem(
            meeting=meeting_id,
            title=data.title,
            owner_organisation=data.owner_organisation_id,
            owner_person=data.owner_person_id,
            due_date=data.due_date,
            status=data.status,
            scope_item=data.scope_item_id,
            position=await ActionItem.count().where(ActionItem.meeting == meeting_id),
        )
        await row.save()
        await _touch(meeting_id)
        write.entity_id = row.id
    return write.after


async def action_item_update(
    *, user: CurrentUser, action_item_id: int, data: schemas.ActionItemUpdate
) -> schemas.ActionItem:
    """Progress (status, due date) stays open after the minutes are final; the title does not."""
    values = changed_fields(data)
    async with audited(
        actor_id=user.actor_id,
        action="update",
        entity="action_item",
        entity_id=action_item_id,
        read=lambda action_item_id: action_item_get(user=user, action_item_id=action_item_id),
    ) as write:
        meeting_id = await meeting_of_action_item(user=user, action_item_id=action_item_id)
        if "title" in values:
            await _open_meeting(user, meeting_id)
        else:
            row = await Meeting.select(Meeting.agreement).where(Meeting.id == meeting_id).first()
            await agreement_require_alive(user, row["agreement"] if row else 0)
        if "title" in values:
            grown = text_chars(values["title"]) - text_chars(write.before.title)
            if grown > 0:
                await meeting_require_room(
                    meeting_id=meeting_id, adding=MinutesSize(text_chars=grown)
                )
        if values:
            await ActionItem.update(values).where(ActionItem.id == action_item_id)
    return write.after
