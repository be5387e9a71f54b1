"""Writes of users and tokens, each in one transaction with its audit event."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

import msgspec

from mou import errors
from mou.accounts import schemas
from mou.accounts.credentials import token_descendants_revoke, user_credentials_end
from mou.accounts.passwords import password_hash, password_verify
from mou.accounts.schemas import CurrentUser
from mou.accounts.selectors import password_hash_of, token_digest, token_get, user_get
from mou.accounts.tables import ApiToken, User
from mou.accounts.throttle import login_attempt_reserve, login_attempt_settle
from mou.audit import audited
from mou.db import atomic
from mou.parties.tables import Organisation, Person
from mou.references import require_row
from mou.settings import get_settings

USERNAME_TAKEN = "this username is taken"
TOKEN_TOO_LONG = "a token lives at most {days} days"  # noqa: S105
TOKEN_NEEDS_PASSWORD = "a token living over {hours} hours needs your password"  # noqa: S105
WRONG_PASSWORD = "this is not your password"  # noqa: S105


async def user_create(*, user: CurrentUser, data: schemas.UserCreate) -> schemas.User:
    hashed = await password_hash(data.password)
    async with audited(
        actor_id=user.actor_id,
        action="create",
        entity="user",
        read=lambda user_id: user_get(user_id=user_id),
    ) as write:
        await require_row(Organisation, data.organisation_id, field="organisation_id")
        await require_row(Person, data.person_id, field="person_id")
        if await User.exists().where(User.username == data.username):
            raise errors.InvalidInput("username", USERNAME_TAKEN)
        row = User(
            username=data.username,
            password_hash=hashed,
            role=data.role,
            organisation=data.organisation_id,
            person=data.person_id,
            locale=data.locale,
            active=True,
        )
        await row.save()
        write.entity_id = row.id
    return write.after


async def user_update(*, user: CurrentUser, user_id: int, data: schemas.UserUpdate) -> schemas.User:
    """Change a user. A new password or a deactivation ends every token and web session the
    user has, in the same transaction (``credentials.user_credentials_end``)."""
    values: dict[Any, Any] = {}
    if data.password is not msgspec.UNSET:
        values["password_hash"] = await password_hash(data.password)
    # The update's event comes first, then the credentials' end: one transaction for both.
    async with atomic():
        async with audited(
            actor_id=user.actor_id,
            action="update",
            entity="user",
            entity_id=user_id,
            read=lambda user_id: user_get(user_id=user_id),
        ) as write:
            await _user_write(user_id, data, values)
        reason = _credentials_end_reason(data)
        if reason:
            await user_credentials_end(actor_id=user.actor_id, user_id=user_id, reason=reason)
    return write.after


async def _user_write(user_id: int, data: schemas.UserUpdate, values: dict[Any, Any]) -> None:
    """Check the references ``data`` names and write the changed columns."""
    if data.organisation_id is not msgspec.UNSET:
        await require_row(Organisation, data.organisation_id, field="organisation_id")
        values["organisation"] = data.organisation_id
    if data.person_id is not msgspec.UNSET:
        await require_row(Person, data.person_id, field="person_id")
        values["person"] = data.person_id
    for name in ("role", "locale", "active"):
        value = getattr(data, name)
        if value is not msgspec.UNSET:
            values[name] = value
    if values:
        await User.update(values, force=True).where(User.id == user_id)


def _credentials_end_reason(data: schemas.UserUpdate) -> str | None:
    """Why this change ends the user's tokens and sessions, or None when it does not."""
    if data.active is False:
        return "deactivated"
    if data.password is not msgspec.UNSET:
        return "password changed"
    return None


async def password_login(*, username: str, password: str, address: str) -> int:
    """The id of the user these credentials belong to, throttled per username and address.

    ``TooManyRequests`` when over the limit, ``NotAuthenticated`` for a wrong or unknown user;
    both outcomes take the same time whether or not the user exists.
    """
    # Reserved before the check, so concurrent requests never check more than the limit.
    attempt_id = await login_attempt_reserve(username=username, address=address)
    found = await password_hash_of(username=username)
    verified = await password_verify(found[1] if found else None, password)
    await login_attempt_settle(attempt_id=attempt_id, succeeded=verified)
    if not verified or found is None:
        raise errors.NotAuthenticated(errors.BAD_CREDENTIALS)
    return found[0]


