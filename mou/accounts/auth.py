"""Authentication: bearer tokens for the JSON API, session cookies for the web pages."""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from mou.accounts.selectors import user_for_token
from mou.accounts.sessions import SESSION_COOKIE, session_user

#: Anchored: Litestar matches these anywhere in the path (litestar#4695).
PUBLIC_PATHS = [
    r"^/health$",
    r"^/ready$",
    r"^/api/v1/auth/token$",
    r"^/schema(/.*)?$",
    r"^/verify/",
    r"^/login$",
    r"^/static/",
    # A calendar feed's address is its own credential (mou.meetings.feeds).
    r"^/feeds/[^/]+$",
]
API_PREFIX = "/api/"

MISSING_TOKEN = "Send Authorization: Bearer <token>; get one from POST /api/v1/auth/token."  # noqa: S105
BAD_TOKEN = "The token is unknown, expired or revoked."  # noqa: S105
NO_SESSION = "Sign in first."


class AuthenticationMiddleware(AbstractAuthenticationMiddleware):
    """API paths take only bearer tokens (so cookies can never drive them: no CSRF there);
    page paths take only the session cookie."""

    async def authenticate_request(self, connection: ASGIConnection) -> AuthenticationResult:
        if connection.url.path.startswith(API_PREFIX):
            scheme, _, token = connection.headers.get("authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise NotAuthorizedException(MISSING_TOKEN)
            user = await user_for_token(token.strip())
            if user is None:
                raise NotAuthorizedException(BAD_TOKEN)
            return AuthenticationResult(user=user, auth="token")
        user = await session_user(connection.cookies.get(SESSION_COOKIE))
        if user is None:
            raise NotAuthorizedException(NO_SESSION)
        return AuthenticationResult(user=user, auth="session")
