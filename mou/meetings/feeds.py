"""Private calendar feeds: a per-user iCalendar address of the meetings of their agreements.

The address carries a random token, stored only as its SHA-256 (like API tokens), so the
address alone is the credential: calendar apps cannot log in. Each request answers what the
feed's owner may see at that moment (``mou.policy``), nothing once the owner is deactivated
or the feed revoked, and only a bounded window (``FEED_PAST_DAYS`` back, at most
``FEED_MAX_EVENTS`` meetings). An unknown, revoked or orphaned token is one and the same 404.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

import msgspec

from mou import errors
from mou.accounts.schemas import CurrentUser
from mou.accounts.selectors import current_user, token_digest
from mou.audit import NothingWritten, audited
from mou.meetings import schemas
from mou.meetings.calendar import calendar_build, meeting_events
from mou.meetings.selectors import visible_meetings_clause
from mou.meetings.tables import CalendarFeed, Meeting
from mou.settings import get_settings

#: Meetings that started longer ago than this are left out of feeds.
FEED_PAST_DAYS = 90
#: At most this many meetings per feed answer, soonest first.
FEED_MAX_EVENTS = 1_000
#: Live feeds one user may hold.
MAX_FEEDS = 20
TOO_MANY_FEEDS = "You have {limit} calendar feeds already; revoke one first."
FEED_NOT_FOUND = errors.NOT_FOUND.format(entity="calendar feed")
#: The public path of a feed; the token is the rest of the last segment.
FEED_PATH = "/feeds/{token}.ics"
FEED_SUFFIX = ".ics"


def _own_live_feeds(user: CurrentUser) -> Any:
    return (CalendarFeed.user == user.id) & CalendarFeed.revoked_at.is_null()


def _revocable_feeds(user: CurrentUser, feed_id: int) -> Any:
    """The caller's feed ``feed_id``; for an admin anyone's (to shut a leaked address)."""
    where = CalendarFeed.id == feed_id
    return where if user.role == "admin" else where & (CalendarFeed.user == user.id)


async def calendar_feed_create(
    *, user: CurrentUser, data: schemas.CalendarFeedCreate
) -> schemas.CalendarFeedCreated:
    """A new feed for the caller; its ``url`` (with the secret) is returned this once."""
    token = secrets.token_urlsafe(32)
    async with audited(actor_id=user.actor_id, action="create", entity="calendar_feed") as write:
        if await CalendarFeed.count().where(_own_live_feeds(user)) >= MAX_FEEDS:
            raise errors.Conflict(TOO_MANY_FEEDS.format(limit=MAX_FEEDS))
        row = CalendarFeed(
            user=user.id,
            name=data.name,
            token_hash=token_digest(token),
            created_at=dt.datetime.now(dt.UTC),
        )
        await row.save()
        write.entity_id = row.id
        write.after = {"name": data.name}
    url = get_settings().base_url + FEED_PATH.format(token=token)
    return schemas.CalendarFeedCreated(id=row.id, name=data.name, url=url)


async def calendar_feed_list(*, user: CurrentUser) -> schemas.CalendarFeedList:
    """The caller's live feeds, oldest first; never their addresses."""
    rows = (
        await CalendarFeed.select(CalendarFeed.id, CalendarFeed.name, CalendarFeed.created_at)
        .where(_own_live_feeds(user))
        .order_by(CalendarFeed.id)
    )
    return schemas.CalendarFeedList(items=msgspec.convert(rows, list[schemas.CalendarFeed]))


async def calendar_feed_revoke(*, user: CurrentUser, feed_id: int) -> None:
    """Revoke one of the caller's feeds (admins: anyone's); its address answers 404 from then
    on. Revoking twice is the same as once; others' feeds do not exist."""
    async with audited(
        actor_id=user.actor_id, action="revoke", entity="calendar_feed", entity_id=feed_id
    ) as write:
        row = await (
            CalendarFeed.select(CalendarFeed.name, CalendarFeed.revoked_at)
            .where(_revocable_feeds(user, feed_id))
            .first()
        )
        if row is None:
            raise errors.NotFound(FEED_NOT_FOUND)
        if row["revoked_at"] is not None:
            raise NothingWritten
        await CalendarFeed.update({CalendarFeed.revoked_at: dt.datetime.now(dt.UTC)}).where(
            CalendarFeed.id == feed_id
        )
        write.before = {"name": row["name"]}


async def calendar_feed_ics(*, token: str) -> bytes:
    """The feed behind ``token`` as an iCalendar file, as its owner may see it now;
    ``NotFound`` for an unknown or revoked token or a deactivated owner."""
    if not token or len(token) > 200:
        raise errors.NotFound(FEED_NOT_FOUND)
    feed = await (
        CalendarFeed.select(CalendarFeed.user, CalendarFeed.name)
        .where(
            (CalendarFeed.token_hash == token_digest(token))
            & CalendarFeed.revoked_at.is_null()
            & (CalendarFeed.user.active == True)  # noqa: E712 - a Piccolo clause
        )
        .first()
    )
    if feed is None:
        raise errors.NotFound(FEED_NOT_FOUND)
    owner = await current_user(user_id=feed["user"])
    since = dt.datetime.now(dt.UTC) - dt.timedelta(days=FEED_PAST_DAYS)
    where = Meeting.starts_at >= since
    clause = await visible_meetings_clause(owner)
    meetings = await meeting_events(
        where if clause is None else where & clause, limit=FEED_MAX_EVENTS
    )
    return calendar_build(meetings, name=feed["name"])
