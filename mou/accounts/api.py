"""JSON endpoints: tokens, the caller, users."""

from __future__ import annotations

import datetime as dt

from litestar import get, patch, post
from litestar.params import FromQuery, JSONBody

from mou import errors
from mou.accounts import schemas, selectors, services
from mou.http import (
    DEFAULT_LIMIT,
    ApiController,
    Caller,
    Limit,
    Offset,
    OptionalId,
    PathId,
    documented,
)
from mou.settings import get_settings


class AuthController(ApiController):
    path = "/api/v1/auth"
    tags = ["auth"]

    @post("/token", status_code=200, security=[], raises=documented(errors.NotAuthenticated))
    async def token_create(self, data: JSONBody[schemas.TokenRequest]) -> schemas.Token:
        """Exchange a username and password for a bearer token."""
        ttl = dt.timedelta(hours=get_settings().token_ttl_hours)
        return await services.token_issue(
            username=data.username, password=data.password, name=data.name, ttl=ttl
        )


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
        organisation_id: OptionalId = None,
        role: FromQuery[schemas.Role | None] = None,
    ) -> schemas.UserPage:
        return await selectors.user_list(
            limit=limit, offset=offset, organisation_id=organisation_id, role=role
        )

    @get("/{user_id:int}", raises=documented(errors.NotFound))
    async def user_get(self, user_id: PathId) -> schemas.User:
        return await selectors.user_get(user_id=user_id)

    @patch("/{user_id:int}", raises=documented(errors.NotFound, errors.InvalidInput))
    async def user_update(
        self, request: Caller, user_id: PathId, data: JSONBody[schemas.UserUpdate]
    ) -> schemas.User:
        return await services.user_update(user=request.user, user_id=user_id, data=data)
