"""Server-side web sessions, kept in the database so every app process shares them.

The cookie holds a random id; the database holds only its SHA-256. A session ends at logout,
at expiry, or as soon as its user is deactivated (the lookup joins the active flag).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from mou.accounts.schemas import CurrentUser
from mou.accounts.tables import WebSession
from mou.audit import NothingWritten, audited
from mou.settings import get_settings

SESSION_COOKIE = "mou_session"


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


async def session_start(*, user_id: int, replacing: str | None) -> str:
    """A new session id for ``user_id``; the session the browser had before is voided.

    Keeping a session id across login would let a planted cookie become a logged-in session.
    """
    session_id = secrets.token_urlsafe(32)
    now = dt.datetime.now(dt.UTC)
    ttl = dt.timedelta(hours=get_settings().session_ttl_hours)
    async with audited(actor_id=user_id, action="login", entity="web_session") as write:
        if replacing:
            await WebSession.delete().where(WebSession.key_hash == _digest(replacing))
        row = WebSession(
            key_hash=_digest(session_id), user=user_id, created_at=now, expires_at=now + ttl
        )
        await row.save()
        write.entity_id = row.id
    return session_id


# Runs on every page request: plain SQL, like the token lookup.
_USER_FOR_SESSION = """
SELECT u.id, u.username, u.role, u.organisation AS organisation_id, u.person AS person_id,
       u.locale
FROM web_session s JOIN mou_user u ON u.id = s."user"
WHERE s.key_hash = {} AND s.expires_at > {} AND u.active = {}
"""


async def session_user(session_id: str | None) -> CurrentUser | None:
    """The active user of a live session, or None."""
    if not session_id or len(session_id) > 200:
        return None
    rows = await WebSession.raw(
        _USER_FOR_SESSION, _digest(session_id), dt.datetime.now(dt.UTC), True
    )
    return CurrentUser(**rows[0]) if rows else None


async def session_end(session_id: str | None) -> None:
    """Void the session at once; its cookie no longer authenticates anywhere."""
    if not session_id:
        return
    row = (
        await WebSession.select(WebSession.id, WebSession.user)
        .where(WebSession.key_hash == _digest(session_id))
        .first()
    )
    if row is None:
        return
    async with audited(
        actor_id=row["user"], action="logout", entity="web_session", entity_id=row["id"]
    ):
        deleted = (
            await WebSession.delete().where(WebSession.id == row["id"]).returning(WebSession.id)
        )
        if not deleted:
            # A concurrent logout ended it first, and recorded that.
            raise NothingWritten
