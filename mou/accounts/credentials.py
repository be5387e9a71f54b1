"""Ending credentials: what a password change, a deactivation or a token's revocation takes
with it.

A user's password change or deactivation ends every token and web session the user has, for
good (reactivating revives none of them). Revoking a token also revokes every token minted from
it without the password, and theirs in turn. Call inside the write's transaction.
"""

from __future__ import annotations

import datetime as dt

from mou.accounts.tables import ApiToken, WebSession
from mou.audit import audited


async def token_descendants_revoke(*, token_id: int, now: dt.datetime) -> list[int]:
    """Revoke the live tokens minted from ``token_id`` (at any depth); their ids."""
    revoked: list[int] = []
    frontier = [token_id]
    while frontier:
        rows = (
            await ApiToken.update({ApiToken.revoked_at: now})
            .where(ApiToken.parent_id.is_in(frontier) & ApiToken.revoked_at.is_null())
            .returning(ApiToken.id)
        )
        frontier = [row["id"] for row in rows]
        revoked.extend(frontier)
    return revoked


async def user_credentials_end(*, actor_id: int | None, user_id: int, reason: str) -> None:
    """Revoke every live token of the user and delete every web session, with an audit event."""
    now = dt.datetime.now(dt.UTC)
    async with audited(
        actor_id=actor_id, action="credentials_end", entity="user", entity_id=user_id
    ) as write:
        tokens = (
            await ApiToken.update({ApiToken.revoked_at: now})
            .where((ApiToken.user == user_id) & ApiToken.revoked_at.is_null())
            .returning(ApiToken.id)
        )
        sessions = (
            await WebSession.delete().where(WebSession.user == user_id).returning(WebSession.id)
        )
        write.after = {
            "reason": reason,
            "tokens_revoked": sorted(row["id"] for row in tokens),
            "sessions_ended": len(sessions),
        }
