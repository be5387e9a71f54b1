"""Writes of users and tokens, each in one transaction with its audit event."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

import msgspec

from mou import errors
from mou.accounts import schemas
from mou.accounts.passwords import password_hash, password_verify
from mou.accounts.schemas import CurrentUser
from mou.accounts.selectors import password_hash_of, token_digest, token_get, user_get
from mou.accounts.tables import ApiToken, User
from mou.accounts.throttle import login_attempt_record, login_throttle_check
from mou.audit.services import audit_record
from mou.db import atomic
from mou.parties.tables import Organisation, Person
from mou.references import require_row

USERNAME_TAKEN = "this username is taken"


async def user_create(*, user: CurrentUser, data: schemas.UserCreate) -> schemas.User:
    hashed = await password_hash(data.password)
    async with atomic():
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
        created = await user_get(user_id=row.id)
        await audit_record(
            actor_id=user.actor_id,
            action="create",
            entity="user",
            entity_id=row.id,
            after=msgspec.to_builtins(created),
        )
    return created


async def user_update(*, user: CurrentUser, user_id: int, data: schemas.UserUpdate) -> schemas.User:
    values: dict[Any, Any] = {}
    if data.password is not msgspec.UNSET:
        values["password_hash"] = await password_hash(data.password)
    async with atomic():
        before = await user_get(user_id=user_id)
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
        after = await user_get(user_id=user_id)
        await audit_record(
            actor_id=user.actor_id,
            action="update",
            entity="user",
            entity_id=user_id,
            before=msgspec.to_builtins(before),
            after=msgspec.to_builtins(after),
        )
    return after


async def password_login(*, username: str, password: str, address: str) -> int:
    """The id of the user these credentials belong to, throttled per username and address.

    ``TooManyRequests`` when over the limit, ``NotAuthenticated`` for a wrong or unknown user;
    both outcomes take the same time whether or not the user exists.
    """
    await login_throttle_check(username=username, address=address)
    found = await password_hash_of(username=username)
    verified = await password_verify(found[1] if found else None, password)
    await login_attempt_record(username=username, address=address, succeeded=verified)
    if not verified or found is None:
        raise errors.NotAuthenticated(errors.BAD_CREDENTIALS)
    return found[0]


async def token_issue(
    *, username: str, password: str, name: str, ttl: dt.timedelta, address: str
) -> schemas.Token:
    """A new bearer token for a username and password."""
    user_id = await password_login(username=username, password=password, address=address)
    return await _token_create(user_id=user_id, name=name, ttl=ttl)


async def token_create(*, user: CurrentUser, data: schemas.TokenCreate) -> schemas.Token:
    """A further named token for the caller (for a script, say), shown once."""
    return await _token_create(
        user_id=user.id, name=data.name, ttl=dt.timedelta(days=data.expires_in_days)
    )


async def _token_create(*, user_id: int, name: str, ttl: dt.timedelta) -> schemas.Token:
    token = secrets.token_urlsafe(32)
    now = dt.datetime.now(dt.UTC)
    async with atomic():
        row = ApiToken(
            user=user_id,
            name=name,
            token_hash=token_digest(token),
            created_at=now,
            expires_at=now + ttl,
        )
        await row.save()
        await audit_record(
            actor_id=user_id,
            action="create",
            entity="api_token",
            entity_id=row.id,
            after={"name": name, "expires_at": row.expires_at},
        )
    return schemas.Token(
        id=row.id,
        access_token=token,
        token_type="bearer",  # noqa: S106
        name=name,
        expires_at=now + ttl,
    )


async def token_revoke(*, user: CurrentUser, token_id: int) -> schemas.TokenInfo:
    """Revoke one of the caller's tokens (admins: anyone's); others' tokens do not exist."""
    async with atomic():
        before = await token_get(user=user, token_id=token_id)
        if before.revoked_at is None:
            await ApiToken.update({ApiToken.revoked_at: dt.datetime.now(dt.UTC)}).where(
                ApiToken.id == token_id
            )
        after = await token_get(user=user, token_id=token_id)
        await audit_record(
            actor_id=user.actor_id,
            action="revoke",
            entity="api_token",
            entity_id=token_id,
            before=msgspec.to_builtins(before),
            after=msgspec.to_builtins(after),
        )
    return after
