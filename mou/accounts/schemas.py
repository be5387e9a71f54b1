from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Literal

import msgspec

from mou.schemas import Id, Input, Page

Role = Literal["admin", "manager", "liaison", "viewer"]
Locale = Literal["id", "en"]
Username = Annotated[str, msgspec.Meta(min_length=3, max_length=150, pattern=r"^[A-Za-z0-9_.@-]+$")]
Password = Annotated[str, msgspec.Meta(min_length=10, max_length=1024)]


@dataclass(frozen=True, slots=True)
class CurrentUser:
    """The authenticated caller, as every service and selector receives it."""

    id: int
    username: str
    role: str
    organisation_id: int
    person_id: int | None
    locale: str
    #: The API token this request came with; None for a web session or the system.
    token_id: int | None = None

    @property
    def actor_id(self) -> int | None:
        """The id audit events record; None for the system itself."""
        return self.id or None

    @classmethod
    def system(cls) -> CurrentUser:
        """The system acting on its own (commands, periodic jobs): sees everything."""
        return cls(
            id=0, username="system", role="admin", organisation_id=0, person_id=None, locale="id"
        )


class TokenRequest(msgspec.Struct):
    username: Annotated[str, msgspec.Meta(min_length=1, max_length=150)]
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=1024)]
    #: A name for the token, to tell tokens apart when listing them.
    name: Annotated[str, msgspec.Meta(max_length=100)] = ""


#: How a token was obtained: a password (a login, or typed again), or another token.
CreatedVia = Literal["password", "token"]


class Token(msgspec.Struct):
    """A new token: ``access_token`` is shown this once and never stored."""

    id: int
    access_token: str
    token_type: str
    name: str
    expires_at: dt.datetime
    created_via: CreatedVia
    #: The token this one was minted with (``created_via: token``); it dies with that one.
    parent_id: int | None


class TokenCreate(Input):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    #: Unset: as long as a login's token (``MOU_TOKEN_TTL_HOURS``), never past the caller's
    #: token. Longer needs ``password``; at most ``MOU_TOKEN_MAX_DAYS``.
    expires_in_days: Annotated[int, msgspec.Meta(ge=1, le=3660)] | msgspec.UnsetType = msgspec.UNSET
    #: The caller's password, typed again: the token then stands on its own.
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=1024)] | msgspec.UnsetType = (
        msgspec.UNSET
    )


class TokenInfo(msgspec.Struct):
    id: int
    user_id: int
    name: str
    created_at: dt.datetime
    expires_at: dt.datetime
    revoked_at: dt.datetime | None
    created_via: CreatedVia
    parent_id: int | None


class TokenPage(Page):
    items: list[TokenInfo]


class User(msgspec.Struct):
    id: int
    username: str
    role: Role
    organisation_id: int
    person_id: int | None
    locale: Locale
    active: bool


class UserCreate(Input):
    username: Username
    password: Password
    role: Role
    organisation_id: Id
    person_id: Id | None = None
    locale: Locale = "id"


class UserUpdate(Input):
    role: Role | msgspec.UnsetType = msgspec.UNSET
    organisation_id: Id | msgspec.UnsetType = msgspec.UNSET
    person_id: Id | msgspec.UnsetType | None = msgspec.UNSET
    locale: Locale | msgspec.UnsetType = msgspec.UNSET
    active: bool | msgspec.UnsetType = msgspec.UNSET
    password: Password | msgspec.UnsetType = msgspec.UNSET


class UserPage(Page):
    items: list[User]
