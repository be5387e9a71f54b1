from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec

from mou.schemas import Input, Page

EmailStatus = Literal["none", "pending", "sent", "failed"]
NotificationKind = Annotated[str, msgspec.Meta(max_length=40, pattern=r"^[a-z_]+$")]


class Notification(msgspec.Struct):
    id: int
    kind: str
    subject: str
    body: str
    link: str
    created_at: dt.datetime
    read_at: dt.datetime | None
    email_status: EmailStatus


class NotificationPage(Page):
    items: list[Notification]
    #: The caller's unread notifications, whatever the filter.
    unread: int


class MailFailure(msgspec.Struct):
    """A notification whose email failed for good, for admins to act on."""

    id: int
    user_id: int
    kind: str
    subject: str
    email_to: str
    email_attempts: int
    email_error: str
    created_at: dt.datetime


class MailFailurePage(Page):
    items: list[MailFailure]


class EmailPreferences(msgspec.Struct):
    #: Kinds the caller does not want by email (still listed in the app).
    muted: list[str]
    #: Every kind there is.
    kinds: list[str]


class EmailPreferencesUpdate(Input):
    muted: Annotated[list[NotificationKind], msgspec.Meta(max_length=40)]
