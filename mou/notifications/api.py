"""JSON endpoints: the caller's notifications, their email preferences, mail failures."""

from __future__ import annotations

from typing import Annotated

from litestar import get, post, put
from litestar.params import JSONBody, QueryParameter

from mou import errors
from mou.notifications import schemas, selectors, services
from mou.schemas import DEFAULT_LIMIT
from mou.web.bodies import ApiController
from mou.web.openapi import documented
from mou.web.params import Caller, Limit, Offset, PathId

Unread = Annotated[
    bool | None,
    QueryParameter(description="true: unread only; false: read only; unset: all."),
]


class NotificationController(ApiController):
    path = "/api/v1/notifications"
    tags = ["notifications"]

    @get("/")
    async def notification_list(
        self,
        request: Caller,
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
        unread: Unread = None,
    ) -> schemas.NotificationPage:
        """The caller's notifications, oldest first, with the count of unread ones."""
        return await selectors.notification_list(
            user=request.user, unread=unread, limit=limit, offset=offset
        )

    @post("/{notification_id:int}/read", status_code=200, raises=documented(errors.NotFound))
    async def notification_read(
        self, request: Caller, notification_id: PathId
    ) -> schemas.Notification:
        """Mark one of the caller's notifications read."""
        return await services.notification_read(user=request.user, notification_id=notification_id)

    @get("/email-preferences")
    async def email_preferences(self, request: Caller) -> schemas.EmailPreferences:
        """Which kinds of notification the caller does not want by email."""
        return await services.email_preferences_get(user=request.user)

    @put("/email-preferences", raises=documented(errors.InvalidInput))
    async def email_preferences_update(
        self, request: Caller, data: JSONBody[schemas.EmailPreferencesUpdate]
    ) -> schemas.EmailPreferences:
        """Choose the kinds not to mail to the caller (still listed in the app)."""
        return await services.email_preferences_update(user=request.user, data=data)

    @get("/mail-failures")
    async def mail_failures(
        self, limit: Limit = DEFAULT_LIMIT, offset: Offset = 0
    ) -> schemas.MailFailurePage:
        """Admins: notifications whose email failed after the last retry."""
        return await selectors.mail_failure_list(limit=limit, offset=offset)
