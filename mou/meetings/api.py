"""JSON endpoints for meetings and their records."""

from __future__ import annotations

from litestar import Response, get, patch, post
from litestar.params import JSONBody

from mou import errors
from mou.http import (
    DEFAULT_LIMIT,
    ApiController,
    Caller,
    Cursor,
    IfMatch,
    Limit,
    Offset,
    PathId,
    documented,
    etag_headers,
    expected_version,
)
from mou.meetings import attendees, schemas, selectors, services

WRITE_RAISES = (errors.NotFound, errors.InvalidInput, errors.Conflict)


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
        cursor: Cursor = None,
    ) -> schemas.MeetingPage:
        return await selectors.meeting_list(
            user=request.user, agreement_id=agreement_id, limit=limit, offset=offset, cursor=cursor
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
