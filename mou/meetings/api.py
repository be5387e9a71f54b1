"""JSON endpoints for meetings and their records."""

from __future__ import annotations

from typing import Annotated

from litestar import Response, delete, get, patch, post
from litestar.params import JSONBody, PathParameter
from litestar.response import Stream

from mou import errors
from mou.http import (
    DEFAULT_LIMIT,
    ApiController,
    Caller,
    IfMatch,
    LanguageQuery,
    Limit,
    Offset,
    OptionalId,
    PathId,
    documented,
    download,
    etag_headers,
    expected_version,
    extension_of,
)
from mou.meetings import attendees, calendar, exports, feeds, schemas, selectors, services
from mou.tabular import MEDIA_TYPES, Format

FeedToken = Annotated[
    str, PathParameter(max_length=250, description="The feed's secret, then .ics.")
]

WRITE_RAISES = (errors.NotFound, errors.InvalidInput, errors.Conflict)


def _format(request: Caller) -> Format:
    return "xlsx" if extension_of(request) == "xlsx" else "csv"


def _with_etag(meeting: schemas.Meeting, status: int = 200) -> Response[schemas.Meeting]:
    return Response(meeting, status_code=status, headers=etag_headers(meeting.version))


class AgreementMeetingController(ApiController):
    path = "/api/v1/agreements/{agreement_id:int}/meetings"
    tags = ["meetings"]

    @post("/", raises=documented(*WRITE_RAISES))
    async def meeting_create(
        self, request: Caller, agreement_id: PathId, data: JSONBody[schemas.MeetingCreate]
    ) -> Response[schemas.Meeting]:
        created = await services.meeting_create(
            user=request.user, agreement_id=agreement_id, data=data
        )
        return _with_etag(created, 201)

    @get("/", raises=documented(errors.NotFound))
    async def meeting_list(
        self,
        request: Caller,
        agreement_id: PathId,
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
    ) -> schemas.MeetingPage:
        return await selectors.meeting_list(
            user=request.user, agreement_id=agreement_id, limit=limit, offset=offset
        )


