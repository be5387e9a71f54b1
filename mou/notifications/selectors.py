"""Reads of notifications: a caller sees their own, never anyone else's."""

from __future__ import annotations

from mou.caller import CurrentUser
from mou.notifications import schemas
from mou.notifications.tables import Notification
from mou.paging import page_of

NOTIFICATION_COLUMNS = (
    Notification.id,
    Notification.kind,
    Notification.subject,
    Notification.body,
    Notification.link,
    Notification.created_at,
    Notification.read_at,
    Notification.email_status,
)


async def notification_list(
    *, user: CurrentUser, unread: bool | None, limit: int, offset: int
) -> schemas.NotificationPage:
    """The caller's notifications, oldest first; ``unread`` true/false filters on read state."""
    mine = Notification.user == user.id
    where = [mine]
    if unread is not None:
        where.append(
            Notification.read_at.is_null() if unread else Notification.read_at.is_not_null()
        )
    unread_count = await Notification.count().where(mine & Notification.read_at.is_null())
    page = await page_of(
        schemas.NotificationPage,
        Notification,
        NOTIFICATION_COLUMNS,
        where,
        limit=limit,
        offset=offset,
        extra={"unread": unread_count},
    )
    return page


async def mail_failure_list(*, limit: int, offset: int) -> schemas.MailFailurePage:
    """Notifications whose email failed after the last retry (admins only, by policy)."""
    return await page_of(
        schemas.MailFailurePage,
        Notification,
        (
            Notification.id,
            Notification.user.as_alias("user_id"),
            Notification.kind,
            Notification.subject,
            Notification.email_to,
            Notification.email_attempts,
            Notification.email_error,
            Notification.created_at,
        ),
        [Notification.email_status == "failed"],
        limit=limit,
        offset=offset,
    )
