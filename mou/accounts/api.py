"""JSON endpoints: tokens, the caller, users."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
from litestar import Request, delete, get, patch, post
from litestar.params import FromQuery, JSONBody

from mou import errors
from mou.accounts import schemas, selectors, services
from mou.caller import CurrentUser, Role
from mou.schemas import DEFAULT_LIMIT
from mou.settings import get_settings
from mou.web.bodies import ApiController
from mou.web.openapi import documented
from mou.web.params import Caller, Cursor, Limit, Offset, OptionalId, PathId
from mou.web.proxies import client_address

SELF_DEACTIVATION = "you cannot deactivate the account you are signed in with"
SELF_DEMOTION = "you cannot change the role of the account you are signed in with"


class AuthController(ApiController):
    path = "/api/v1/auth"
    tags = ["auth"]

    @post(
        "/token",
        status_code=200,
        security=[],
        raises=documented(errors.NotAuthenticated, errors.TooManyRequests),
    )
    async def auth_token(
        self, request: Request[Any, Any, Any], data: JSONBody[schemas.TokenRequest]
    ) -> schemas.Token:
        """Exchange a username and password for a bearer token (throttled: 429 when over)."""
        ttl = dt.timedelta(hours=get_settings().token_ttl_hours)
        return await services.token_issue(
            username=data.username,
            password=data.password,
            name=data.name,
            ttl=ttl,
            address=client_address(request),
        )


class TokenController(ApiController):
    path = "/api/v1/tokens"
    tags = ["auth"]

    @post("/", raises=documented(errors.InvalidInput, errors.TooManyRequests))
    async def token_create(
        self, request: Caller, data: JSONBody[schemas.TokenCreate]
    ) -> schemas.Token:
        """A further named token for the caller, shown once. Longer than a login's token only
        with the caller's password (throttled like a login); revoked with its parent otherwise."""
        return await services.token_create(
            user=request.user, data=data, address=client_address(request)
        )

    @get("/")
    async def token_list(
        self,
        request: Caller,
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
        cursor: Cursor = None,
        user_id: OptionalId = None,
    ) -> schemas.TokenPage:
        """The caller's tokens (admins: anyone's, filtered by ``user_id``)."""
        return await selectors.token_list(
            user=request.user, limit=limit, offset=offset, cursor=cursor, user_id=user_id
        )

    @delete("/{token_id:int}", status_code=200, raises=documented(errors.NotFound))
    async def token_revoke(self, request: Caller, token_id: PathId) -> schemas.TokenInfo:
        """Revoke a token at once; it answers 401 from then on."""
        return await services.token_revoke(user=request.user, token_id=token_id)


class MeController(ApiController):
    path = "/api/v1/me"
    tags = ["auth"]

    @get("/")
    async def me(self, request: Caller) -> schemas.User:
        """The authenticated user."""
        return await selectors.user_get(user_id=request.user.id)


class UserController(ApiController):
    path = "/api/v1/users"
    tags = ["users"]

    @post("/", raises=documented(errors.InvalidInput))
    async def user_create(
        self, request: Caller, data: JSONBody[schemas.UserCreate]
    ) -> schemas.User:
        return await services.user_create(user=request.user, data=data)

    @get("/")
    async def user_list(
        self,
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
        cursor: Cursor = None,
        organisation_id: OptionalId = None,
        role: FromQuery[Role | None] = None,
    ) -> schemas.UserPage:
        return await selectors.user_list(
            limit=limit, offset=offset, cursor=cursor, organisation_id=organisation_id, role=role
        )

    @get("/{user_id:int}", raises=documented(errors.NotFound))
    async def user_get(self, user_id: PathId) -> schemas.User:
        return await selectors.user_get(user_id=user_id)

    @patch("/{user_id:int}", raises=documented(errors.NotFound, errors.InvalidInput))
    async def user_update(
        self, request: Caller, user_id: PathId, data: JSONBody[schemas.UserUpdate]
    ) -> schemas.User:
        if user_id == request.user.id:
            _refuse_self_lockout(request.user, data)
        return await services.user_update(user=request.user, user_id=user_id, data=data)


def _refuse_self_lockout(caller: CurrentUser, data: schemas.UserUpdate) -> None:
    """A caller may not deactivate or demote the account it is signed in with: nobody else
    might be left to undo it."""
    if data.active is False:
        raise errors.InvalidInput("active", SELF_DEACTIVATION)
    if data.role is not msgspec.UNSET and data.role != caller.role:
        raise errors.InvalidInput("role", SELF_DEMOTION)
