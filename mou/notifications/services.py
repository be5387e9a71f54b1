"""Writes a user makes to their own notifications: mark read, choose what is mailed."""

from __future__ import annotations

import datetime as dt

import msgspec

from mou import errors
from mou.accounts.tables import User
from mou.audit import audited
from mou.caller import CurrentUser
from mou.notifications import schemas
from mou.notifications.messages import KINDS
from mou.notifications.selectors import NOTIFICATION_COLUMNS
from mou.notifications.tables import Notification

UNKNOWN_KIND = "unknown notification kind(s): {kinds}"


async def notification_read(*, user: CurrentUser, notification_id: int) -> schemas.Notification:
    """Mark one of the caller's notifications read (again: keeps the first time). Another
    user's notification answers exactly like a missing one."""
    mine = (Notification.id == notification_id) & (Notification.user == user.id)

    async def read(_: int) -> schemas.Notification:
        row = await Notification.select(*NOTIFICATION_COLUMNS).where(mine).first()
        if row is None:
            raise errors.NotFound(errors.NOT_FOUND.format(entity="notification"))
        return msgspec.convert(row, schemas.Notification)

    async with audited(
        actor_id=user.actor_id,
        action="read",
        entity="notification",
        entity_id=notification_id,
        read=read,
    ) as write:
        await Notification.update({Notification.read_at: dt.datetime.now(dt.UTC)}).where(
            mine & Notification.read_at.is_null()
        )
    return write.after


async def email_preferences_get(*, user: CurrentUser) -> schemas.EmailPreferences:
    row = await User.select(User.email_muted).where(User.id == user.id).first()
    muted = [kind for kind in (row["email_muted"] if row else "").split(",") if kind]
    return schemas.EmailPreferences(muted=muted, kinds=list(KINDS))


async def email_preferences_update(
    *, user: CurrentUser, data: schemas.EmailPreferencesUpdate
) -> schemas.EmailPreferences:
    """Mute these kinds by email from now on (notifications already pending still go)."""
    unknown = sorted(set(data.muted) - set(KINDS))
    if unknown:
        raise errors.InvalidInput("muted", UNKNOWN_KIND.format(kinds=", ".join(unknown)))
    muted = ",".join(kind for kind in KINDS if kind in data.muted)
    async with audited(
        actor_id=user.actor_id,
        action="update",
        entity="email_preferences",
        entity_id=user.id,
        read=lambda _: email_preferences_get(user=user),
    ) as write:
        await User.update({User.email_muted: muted}).where(User.id == user.id)
    return write.after
