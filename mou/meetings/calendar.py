"""Meetings as iCalendar events (RFC 5545, via the ``icalendar`` library).

Each event is written in its meeting's own time zone (``DTSTART;TZID=Asia/Makassar``) with
that zone as a real ``VTIMEZONE``, so a WITA meeting stays WITA in any calendar. The UID is
stable (``meeting-<id>@<host of MOU_BASE_URL>``), ``SEQUENCE`` counts the meeting's edits
(version - 1) and ``DTSTAMP`` is its last change, so re-reading an unchanged feed yields the
same bytes and a changed meeting updates the event in place.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import icalendar

from mou import errors
from mou.accounts.schemas import CurrentUser
from mou.meetings.selectors import visible_meetings_clause
from mou.meetings.tables import Attendee, Meeting
from mou.settings import get_settings

MEDIA_TYPE = "text/calendar"
PRODID = "-//mou//Cooperation agreements//EN"
#: An event without an end lasts this long in calendars.
DEFAULT_DURATION = dt.timedelta(hours=1)
#: Calendar clients re-read a feed about this often.
REFRESH = dt.timedelta(hours=1)
_ROLES = {"chair": "CHAIR", "participant": "REQ-PARTICIPANT"}
_PARTSTAT = {"present": "ACCEPTED", "absent": "DECLINED", "excused": "DECLINED"}

EVENT_COLUMNS = (
    Meeting.id,
    Meeting.title,
    Meeting.starts_at,
    Meeting.ends_at,
    Meeting.timezone,
    Meeting.venue,
    Meeting.address,
    Meeting.version,
    Meeting.updated_at,
    Meeting.agreement.title.as_alias("agreement_title"),
)


def meeting_url(meeting_id: int) -> str:
    """The meeting's page, where the event links back to."""
    return f"{get_settings().base_url}/meetings/{meeting_id}"


def _address(person_id: int, email: str) -> str:
    # A calendar address must be a URI; people without e-mail get a stable URN instead.
    return f"mailto:{email}" if email else f"urn:mou:person:{person_id}"


def _party(attendee: dict[str, Any]) -> icalendar.vCalAddress:
    address = icalendar.vCalAddress(_address(attendee["person"], attendee["email"]))
    address.params["CN"] = attendee["full_name"]
    address.params["ROLE"] = _ROLES.get(attendee["role"], "OPT-PARTICIPANT")
    if attendee["attendance"] in _PARTSTAT:
        address.params["PARTSTAT"] = _PARTSTAT[attendee["attendance"]]
    return address


def _event(meeting: dict[str, Any], host: str) -> icalendar.Event:
    zone = ZoneInfo(meeting["timezone"])
    starts = meeting["starts_at"].astimezone(zone)
    event = icalendar.Event()
    event.add("uid", f"meeting-{meeting['id']}@{host}")
    event.add("dtstamp", meeting["updated_at"].astimezone(dt.UTC))
    event.add("sequence", meeting["version"] - 1)
    event.add("summary", meeting["title"])
    event.add("dtstart", starts)
    if meeting["ends_at"] is not None:
        event.add("dtend", meeting["ends_at"].astimezone(zone))
    else:
        event.add("duration", DEFAULT_DURATION)
    place = ", ".join(part for part in (meeting["venue"], meeting["address"]) if part)
    if place:
        event.add("location", place)
    url = meeting_url(meeting["id"])
    event.add("description", f"{meeting['agreement_title']}\n\n{url}")
    event.add("url", url)
    event.add("status", "CONFIRMED")
    for attendee in meeting["attendees"]:
        key = (
            "organizer" if attendee["role"] == "chair" and "organizer" not in event else "attendee"
        )
        event.add(key, _party(attendee))
    return event


def calendar_build(meetings: list[dict[str, Any]], *, name: str | None = None) -> bytes:
    """An iCalendar file of ``meetings`` (rows of ``meeting_events``), each zone once as a
    VTIMEZONE; ``name`` (a feed's) becomes the calendar's display name."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    if name is not None:
        calendar.add("x-wr-calname", name)
        calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", REFRESH)
    host = urlsplit(get_settings().base_url).hostname or "mou"
    for meeting in meetings:
        calendar.add_component(_event(meeting, host))
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())


async def meeting_events(where: Any, *, limit: int | None = None) -> list[dict[str, Any]]:
    """Meetings matching ``where``, soonest first, each with its attendees (and their e-mail),
    in two queries."""
    query = Meeting.select(*EVENT_COLUMNS).where(where).order_by(Meeting.starts_at)
    meetings = await (query.limit(limit) if limit is not None else query)
    by_meeting: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if meetings:
        attendees = await (
            Attendee.select(
                Attendee.meeting,
                Attendee.person,
                Attendee.person.email.as_alias("email"),
                Attendee.full_name,
                Attendee.role,
                Attendee.attendance,
            )
            .where(Attendee.meeting.is_in([m["id"] for m in meetings]))
            .order_by(Attendee.position)
            .order_by(Attendee.id)
        )
        for attendee in attendees:
            by_meeting[attendee["meeting"]].append(attendee)
    for meeting in meetings:
        meeting["attendees"] = by_meeting[meeting["id"]]
    return meetings


async def meeting_calendar(*, user: CurrentUser, meeting_id: int) -> bytes:
    """The meeting as an iCalendar file; ``NotFound`` when absent or not visible to ``user``."""
    where = Meeting.id == meeting_id
    clause = await visible_meetings_clause(user)
    meetings = await meeting_events(where if clause is None else where & clause)
    if not meetings:
        raise errors.NotFound(errors.NOT_FOUND.format(entity="meeting"))
    return calendar_build(meetings)
