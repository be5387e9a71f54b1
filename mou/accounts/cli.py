"""What ``mou user ...`` does, apart from parsing its arguments."""

from __future__ import annotations

import msgspec

from mou import errors
from mou.accounts import schemas, services
from mou.accounts.tables import User
from mou.caller import CurrentUser
from mou.db import atomic, database_session
from mou.parties import organisation_create
from mou.parties import schemas as party_schemas
from mou.parties.tables import Organisation
from mou.settings import Settings


async def _organisation_id(name: str) -> int:
    row = (
        await Organisation.select(Organisation.id)
        .where((Organisation.name == name) | (Organisation.short_name == name))
        .first()
    )
    if row:
        return int(row["id"])
    created = await organisation_create(
        user=CurrentUser.system(),
        data=party_schemas.OrganisationCreate(name=name, short_name=name[:60], kind="other"),
    )
    return created.id


async def user_create_command(
    *, settings: Settings, username: str, role: str, organisation: str, password: str
) -> int:
    """Create a user (and its organisation when new); ``ValueError`` says what is wrong."""
    async with database_session(settings):
        try:
            data = msgspec.convert(
                {"username": username, "password": password, "role": role, "organisation_id": 1},
                schemas.UserCreate,
            )
            async with atomic():
                data.organisation_id = await _organisation_id(organisation)
                return (await services.user_create(user=CurrentUser.system(), data=data)).id
        except msgspec.ValidationError as exc:
            raise ValueError(str(exc)) from exc
        except errors.DomainError as exc:
            raise ValueError(exc.detail) from exc


async def user_update_command(
    *, settings: Settings, username: str, role: str | None = None, active: bool | None = None
) -> None:
    """Change a user's role or deactivate them; ``ValueError`` says what is wrong."""
    async with database_session(settings):
        try:
            row = await User.select(User.id).where(User.username == username).first()
            if row is None:
                raise ValueError(f"no user named {username!r}")
            changes: dict[str, object] = {}
            if role is not None:
                changes["role"] = role
            if active is not None:
                changes["active"] = active
            data = msgspec.convert(changes, schemas.UserUpdate)
            await services.user_update(user=CurrentUser.system(), user_id=row["id"], data=data)
        except msgspec.ValidationError as exc:
            raise ValueError(str(exc)) from exc
        except errors.DomainError as exc:
            raise ValueError(exc.detail) from exc
