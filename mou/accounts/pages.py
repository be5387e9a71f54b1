"""Web pages: sign in and out, and the language every page is written in."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import Cookie
from litestar.enums import RequestEncodingType
from litestar.params import Body, QueryParameter
from litestar.response import Redirect, Template

from mou import errors
from mou.accounts.schemas import UserUpdate
from mou.accounts.services import password_login, user_update
from mou.accounts.sessions import SESSION_COOKIE, session_end, session_start
from mou.i18n import translations
from mou.pages import language_of, page, safe_next
from mou.settings import Settings, get_settings
from mou.web.params import Caller
from mou.web.proxies import client_address


class LoginForm(msgspec.Struct):
    username: Annotated[str, msgspec.Meta(max_length=150)] = ""
    password: Annotated[str, msgspec.Meta(max_length=1024)] = ""
    next: Annotated[str, msgspec.Meta(max_length=500)] = "/"
    #: The language the sign-in page was shown in, kept when the password is wrong.
    lang: Annotated[str, msgspec.Meta(max_length=5)] = ""


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


class LanguageForm(msgspec.Struct):
    locale: Literal["id", "en"]
    next: Annotated[str, msgspec.Meta(max_length=500)] = "/"


def _login_failed(exc: errors.DomainError, language: str) -> str:
    """Why signing in failed, in the page's language."""
    gettext = translations(language).gettext
    if isinstance(exc, errors.TooManyRequests):
        return gettext(errors.TOO_MANY_ATTEMPTS).format(seconds=exc.retry_after)
    return gettext(errors.BAD_CREDENTIALS)


class LoginController(Controller):
    include_in_schema = False

    @get("/login")
    async def login_page(
        self,
        request: Request[Any, Any, Any],
        next: Annotated[str, QueryParameter(max_length=500)] = "/",
    ) -> Template:
        return page(
            request, "accounts/login.html", {"next": safe_next(next), "username": "", "error": ""}
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
            language = data.lang if data.lang in ("id", "en") else language_of(request)
            return page(
                request,
                "accounts/login.html",
                {
                    "next": safe_next(data.next),
                    "username": data.username,
                    "error": _login_failed(exc, language),
                },
                language=language,
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

    @post("/language", status_code=303)
    async def language_set(
        self,
        request: Caller,
        data: Annotated[LanguageForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Redirect:
        """Store the caller's language on their user; every page follows it from now on."""
        user = request.user
        await user_update(user=user, user_id=user.id, data=UserUpdate(locale=data.locale))
        return Redirect(safe_next(data.next), status_code=303)
