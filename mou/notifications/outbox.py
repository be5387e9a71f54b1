"""Write notifications into the outbox, inside the transaction of what causes them.

``notifications_write`` is the one writer: events (``rules``) and reminders (``reminders``)
both call it. The key makes it idempotent; a key already written is left alone, so an event
retried or a reminder job run twice writes nothing new.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from mou.notifications.messages import message_compose
from mou.notifications.recipients import Recipient
from mou.notifications.tables import Notification
from mou.settings import get_settings


def page_link(path: str) -> str:
    """The absolute URL of one of the app's pages (``MOU_BASE_URL`` + ``path``)."""
    return f"{get_settings().base_url}{path}"


def _email_status(recipient: Recipient, kind: str) -> str:
    mailed = get_settings().smtp_host and recipient.email and kind not in recipient.email_muted
    return "pending" if mailed else "none"


async def notifications_write(
    *,
    kind: str,
    key: str,
    recipients: Iterable[Recipient],
    link: str,
    details: dict[str, Any],
    extra: Any = None,
    exclude: int | None = None,
) -> int:
    """One notification of ``kind`` per recipient (``exclude``, the actor, aside), keyed
    ``<key>:user:<id>``; returns how many were new.

    ``extra(language)`` gives the lines between subject and link in that language.
    """
    now = dt.datetime.now(dt.UTC)
    written = 0
    for recipient in recipients:
        if recipient.id == exclude:
            continue
        message = message_compose(
            kind=kind,
            language=recipient.locale,
            link=link,
            details=details,
            extra=extra(recipient.locale) if extra else [],
        )
        status = _email_status(recipient, kind)
        inserted = (
            await Notification.insert(
                Notification(
                    user=recipient.id,
                    kind=kind,
                    key=f"{key}:user:{recipient.id}"[:200],
                    subject=message.subject,
                    body=message.body,
                    link=link,
                    created_at=now,
                    email_status=status,
                    email_to=recipient.email if status == "pending" else "",
                    email_next_at=now if status == "pending" else None,
                )
            )
            .on_conflict(target=Notification.key, action="DO NOTHING")
            .returning(Notification.id)
        )
        written += len(inserted)
    return written
