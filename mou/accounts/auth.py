"""Bearer-token authentication for every route that is not explicitly public."""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from mou.accounts.selectors import user_for_token

#: Anchored: Litestar matches these anywhere in the path (litestar#4695).
PUBLIC_PATHS = [r"^/health$", r"^/api/v1/auth/token$", r"^/schema(/.*)?$", r"^/verify/"]

MISSING_TOKEN = "Send Authorization: Bearer <token>; get one from POST /api/v1/auth/token."  # noqa: S105
BAD_TOKEN = "The token is unknown, expired or revoked."  # noqa: S105


class BearerTokenMiddleware(AbstractAuthenticationMiddleware):
    async def authenticate_request(self, connection: ASGIConnection) -> AuthenticationResult:
        scheme, _, token = connection.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise NotAuthorizedException(MISSING_TOKEN)
        user = await user_for_token(token.strip())
        if user is None:
            raise NotAuthorizedException(BAD_TOKEN)
        return AuthenticationResult(user=user, auth=None)
