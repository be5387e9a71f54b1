"""HTTP plumbing shared by the controllers: problem+json errors, path ids, If-Match, paging."""

from __future__ import annotations

import logging
import re
from typing import Annotated, Any
from urllib.parse import quote

import msgspec
from litestar import Controller, Request, Response
from litestar.datastructures import Cookie
from litestar.exceptions import HTTPException, ValidationException
from litestar.params import HeaderParameter, PathParameter, QueryParameter
from litestar.response import Redirect
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from litestar.types import BeforeRequestHookHandler

from mou import errors
from mou.accounts.schemas import CurrentUser
from mou.accounts.sessions import SESSION_COOKIE
from mou.pages import page
from mou.schemas import DEFAULT_LIMIT, MAX_ID, MAX_LIMIT, TEXT_PATTERN
from mou.settings import Settings

logger = logging.getLogger("mou")

PROBLEM_JSON = "application/problem+json"

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
    "Limit",
    "Offset",
    "OptionalId",
    "PathId",
    "SearchText",
]


NUL_IN_TEXT = "must not contain the NUL character (\\u0000)"


class _NulInText(ValueError):
    def __init__(self, field: str) -> None:
        super().__init__(field)
        self.field = field


def _evened(value: Any, path: str = "") -> Any:
    """The decoded body, ready for a strict conversion: a whole-number float becomes an int
    (JSON Schema counts ``1.0`` as an integer; msgspec's strict mode does not), and text with
    a NUL character is refused (PostgreSQL cannot store it; SQLite would)."""
    if isinstance(value, str):
        if "\x00" in value:
            raise _NulInText(path or "body")
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_evened(item, f"{path}[{index}]") for index, item in enumerate(value)]
    if isinstance(value, dict):
        return {key: _evened(item, f"{path}.{key}" if path else key) for key, item in value.items()}
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
    except _NulInText as exc:
        raise _body_error(exc.field, NUL_IN_TEXT) from None
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


def client_address(request: Request[Any, Any, Any]) -> str:
    """The caller's address as the server saw it (uvicorn applies trusted proxy headers)."""
    return request.client.host if request.client else "unknown"


def expected_version(if_match: str | None) -> int:
    """The version an ``If-Match`` header names; 428 when absent, 412 when unreadable."""
    if if_match is None or not if_match.strip():
        raise errors.PreconditionRequired(errors.IF_MATCH_REQUIRED)
    raw = if_match.strip().removeprefix("W/").strip('"')
    if not raw.isdigit() or len(raw) > 10:
        raise errors.PreconditionFailed(errors.IF_MATCH_REQUIRED)
    return int(raw)


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
    retry_after = exc.retry_after if isinstance(exc, errors.TooManyRequests) else None
    return problem(exc.status_code, exc.title, exc.detail, field_errors, retry_after)


def on_http_exception(_: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    response = problem(exc.status_code, _title(exc.status_code), str(exc.detail))
    if exc.headers:
        response.headers.update(exc.headers)
    return response


def on_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
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