async def token_issue(
    *, username: str, password: str, name: str, ttl: dt.timedelta, address: str
) -> schemas.Token:
    """A new bearer token for a username and password."""
    user_id = await password_login(username=username, password=password, address=address)
    expires_at = dt.datetime.now(dt.UTC) + ttl
    return await _token_create(
        user_id=user_id, name=name, expires_at=expires_at, created_via="password"
    )


async def token_create(
    *, user: CurrentUser, data: schemas.TokenCreate, address: str
) -> schemas.Token:
    """A further named token for the caller (for a script, say), shown once.

    Without ``password`` it lives at most as long as a login's token, never past the token it is
    minted with, and is revoked with it (``created_via: token``). A longer life, up to
    ``token_max_days``, needs the caller's password typed again, throttled like a login.
    """
    settings = get_settings()
    if data.expires_in_days is not msgspec.UNSET and data.expires_in_days > settings.token_max_days:
        raise errors.InvalidInput(
            "expires_in_days", TOKEN_TOO_LONG.format(days=settings.token_max_days)
        )
    login_ttl = dt.timedelta(hours=settings.token_ttl_hours)
    asked = (
        login_ttl
        if data.expires_in_days is msgspec.UNSET
        else dt.timedelta(days=data.expires_in_days)
    )
    now = dt.datetime.now(dt.UTC)
    if data.password is not msgspec.UNSET:
        await _password_confirm(user=user, password=data.password, address=address)
        return await _token_create(
            user_id=user.id, name=data.name, expires_at=now + asked, created_via="password"
        )
    if asked > login_ttl:
        raise errors.InvalidInput(
            "password", TOKEN_NEEDS_PASSWORD.format(hours=settings.token_ttl_hours)
        )
    parent = await ApiToken.select(ApiToken.expires_at).where(ApiToken.id == user.token_id).first()
    expires_at = min(now + asked, parent["expires_at"]) if parent else now + asked
    return await _token_create(
        user_id=user.id,
        name=data.name,
        expires_at=expires_at,
        created_via="token",
        parent_id=user.token_id,
    )


async def _password_confirm(*, user: CurrentUser, password: str, address: str) -> None:
    """``InvalidInput`` on ``password`` unless it is the caller's (throttled like a login)."""
    try:
        await password_login(username=user.username, password=password, address=address)
    except errors.NotAuthenticated:
        raise errors.InvalidInput("password", WRONG_PASSWORD) from None


async def _token_create(
    *,
    user_id: int,
    name: str,
    expires_at: dt.datetime,
    created_via: schemas.CreatedVia,
    parent_id: int | None = None,
) -> schemas.Token:
    token = secrets.token_urlsafe(32)
    async with audited(actor_id=user_id, action="create", entity="api_token") as write:
        row = ApiToken(
            user=user_id,
            name=name,
            token_hash=token_digest(token),
            created_at=dt.datetime.now(dt.UTC),
            expires_at=expires_at,
            created_via=created_via,
            parent_id=parent_id,
        )
        await row.save()
        write.entity_id = row.id
        write.after = {
            "name": name,
            "expires_at": expires_at,
            "created_via": created_via,
            "parent_id": parent_id,
        }
    return schemas.Token(
        id=row.id,
        access_token=token,
        token_type="bearer",  # noqa: S106
        name=name,
        expires_at=expires_at,
        created_via=created_via,
        parent_id=parent_id,
    )


async def token_revoke(*, user: CurrentUser, token_id: int) -> schemas.TokenInfo:
    """Revoke one of the caller's tokens (admins: anyone's); others' tokens do not exist.

    The tokens minted from it without the password go with it (``token_descendants_revoke``).
    """
    now = dt.datetime.now(dt.UTC)
    async with audited(
        actor_id=user.actor_id,
        action="revoke",
        entity="api_token",
        entity_id=token_id,
        read=lambda token_id: token_get(user=user, token_id=token_id),
    ) as write:
        if write.before.revoked_at is None:
            await ApiToken.update({ApiToken.revoked_at: now}).where(ApiToken.id == token_id)
        descendants = await token_descendants_revoke(token_id=token_id, now=now)
        write.noted["descendants_revoked"] = descendants
    return write.after
