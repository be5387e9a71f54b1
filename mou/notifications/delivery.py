"""Mail pending notifications: claim one, send it, record the outcome; retries back off.

Guarantees: a notification is mailed by one worker at a time (a claim is a conditional update
that only one process wins, on both engines); a failure never reaches the request that caused
the notification (it was committed long before); after ``MOU_MAIL_MAX_ATTEMPTS`` the
notification is ``failed`` with the server's words in ``email_error`` for admins. A worker
killed while sending leaves its claim to expire (``MOU_MAIL_LEASE_SECONDS``), then the
notification is sent again. The one window SMTP itself cannot close: killed after the server
accepted the message and before ``sent`` was written, the message goes out twice.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid

import aiosmtplib
from piccolo.custom_types import Combinable

from mou.notifications.tables import Notification
from mou.settings import Settings

logger = logging.getLogger("mou.notifications")
#: Notifications one delivery run looks at; the next run takes the rest.
BATCH = 200


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0


def _due(now: dt.datetime) -> Combinable:
    claim_free = Notification.email_claimed_until.is_null() | (
        Notification.email_claimed_until < now
    )
    return (
        (Notification.email_status == "pending") & (Notification.email_next_at <= now) & claim_free
    )


async def _claim(notification_id: int, now: dt.datetime, lease: float) -> bool:
    """Hold the notification for this worker; False when another one holds or sent it."""
    won = (
        await Notification.update(
            {Notification.email_claimed_until: now + dt.timedelta(seconds=lease)}
        )
        .where((Notification.id == notification_id) & _due(now))
        .returning(Notification.id)
    )
    return bool(won)


def _message(row: dict[str, object], settings: Settings) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = str(row["email_to"])
    message["Subject"] = str(row["subject"])
    # Stable per notification: a receiving system can tell a resend (see the module docstring).
    message["Message-ID"] = make_msgid(idstring=f"mou-notification-{row['id']}")
    message["X-Mou-Notification"] = str(row["key"])
    message.set_content(str(row["body"]))
    return message


async def mail_send(message: EmailMessage, settings: Settings) -> None:
    """Send one message through the configured SMTP server; raises what the server says."""
    await aiosmtplib.send(
        message,
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        username=settings.smtp_username or None,
        password=settings.smtp_password or None,
        use_tls=settings.smtp_tls == "tls",
        start_tls=settings.smtp_tls == "starttls",
        timeout=settings.smtp_timeout,
    )


async def _outcome(row: dict[str, object], error: Exception | None, settings: Settings) -> str:
    now = dt.datetime.now(dt.UTC)
    attempts = int(str(row["email_attempts"])) + 1
    values: dict[object, object] = {
        Notification.email_attempts: attempts,
        Notification.email_claimed_until: None,
    }
    if error is None:
        outcome = "sent"
        values |= {Notification.email_status: "sent", Notification.email_sent_at: now}
    elif attempts >= settings.mail_max_attempts:
        outcome = "failed"
        values |= {Notification.email_status: "failed", Notification.email_error: str(error)[:500]}
    else:
        outcome = "retrying"
        delay = settings.mail_retry_seconds * 2 ** (attempts - 1)
        values |= {
            Notification.email_next_at: now + dt.timedelta(seconds=delay),
            Notification.email_error: str(error)[:500],
        }
    await Notification.update(values).where(Notification.id == row["id"])  # type: ignore[arg-type]
    return outcome


async def deliveries_run(*, settings: Settings) -> DeliveryReport:
    """Mail every notification due now (one batch); no SMTP host configured: nothing."""
    if not settings.smtp_host:
        return DeliveryReport()
    now = dt.datetime.now(dt.UTC)
    due = (
        await Notification.select(
            Notification.id,
            Notification.key,
            Notification.subject,
            Notification.body,
            Notification.email_to,
            Notification.email_attempts,
        )
        .where(_due(now))
        .order_by(Notification.id)
        .limit(BATCH)
    )
    counts = {"sent": 0, "retrying": 0, "failed": 0}
    for row in due:
        if not await _claim(row["id"], now, settings.mail_lease_seconds):
            continue
        error: Exception | None = None
        try:
            await mail_send(_message(row, settings), settings)
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            error = exc
        outcome = await _outcome(row, error, settings)
        counts[outcome] += 1
        logger.info(
            "notification %s mailed: %s%s", row["id"], outcome, f" ({error})" if error else ""
        )
    return DeliveryReport(**counts)
