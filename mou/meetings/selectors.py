"""Reads of meetings and what was recorded in them."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import msgspec

from mou import errors
from mou.caller import CurrentUser
from mou.meetings import queries, schemas
from mou.meetings.tables import ActionItem, Attendee, Decision, DiscussionPoint, Meeting
from mou.minutes import MinutesSize, text_chars
from mou.paging import cursor_decode, offset_check, page_cut
from mou.policy import require_agreement_visible, visible_agreements_clause

SUMMARY_COLUMNS = (
    Meeting.id,
    Meeting.agreement.as_alias("agreement_id"),
    Meeting.title,
    Meeting.kind,
    Meeting.starts_at,
    Meeting.ends_at,
    Meeting.timezone,
    Meeting.venue,
    Meeting.mode,
    Meeting.minutes_status,
    Meeting.version,
)
ATTENDEE_COLUMNS = (
    Attendee.id,
    Attendee.person.as_alias("person_id"),
    Attendee.full_name,
    Attendee.position_title.as_alias("position"),
    Attendee.organisation.as_alias("organisation_id"),
    Attendee.organisation.name.as_alias("organisation_name"),
    Attendee.role,
    Attendee.attendance,
    Attendee.represented_by,
)
POINT_COLUMNS = (
    DiscussionPoint.id,
    DiscussionPoint.text,
    DiscussionPoint.speaker.as_alias("speaker_attendee_id"),
)
ACTION_COLUMNS = (
    ActionItem.id,
    ActionItem.title,
    ActionItem.owner_organisation.as_alias("owner_organisation_id"),
    ActionItem.owner_person.as_alias("owner_person_id"),
    ActionItem.due_date,
    ActionItem.status,
    ActionItem.scope_item.as_alias("scope_item_id"),
)


def _local_times(row: dict[str, Any]) -> dict[str, Any]:
    """Times leave the database in UTC and are shown in the meeting's own zone."""
    zone = ZoneInfo(row["timezone"])
    for key in ("starts_at", "ends_at"):
        value: dt.datetime | None = row.get(key)
        if value is not None:
            row[key] = value.astimezone(zone)
    return row


async def visible_meetings_clause(user: CurrentUser) -> Any | None:
    """Meetings of agreements ``user`` sees (None: no limit)."""
    return await visible_agreements_clause(user, Meeting.agreement)


async def meeting_get(*, user: CurrentUser, meeting_id: int) -> schemas.Meeting:
    query = Meeting.select(*SUMMARY_COLUMNS, Meeting.address, Meeting.agenda, Meeting.number).where(
        Meeting.id == meeting_id
    )
    clause = await visible_meetings_clause(user)
    row = (
        await (query.where(clause) if clause is not None else query).output(load_json=True).first()
    )
    if row is None:
        raise errors.NotFound(errors.NOT_FOUND.format(entity="meeting"))
    row["attendees"] = (
        await Attendee.select(*ATTENDEE_COLUMNS)
        .where(Attendee.meeting == meeting_id)
        .order_by(Attendee.position)
        .order_by(Attendee.id)
    )
    row["points"] = (
        await DiscussionPoint.select(*POINT_COLUMNS)
        .where(DiscussionPoint.meeting == meeting_id)
        .order_by(DiscussionPoint.position)
        .order_by(DiscussionPoint.id)
    )
    row["decisions"] = (
        await Decision.select(Decision.id, Decision.text)
        .where(Decision.meeting == meeting_id)
        .order_by(Decision.position)
        .order_by(Decision.id)
    )
    row["action_items"] = (
        await ActionItem.select(*ACTION_COLUMNS)
        .where(ActionItem.meeting == meeting_id)
        .order_by(ActionItem.position)
        .order_by(ActionItem.id)
    )
    return msgspec.convert(_local_times(row), schemas.Meeting)


#: The name ``mou.paging`` gives meeting lists' cursors: (starts_at, id).
MEETING_CURSOR = "meeting"


