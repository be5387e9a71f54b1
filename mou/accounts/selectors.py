"""Reads of users and tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import msgspec

from mou import errors
from mou.accounts import queries, schemas
from mou.accounts.tables import ApiToken, User
from mou.caller import CurrentUser, Role
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


async def user_for_token(token: str) -> CurrentUser | None:
    """The active user a bearer token belongs to, or None for an unknown, expired or revoked one."""
    if not token or len(token) > 200:
        return None
    row = await queries.user_row_for_token(
        token_hash=token_digest(token), now=dt.datetime.now(dt.UTC)
    )
    return CurrentUser(**row) if row else None


async def current_user(*, user_id: int) -> CurrentUser:
    """The user as the services see a caller."""
    found = await user_get(user_id=user_id)
    return CurrentUser(
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
    *,
    limit: int,
    offset: int,
    cursor: str | None = None,
    organisation_id: int | None = None,
    role: str | None = None,
) -> schemas.UserPage:
    where: list[Any] = []
    if organisation_id is not None:
        where.append(User.organisation == organisation_id)
    if role is not None:
        where.append(User.role == role)
    return await page_of(
        schemas.UserPage, User, USER_COLUMNS, where, limit=limit, offset=offset, cursor=cursor
    )


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


def _own_tokens(user: CurrentUser) -> Any:
    return None if user.role == Role.ADMIN else ApiToken.user == user.id


async def token_get(*, user: CurrentUser, token_id: int) -> schemas.TokenInfo:
    query = ApiToken.select(*TOKEN_COLUMNS).where(ApiToken.id == token_id)
    own = _own_tokens(user)
    row = await (query.where(own) if own is not None else query).first()
    if row is None:
        raise errors.NotFound(errors.NOT_FOUND.format(entity="token"))
    return msgspec.convert(row, schemas.TokenInfo)


async def token_list(
    *,
    user: CurrentUser,
    limit: int,
    offset: int,
    cursor: str | None = None,
    user_id: int | None = None,
) -> schemas.TokenPage:
    """The caller's tokens; admins may list anyone's with ``user_id``."""
    where: list[Any] = []
    own = _own_tokens(user)
    if own is not None:
        where.append(own)
    if user_id is not None:
        where.append(ApiToken.user == user_id)
    return await page_of(
        schemas.TokenPage, ApiToken, TOKEN_COLUMNS, where, limit=limit, offset=offset, cursor=cursor
    )
