"""What every web page is rendered with: the caller, their language, labels and formats.

A page handler returns ``page(request, "x.html", {...})``; the template then has ``_`` (the
caller's catalogue), ``label(kind, code)``, ``date``/``when`` (Babel, in the caller's language),
``number`` and ``lang``. The language is the signed-in user's stored choice (``mou_user.locale``),
or for someone not signed in the ``lang`` query parameter of the sign-in page, else Indonesian.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from babel.numbers import format_decimal
from litestar import Request
from litestar.response import Template

from mou import labels
from mou.caller import READERS, CurrentUser
from mou.i18n import LANGUAGES, N_, day_and_date, long_date, time_span, translations
from mou.settings import get_settings

DEFAULT_LANGUAGE = "id"

#: The navigation bar: (path, message id, roles that see it). Meetings, action items and
#: notifications join it with their pages.
NAVIGATION = (
    ("/", N_("Home"), READERS),
    ("/agreements", N_("Agreements"), READERS),
)


def safe_next(target: str) -> str:
    """Only a path on this site to go on to: never an absolute or protocol-relative URL."""
    if not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    return target


def language_of(request: Request[Any, Any, Any]) -> str:
    """The language a page for this request is written in."""
    user = request.scope.get("user")
    if isinstance(user, CurrentUser) and user.locale in LANGUAGES:
        return user.locale
    asked = request.query_params.get("lang")
    return asked if asked in LANGUAGES else DEFAULT_LANGUAGE


def page_context(request: Request[Any, Any, Any], language: str | None = None) -> dict[str, Any]:
    """The values every template may use, in the caller's language."""
    language = language or language_of(request)
    gettext = translations(language).gettext
    user = request.scope.get("user")
    zone = ZoneInfo(get_settings().timezone)
    return {
        "user": user if isinstance(user, CurrentUser) else None,
        "lang": language,
        "path": request.url.path,
        #: Where the language switch comes back to.
        "return_to": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        "navigation": [
            (path, gettext(name))
            for path, name, roles in NAVIGATION
            if isinstance(user, CurrentUser) and user.role in roles
        ],
        "_": gettext,
        "gettext": gettext,
        "label": lambda kind, code: labels.label(kind, code, gettext),
        "date": lambda value: long_date(value, language) if value else "",
        "day": lambda value: day_and_date(value, language) if value else "",
        "when": lambda value: _when(value, language),
        "moment": lambda value: _when(value.astimezone(zone), language),
        "number": lambda value: format_decimal(value, locale=language),
    }


def _when(value: dt.datetime | None, language: str) -> str:
    """ "Senin, 23 Oktober 2023, 10.00 WIB" in the moment's own zone."""
    if value is None:
        return ""
    return f"{day_and_date(value.date(), language)}, {time_span(value, None, language)}"


def page(
    request: Request[Any, Any, Any],
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    language: str | None = None,
) -> Template:
    """A full page in the caller's language (or ``language``, for someone not signed in)."""
    return Template(
        template,
        context={**page_context(request, language), **(context or {})},
        status_code=status_code,
        headers=headers,
    )


def error_page(
    request: Request[Any, Any, Any],
    template: str,
    context: dict[str, Any],
    status_code: int,
    headers: dict[str, str],
) -> Template:
    """The error page ``mou.web.negotiation`` answers a browser with."""
    return page(request, template, context, status_code=status_code, headers=headers)
