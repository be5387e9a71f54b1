"""Web pages: sign in and out."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import Cookie
from litestar.enums import RequestEncodingType
from litestar.params import Body, QueryParameter
from litestar.response import Redirect, Template

from mou import errors
from mou.accounts.services import password_login
from mou.accounts.sessions import SESSION_COOKIE, session_end, session_start
from mou.settings import Settings, get_settings
from mou.web.proxies import client_address


class LoginForm(msgspec.Struct):
    username: Annotated[str, msgspec.Meta(max_length=150)] = ""
    password: Annotated[str, msgspec.Meta(max_length=1024)] = ""
    next: Annotated[str, msgspec.Meta(max_length=500)] = "/"


def session_cookie(value: str, settings: Settings, *, expire: bool = False) -> Cookie:
    """The web session cookie: HttpOnly, SameSite=Lax, Secure unless in development."""
    return Cookie(
        key=SESSION_COOKIE,
        value=value,
        path="/",
        httponly=True,
        samesite="lax",
        secure=not settings.dev,
        max_age=0 if expire else settings.session_ttl_hours * 3600,
    )


def safe_next(target: str) -> str:
    """Only a path on this site: never an absolute or protocol-relative URL."""
    if not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    return target


class LoginController(Controller):
    include_in_schema = False

    @get("/login")
    async def login_page(
        self, next: Annotated[str, QueryParameter(max_length=500)] = "/"
    ) -> Template:
        return Template(
            "accounts/login.html",
            context={"next": safe_next(next), "username": "", "error": "", "user": None},
        )

    @post("/login", status_code=303)
    async def login(
        self,
        request: Request[Any, Any, Any],
        data: Annotated[LoginForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Redirect | Template:
        try:
            user_id = await password_login(
                username=data.username, password=data.password, address=client_address(request)
            )
        except (errors.NotAuthenticated, errors.TooManyRequests) as exc:
            headers = (
                {"Retry-After": str(exc.retry_after)}
                if isinstance(exc, errors.TooManyRequests)
                else {}
            )
            return Template(
                "accounts/login.html",
                context={
                    "next": safe_next(data.next),
                    "username": data.username,
                    "error": exc.detail,
                    "user": None,
                },
                status_code=exc.status_code,
                headers=headers,
            )
        session_id = await session_start(
            user_id=user_id, replacing=request.cookies.get(SESSION_COOKIE)
        )
        return Redirect(
            safe_next(data.next),
            status_code=303,
            cookies=[session_cookie(session_id, get_settings())],
        )

    @post("/logout", status_code=303)
    async def logout(self, request: Request[Any, Any, Any]) -> Redirect:
        await session_end(request.cookies.get(SESSION_COOKIE))
        return Redirect(
            "/login", status_code=303, cookies=[session_cookie("", get_settings(), expire=True)]
        )
