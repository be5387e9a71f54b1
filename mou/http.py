"""HTTP plumbing shared by the controllers: problem+json errors, path ids, If-Match, paging."""

from __future__ import annotations

import errno
import logging
import re
import socket
import sqlite3
from collections.abc import AsyncIterator
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network
from typing import Annotated, Any
from urllib.parse import quote

import asyncpg
import msgspec
from litestar import Controller, Request, Response
from litestar.datastructures import Cookie
from litestar.exceptions import HTTPException, ValidationException
from litestar.params import HeaderParameter, PathParameter, QueryParameter
from litestar.response import Redirect, Stream
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from litestar.types import BeforeRequestHookHandler

from mou import errors
from mou.accounts.schemas import CurrentUser
from mou.accounts.sessions import SESSION_COOKIE
from mou.i18n import Language
from mou.pages import page
from mou.schemas import DEFAULT_LIMIT, MAX_ID, MAX_LIMIT, TEXT_PATTERN
from mou.settings import Settings

logger = logging.getLogger("mou")

PROBLEM_JSON = "application/problem+json"
#: Where ``create_app`` keeps the trusted proxies' networks (``app.state``).
PROXIES_STATE = "trusted_proxies"

#: A request whose ``user`` is the authenticated caller.
Caller = Request[CurrentUser, Any, Any]
SearchText = Annotated[
    str | None,
    QueryParameter(max_length=200, pattern=TEXT_PATTERN, description="Text to search for."),
]
OptionalId = Annotated[int | None, QueryParameter(ge=1, le=MAX_ID)]
PathId = Annotated[int, PathParameter(ge=1, le=MAX_ID, description="Integer id.")]
Limit = Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT, description="Page size.")]
Offset = Annotated[int, QueryParameter(ge=0, le=MAX_ID, description="Items to skip.")]
LanguageQuery = Annotated[
    Language, QueryParameter(description="Language of headers and labels: id (default) or en.")
]
IfMatch = Annotated[
    str | None,
    HeaderParameter(
        name="If-Match",
        required=False,
        max_length=40,
        description='The version last read, in double quotes: "3".',
    ),
]
__all__ = [
    "DEFAULT_LIMIT",
    "ApiController",
    "Caller",
    "IfMatch",
    "LanguageQuery",
    "Limit",
    "Offset",
    "OptionalId",
    "PathId",
    "SearchText",
]


NUL_IN_TEXT = "must not contain the NUL character (\\u0000)"
#: No request body of this API nests deeper than a few levels; far deeper ones are refused
#: before anything walks them (900 levels used to end in a RecursionError and a 500).
MAX_BODY_DEPTH = 32
TOO_DEEP = f"nested deeper than {MAX_BODY_DEPTH} levels"


