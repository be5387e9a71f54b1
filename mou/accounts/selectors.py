"""Reads of users and tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import msgspec

from mou import errors
from mou.accounts import schemas
from mou.accounts.tables import ApiToken, User
from mou.paging import page_of


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


USER_COLUMNS = (
    User.id,
    User.username,
    User.role,
    User.organisation.as_alias("organisation_id"),
    User.person.as_alias("person_id"),
    User.locale,
    User.email,
    User.active,
)


# Runs on every API request: plain SQL, since building the joined query with Piccolo costs
# several times more than running it (bench/list_agreements.py).
_USER_FOR_TOKEN = """
SELECT u.id, u.username, u.role, u.organisation AS organisation_id, u.person AS person_id,
       u.locale, t.id AS token_id
FROM api_token t JOIN mou_user u ON u.id = t."user"
WHERE t.token_hash = {} AND t.revoked_at IS NULL AND t.expires_at > {} AND u.active = {}
"""  # noqa: S105 - SQL, not a password


async def user_for_token(token: str) -> schemas.CurrentUser | None:
    """The active user a bearer token belongs to, or None for an unknown, expired or revoked one."""
    if not token or len(token) > 200:
        return None
    rows = await ApiToken.raw(_USER_FOR_TOKEN, token_digest(token), dt.datetime.now(dt.UTC), True)
    return schemas.CurrentUser(**rows[0]) if rows else None


async def current_user(*, user_id: int) -> schemas.CurrentUser:
    """The user as the services see a caller."""
    found = await user_get(user_id=user_id)
    return schemas.CurrentUser(
        id=found.id,
        username=found.username,
        role=found.role,
        organisation_id=found.organisation_id,
        person_id=found.person_id,
        locale=found.locale,
    )


async def user_get(*, user_id: int) -> schemas.User:
    row = await User.select(*USER_COLUMNS).where(User.id == user_id).first()
    if row is None:
        raise errors.NotFound(errors.NOT_FOUND.format(entity="user"))
    return msgspec.convert(row, schemas.User)


async def user_list(
    *, limit: int, offset: int, organisation_id: int | None = None, role: str | None = None
) -> schemas.UserPage:
    where: list[Any] = []
    if organisation_id is not None:
        where.append(User.organisation == organisation_id)
    if role is not None:
        where.append(User.role == role)
    return await page_of(schemas.UserPage, User, USER_COLUMNS, where, limit=limit, offset=offset)


async def password_hash_of(*, username: str) -> tuple[int, str] | None:
    row = (
        await User.select(User.id, User.password_hash)
        .where((User.username == username) & User.active.eq(True))
        .first()
    )
    return (row["id"], row["password_hash"]) if row else None


TOKEN_COLUMNS = (
    ApiToken.id,
    ApiToken.user.as_alias("user_id"),
    ApiToken.name,
    ApiToken.created_at,
    ApiToken.expires_at,
    ApiToken.revoked_at,
    ApiToken.created_via,
    ApiToken.parent_id,
)


def _own_tokens(user: schemas.CurrentUser) -> Any:
    return None if user.role == "admin" else ApiToken.user == user.id


async def token_get(*, user: schemas.CurrentUser, token_id: int) -> schemas.TokenInfo:
    query = ApiToken.select(*TOKEN_COLUMNS).where(ApiToken.id == token_id)
    own = _own_tokens(user)
    row = await (query.where(own) if own is not None else query).first()
    if row is None:
        raise errors.NotFound(errors.NOT_FOUND.format(entity="token"))
    return msgspec.convert(row, schemas.TokenInfo)


async def token_list(
    *, user: schemas.CurrentUser, limit: int, offset: int, user_id: int | None = None
) -> schemas.TokenPage:
    """The caller's tokens; admins may list anyone's with ``user_id``."""
    where: list[Any] = []
    own = _own_tokens(user)
    if own is not None:
        where.append(own)
    if user_id is not None:
        where.append(ApiToken.user == user_id)
    return await page_of(
        schemas.TokenPage, ApiToken, TOKEN_COLUMNS, where, limit=limit, offset=offset
    )