class MeetingController(ApiController):
    path = "/api/v1"
    tags = ["meetings"]

    @get("/meetings/{meeting_id:int}", raises=documented(errors.NotFound))
    async def meeting_get(self, request: Caller, meeting_id: PathId) -> Response[schemas.Meeting]:
        return _with_etag(await selectors.meeting_get(user=request.user, meeting_id=meeting_id))

    @patch(
        "/meetings/{meeting_id:int}",
        raises=documented(*WRITE_RAISES, errors.PreconditionFailed, errors.PreconditionRequired),
    )
    async def meeting_update(
        self,
        request: Caller,
        meeting_id: PathId,
        data: JSONBody[schemas.MeetingUpdate],
        if_match: IfMatch = None,
    ) -> Response[schemas.Meeting]:
        updated = await services.meeting_update(
            user=request.user,
            meeting_id=meeting_id,
            expected_version=expected_version(if_match),
            data=data,
        )
        return _with_etag(updated)

    @post("/meetings/{meeting_id:int}/attendees", raises=documented(*WRITE_RAISES))
    async def attendee_add(
        self, request: Caller, meeting_id: PathId, data: JSONBody[schemas.AttendeeCreate]
    ) -> schemas.Attendee:
        return await services.attendee_add(user=request.user, meeting_id=meeting_id, data=data)

    @patch("/attendees/{attendee_id:int}", raises=documented(*WRITE_RAISES, errors.Forbidden))
    async def attendee_link(
        self, request: Caller, attendee_id: PathId, data: JSONBody[schemas.AttendeeLink]
    ) -> schemas.Attendee:
        """Link a guest row to a person of its own organisation (that organisation's users)."""
        return await attendees.attendee_link(user=request.user, attendee_id=attendee_id, data=data)

    @post("/meetings/{meeting_id:int}/points", raises=documented(*WRITE_RAISES))
    async def point_add(
        self, request: Caller, meeting_id: PathId, data: JSONBody[schemas.PointCreate]
    ) -> schemas.Point:
        return await services.point_add(user=request.user, meeting_id=meeting_id, data=data)

    @post("/meetings/{meeting_id:int}/decisions", raises=documented(*WRITE_RAISES))
    async def decision_add(
        self, request: Caller, meeting_id: PathId, data: JSONBody[schemas.DecisionCreate]
    ) -> schemas.Decision:
        return await services.decision_add(user=request.user, meeting_id=meeting_id, data=data)

    @post("/meetings/{meeting_id:int}/action-items", raises=documented(*WRITE_RAISES))
    async def action_item_add(
        self, request: Caller, meeting_id: PathId, data: JSONBody[schemas.ActionItemCreate]
    ) -> schemas.ActionItem:
        return await services.action_item_add(user=request.user, meeting_id=meeting_id, data=data)

    @get("/action-items/{action_item_id:int}", raises=documented(errors.NotFound))
    async def action_item_get(self, request: Caller, action_item_id: PathId) -> schemas.ActionItem:
        return await selectors.action_item_get(user=request.user, action_item_id=action_item_id)

    @patch("/action-items/{action_item_id:int}", raises=documented(*WRITE_RAISES))
    async def action_item_update(
        self, request: Caller, action_item_id: PathId, data: JSONBody[schemas.ActionItemUpdate]
    ) -> schemas.ActionItem:
        return await services.action_item_update(
            user=request.user, action_item_id=action_item_id, data=data
        )

    @get(
        "/meetings/{meeting_id:int}/calendar.ics",
        media_type=calendar.MEDIA_TYPE,
        raises=documented(errors.NotFound),
    )
    async def meeting_calendar(self, request: Caller, meeting_id: PathId) -> Response[bytes]:
        """The meeting as an iCalendar event, in its own time zone."""
        ics = await calendar.meeting_calendar(user=request.user, meeting_id=meeting_id)
        return Response(ics, media_type=calendar.MEDIA_TYPE)

    @get(
        ["/meetings/{meeting_id:int}/attendance.csv", "/meetings/{meeting_id:int}/attendance.xlsx"],
        raises=documented(errors.NotFound),
    )
    async def attendance_export(
        self, request: Caller, meeting_id: PathId, lang: LanguageQuery = "id"
    ) -> Stream:
        """The attendance list (daftar hadir) as CSV or XLSX; ``lang=en`` for English."""
        fmt = _format(request)
        content = await exports.attendance_export(
            user=request.user, meeting_id=meeting_id, fmt=fmt, language=lang
        )
        return download(
            content, media_type=MEDIA_TYPES[fmt], filename=f"attendance-{meeting_id}.{fmt}"
        )

    @get(["/action-items/export.csv", "/action-items/export.xlsx"])
    async def action_item_export(
        self, request: Caller, organisation_id: OptionalId = None, lang: LanguageQuery = "id"
    ) -> Stream:
        """Open action items of the meetings you may see, of one owning organisation when
        ``organisation_id`` is given, as CSV or XLSX."""
        fmt = _format(request)
        content = exports.action_items_export(
            user=request.user, organisation_id=organisation_id, fmt=fmt, language=lang
        )
        return download(content, media_type=MEDIA_TYPES[fmt], filename=f"action-items.{fmt}")


class CalendarFeedController(ApiController):
    path = "/api/v1/calendar-feeds"
    tags = ["meetings"]

    @post("/", raises=documented(errors.Conflict))
    async def calendar_feed_create(
        self, request: Caller, data: JSONBody[schemas.CalendarFeedCreate]
    ) -> schemas.CalendarFeedCreated:
        """A private iCalendar feed of the meetings of the agreements you may see, for Google
        Calendar, Outlook or Thunderbird to subscribe to. The ``url`` works without any other
        credential and is shown only now: treat the address like a password, and revoke the
        feed (DELETE) if it leaks."""
        return await feeds.calendar_feed_create(user=request.user, data=data)

    @get("/")
    async def calendar_feed_list(self, request: Caller) -> schemas.CalendarFeedList:
        """Your live feeds (never their addresses)."""
        return await feeds.calendar_feed_list(user=request.user)

    @delete("/{feed_id:int}", raises=documented(errors.NotFound))
    async def calendar_feed_revoke(self, request: Caller, feed_id: PathId) -> None:
        """Revoke the feed: its address answers 404 from then on."""
        await feeds.calendar_feed_revoke(user=request.user, feed_id=feed_id)


@get(
    "/feeds/{feed_token:str}",
    media_type=calendar.MEDIA_TYPE,
    raises=documented(errors.NotFound),
    include_in_schema=False,
)
async def calendar_feed(feed_token: FeedToken) -> Response[bytes]:
    """A calendar feed by its secret address (no other credential): what the feed's owner may
    see now."""
    token, suffix, rest = feed_token.rpartition(feeds.FEED_SUFFIX)
    if not suffix or rest:
        raise errors.NotFound(feeds.FEED_NOT_FOUND)
    ics = await feeds.calendar_feed_ics(token=token)
    return Response(ics, media_type=calendar.MEDIA_TYPE, headers={"Cache-Control": "private"})