async def meeting_list(
    *,
    user: CurrentUser,
    agreement_id: int,
    limit: int,
    offset: int,
    cursor: str | None = None,
) -> schemas.MeetingPage:
    """An agreement's meetings, earliest first; the total is exact (one agreement's meetings,
    counted on the ``meeting (agreement, starts_at, id)`` index)."""
    offset_check(offset=offset, cursor=cursor)
    await require_agreement_visible(user, agreement_id)
    where = Meeting.agreement == agreement_id
    query = Meeting.select(*SUMMARY_COLUMNS).where(where)
    if cursor is not None:
        at, after_id = cursor_decode(MEETING_CURSOR, cursor, (dt.datetime, int))
        at = at.astimezone(dt.UTC)
        query = query.where(
            (Meeting.starts_at > at) | ((Meeting.starts_at == at) & (Meeting.id > after_id))
        )
    rows, next_cursor = page_cut(
        MEETING_CURSOR,
        await query.order_by(Meeting.starts_at)
        .order_by(Meeting.id)
        .limit(limit + 1)
        .offset(offset),
        limit,
        lambda row: (row["starts_at"], row["id"]),
    )
    return schemas.MeetingPage(
        items=msgspec.convert([_local_times(r) for r in rows], list[schemas.MeetingSummary]),
        total=await Meeting.count().where(where),
        total_exact=True,
        limit=limit,
        offset=offset,
        next_cursor=next_cursor,
    )


async def meetings_upcoming(
    *, user: CurrentUser, since: dt.datetime, limit: int
) -> list[schemas.MeetingSummary]:
    """The first ``limit`` meetings ``user`` sees that start at or after ``since``, soonest
    first, in their own time zones."""
    query = Meeting.select(*SUMMARY_COLUMNS).where(Meeting.starts_at >= since)
    clause = await visible_meetings_clause(user)
    if clause is not None:
        query = query.where(clause)
    rows = await query.order_by(Meeting.starts_at).order_by(Meeting.id).limit(limit)
    return msgspec.convert([_local_times(r) for r in rows], list[schemas.MeetingSummary])


async def attendee_get(*, attendee_id: int) -> schemas.Attendee:
    """An attendee by id; callers have checked the meeting is visible."""
    row = await Attendee.select(*ATTENDEE_COLUMNS).where(Attendee.id == attendee_id).first()
    if row is None:
        raise errors.NotFound(errors.NOT_FOUND.format(entity="attendee"))
    return msgspec.convert(row, schemas.Attendee)


async def visible_attendee_row(user: CurrentUser, attendee_id: int) -> dict[str, Any]:
    """The attendee's ``meeting``, ``organisation`` and ``person``, if ``user`` sees its meeting;
    ``NotFound`` otherwise, the same answer as for an attendee that does not exist."""
    query = Attendee.select(Attendee.meeting, Attendee.organisation, Attendee.person).where(
        Attendee.id == attendee_id
    )
    clause = await visible_meetings_clause(user)
    if clause is not None:
        query = query.where(Attendee.meeting.is_in(Meeting.select(Meeting.id).where(clause)))
    row = await query.first()
    if row is None:
        raise errors.NotFound(errors.NOT_FOUND.format(entity="attendee"))
    return row


async def _visible_action_item(
    user: CurrentUser, action_item_id: int, *columns: Any
) -> dict[str, Any]:
    query = ActionItem.select(*columns).where(ActionItem.id == action_item_id)
    clause = await visible_meetings_clause(user)
    if clause is not None:
        query = query.where(ActionItem.meeting.is_in(Meeting.select(Meeting.id).where(clause)))
    row = await query.first()
    if row is None:
        raise errors.NotFound(errors.NOT_FOUND.format(entity="action item"))
    return row


async def action_item_get(*, user: CurrentUser, action_item_id: int) -> schemas.ActionItem:
    row = await _visible_action_item(user, action_item_id, *ACTION_COLUMNS)
    return msgspec.convert(row, schemas.ActionItem)


async def meeting_of_action_item(*, user: CurrentUser, action_item_id: int) -> int:
    row = await _visible_action_item(user, action_item_id, ActionItem.meeting)
    return int(row["meeting"])


async def meeting_size(*, meeting_id: int) -> MinutesSize:
    """What the render limits count in a meeting's minutes as stored now (no visibility check)."""
    row = await queries.meeting_size_row(meeting_id=meeting_id)
    agenda = (
        await Meeting.select(Meeting.agenda)
        .where(Meeting.id == meeting_id)
        .output(load_json=True)
        .first()
    )
    return MinutesSize(
        attendees=row["attendees"],
        points=row["points"],
        decisions=row["decisions"],
        action_items=row["action_items"],
        text_chars=row["text_chars"] + text_chars(*(agenda["agenda"] if agenda else [])),
    )