class _Refused(ValueError):
    """A decoded body refused before conversion, naming the field and why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(field)
        self.field = field
        self.message = message


def _evened(value: Any, path: str = "", depth: int = 0) -> Any:
    """The decoded body, ready for a strict conversion: a whole-number float becomes an int
    (JSON Schema counts ``1.0`` as an integer; msgspec's strict mode does not), text with a
    NUL character is refused (PostgreSQL cannot store it; SQLite would), and so is nesting
    deeper than ``MAX_BODY_DEPTH``."""
    if isinstance(value, str):
        if "\x00" in value:
            raise _Refused(path or "body", NUL_IN_TEXT)
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list | dict) and depth >= MAX_BODY_DEPTH:
        raise _Refused(path or "body", TOO_DEEP)
    if isinstance(value, list):
        return [_evened(item, f"{path}[{index}]", depth + 1) for index, item in enumerate(value)]
    if isinstance(value, dict):
        return {
            key: _evened(item, f"{path}.{key}" if path else key, depth + 1)
            for key, item in value.items()
        }
    return value


def _body_error(field: str, message: str) -> ValidationException:
    error = {"key": field, "message": message, "source": "body"}
    return ValidationException(f"{field}: {message}", extra=[error])


async def strict_json_body(request: Request[Any, Any, Any]) -> None:
    """Refuse a JSON body that does not match its type exactly (400, naming the field).

    Litestar converts bodies leniently (``strict=False``, for query strings' sake): ``0`` would
    pass for ``false``, ``"7"`` for ``7`` and a number of seconds for a datetime, none of which
    the OpenAPI document allows. This ``before_request`` hook checks the body strictly first.
    """
    field = request.route_handler.parsed_fn_signature.parameters.get("data")
    if field is None:
        return
    body = await request.body()
    if not body:
        if field.is_optional or field.has_default:
            return
        raise _body_error("body", "Send a JSON body.")
    try:
        value = _evened(msgspec.json.decode(body))
    except (msgspec.DecodeError, UnicodeDecodeError) as exc:
        raise _body_error("body", f"Not JSON: {exc}") from None
    except RecursionError:
        # msgspec's own limit, far beyond MAX_BODY_DEPTH: the same refusal.
        raise _body_error("body", TOO_DEEP) from None
    except _Refused as exc:
        raise _body_error(exc.field, exc.message) from None
    try:
        msgspec.convert(value, field.annotation, strict=True)
    except msgspec.ValidationError as exc:
        message = str(exc)
        raise _body_error(_field_of("", message), message.split(" - at `$")[0]) from None


class ApiController(Controller):
    """A JSON API controller: request bodies are held to their declared types exactly."""

    before_request: BeforeRequestHookHandler | None = strict_json_body


_DOCUMENTED: dict[type[errors.DomainError], type[HTTPException]] = {}


def documented(*domain_errors: type[errors.DomainError]) -> list[type[HTTPException]]:
    """``raises=`` for a handler: the statuses its services' errors map to, for OpenAPI only."""
    for error in domain_errors:
        if error not in _DOCUMENTED:
            _DOCUMENTED[error] = type(
                error.__name__, (HTTPException,), {"status_code": error.status_code}
            )
    return [_DOCUMENTED[error] for error in domain_errors]


def proxy_networks(settings: Settings) -> tuple[IPv4Network | IPv6Network, ...]:
    """``MOU_TRUSTED_PROXIES`` read as networks; a malformed entry stops the app at start."""
    return tuple(ip_network(item, strict=False) for item in settings.trusted_proxies)


def _is_proxy(address: str, proxies: tuple[IPv4Network | IPv6Network, ...]) -> bool:
    try:
        ip = ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in proxies)


def client_address(request: Request[Any, Any, Any]) -> str:
    """The caller's address: the peer, or, when the peer is a trusted proxy, the nearest
    ``X-Forwarded-For`` hop that is not one (hops further left are the client's to invent)."""
    proxies: tuple[IPv4Network | IPv6Network, ...] = request.app.state.get(PROXIES_STATE, ())
    address = request.client.host if request.client else "unknown"
    if not _is_proxy(address, proxies):
        return address
    forwarded = ",".join(request.headers.getall("x-forwarded-for", []))
    for hop in reversed([hop.strip() for hop in forwarded.split(",") if hop.strip()]):
        address = hop
        if not _is_proxy(hop, proxies):
            break
    return address


def expected_version(if_match: str | None) -> int:
    """The version an ``If-Match`` header names; 428 when absent, 412 when unreadable or weak.

    RFC 9110 compares ``If-Match`` strongly: a weak tag (``W/"3"``) never matches.
    """
    if if_match is None or not if_match.strip():
        raise errors.PreconditionRequired(errors.IF_MATCH_REQUIRED)
    tag = if_match.strip()
    if tag.startswith("W/"):
        raise errors.PreconditionFailed(errors.IF_MATCH_WEAK)
    raw = tag.strip('"')
    if not raw.isdigit() or len(raw) > 10:
        raise errors.PreconditionFailed(errors.IF_MATCH_REQUIRED)
    return int(raw)


def download(content: AsyncIterator[bytes] | bytes, *, media_type: str, filename: str) -> Stream:
    """A streamed file the browser saves as ``filename``."""
    body = content if not isinstance(content, bytes) else iter([content])
    return Stream(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def extension_of(request: Request[Any, Any, Any]) -> str:
    """The file extension the request's path ends in ("csv" for ``.../export.csv``)."""
    return request.url.path.rpartition(".")[2]


def etag_headers(version: int) -> dict[str, str]:
    return {"ETag": f'"{version}"'}


def problem(
    status: int,
    title: str,
    detail: str,
    field_errors: list[dict[str, str]] | None = None,
    retry_after: int | None = None,
) -> Response[dict[str, Any]]:
    body: dict[str, Any] = {
        "type": "about:blank",
        "status": status,
        "title": title,
        "detail": detail,
    }
    if field_errors is not None:
        body["errors"] = field_errors
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _field_of(key: str, message: str) -> str:
    """The field a msgspec message is about: "Expected `int` - at `$.parties[0].role`" names
    ``parties[0].role``; "Object missing required field `kind`" names ``kind``."""
    at = message.rsplit("- at `$", 1)[1].rstrip("`").lstrip(".") if "- at `$" in message else ""
    named = re.search(r"field `([^`]+)`", message)
    if named:
        name = named.group(1)
        if at:
            return f"{at}.{name}"
        # A key that already ends in the field ("parties[0].role") is the fuller name.
        return key if key.rpartition(".")[2] == name else name
    return at or (key if key and key != "data" else "body")


def on_validation_error(_: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    extra = exc.extra if isinstance(exc.extra, list) else []
    field_errors = [
        {
            "field": _field_of(str(item.get("key", "")), str(item.get("message", ""))),
            "message": str(item.get("message", "")),
            "source": str(getattr(item.get("source"), "value", item.get("source") or "body")),
        }
        for item in extra
        if isinstance(item, dict)
    ] or [{"field": "body", "message": str(exc.detail), "source": "body"}]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in field_errors)
    return problem(400, "Invalid input", detail, field_errors)


def on_domain_error(_: Request[Any, Any, Any], exc: errors.DomainError) -> Response[Any]:
    field_errors = None
    if isinstance(exc, errors.InvalidInput):
        field_errors = [
            {"field": e.field, "message": e.message, "source": "body"} for e in exc.errors
        ]
    # Errors a retry may cure (429, a busy 503) say when to come back.
    retry_after: int | None = getattr(exc, "retry_after", None)
    return problem(exc.status_code, exc.title, exc.detail, field_errors, retry_after)


def on_http_exception(_: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    response = problem(exc.status_code, _title(exc.status_code), str(exc.detail))
    if exc.headers:
        response.headers.update(exc.headers)
    return response


#: Seconds a client is told to wait: a restarting database is back soon, a full disk is not.
DATABASE_RETRY_AFTER = 5
STORAGE_RETRY_AFTER = 60
_SQLITE_FULL = "database or disk is full"
_SQLITE_UNOPENABLE = "unable to open database file"
#: A server starting or shutting down, a connection cut, or none to be had (refused, no host).
_CONNECTION_LOST = (
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.CrashShutdownError,
    asyncpg.exceptions.PostgresConnectionError,
    ConnectionError,
    socket.gaierror,
)


def outage_of(exc: BaseException) -> errors.Unavailable | None:
    """The outage a driver's error means, if it means one: the one map from asyncpg, sqlite3
    and socket errors to "database unavailable" and "storage full" (503, nothing saved)."""
    unavailable = errors.DatabaseUnavailable(errors.DATABASE_UNAVAILABLE, DATABASE_RETRY_AFTER)
    full = errors.StorageFull(errors.STORAGE_FULL, STORAGE_RETRY_AFTER)
    for cause in _causes(exc):
        if isinstance(cause, asyncpg.exceptions.DiskFullError):
            return full
        if isinstance(cause, OSError) and cause.errno == errno.ENOSPC:
            return full
        if isinstance(cause, sqlite3.OperationalError) and _SQLITE_FULL in str(cause):
            return full
        if isinstance(cause, sqlite3.OperationalError) and _SQLITE_UNOPENABLE in str(cause):
            return unavailable
        if isinstance(cause, _CONNECTION_LOST):
            return unavailable
    return None


def _causes(exc: BaseException) -> list[BaseException]:
    """``exc`` and what it was raised from, nearest first (a driver error may be wrapped).

    Only ``raise ... from``: an error met while handling a lost connection is not an outage.
    """
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and all(current is not seen for seen in chain):
        chain.append(current)
        current = current.__cause__
    return chain


def on_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    outage = outage_of(exc)
    if outage is not None:
        # One line, not a traceback: the cause is known and every request will meet it.
        logger.error("%s on %s %s: %r", outage.title, request.method, request.url.path, exc)
        return on_domain_error(request, outage)
    logger.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem(
        HTTP_500_INTERNAL_SERVER_ERROR, "Internal error", "The server failed; it is logged."
    )


def _title(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


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


def wants_page(request: Request[Any, Any, Any]) -> bool:
    """A person's browser asking for a page, not a client of the JSON API."""
    return not request.url.path.startswith("/api/") and "json" not in request.headers.get(
        "accept", ""
    )


def _pages_too(handler: Any) -> Any:
    """Answer page requests with a page (a login redirect for 401), the API with problem+json."""

    def handle(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
        response: Response[Any] = handler(request, exc)
        if not wants_page(request):
            return response
        if response.status_code == 401:
            return Redirect(f"/login?next={quote(request.url.path)}", status_code=303)
        body = response.content if isinstance(response.content, dict) else {}
        headers = {k: v for k, v in response.headers.items() if k.lower() == "retry-after"}
        status = response.status_code or 500
        return page(
            request,
            "error.html",
            # Comes back home, not to the URL asked for: a hidden record's page must not differ
            # from a missing one's by a single byte.
            {"status": status, "detail": body.get("detail", ""), "return_to": "/"},
            status_code=status,
            headers=headers,
        )

    return handle


EXCEPTION_HANDLERS: dict[type[Exception] | int, Any] = {
    ValidationException: _pages_too(on_validation_error),
    errors.DomainError: _pages_too(on_domain_error),
    HTTPException: _pages_too(on_http_exception),
    Exception: _pages_too(on_unexpected),
}
