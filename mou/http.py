"""HTTP plumbing shared by the controllers: problem+json errors, path ids, If-Match, paging."""

from __future__ import annotations

import logging
import re
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.params import HeaderParameter, PathParameter, QueryParameter
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from litestar.types import BeforeRequestHookHandler

from mou import errors
from mou.accounts.schemas import CurrentUser
from mou.schemas import DEFAULT_LIMIT, MAX_ID, MAX_LIMIT

logger = logging.getLogger("mou")

PROBLEM_JSON = "application/problem+json"

#: A request whose ``user`` is the authenticated caller.
Caller = Request[CurrentUser, Any, Any]
SearchText = Annotated[
    str | None, QueryParameter(max_length=200, description="Text to search for.")
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


def _whole_numbers_as_int(value: Any) -> Any:
    """JSON Schema counts ``1.0`` as an integer; msgspec's strict mode would refuse it."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_whole_numbers_as_int(item) for item in value]
    if isinstance(value, dict):
        return {key: _whole_numbers_as_int(item) for key, item in value.items()}
    return value


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
        error = {"key": "body", "message": "Send a JSON body.", "source": "body"}
        raise ValidationException("The request has no body.", extra=[error])
    try:
        value = _whole_numbers_as_int(msgspec.json.decode(body))
    except msgspec.DecodeError as exc:
        error = {"key": "body", "message": str(exc), "source": "body"}
        raise ValidationException(str(exc), extra=[error]) from None
    try:
        msgspec.convert(value, field.annotation, strict=True)
    except msgspec.ValidationError as exc:
        message = str(exc)
        error = {"key": _field_of("", message), "message": message.split(" - at `$")[0]}
        raise ValidationException(message, extra=[{**error, "source": "body"}]) from None


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


EXCEPTION_HANDLERS: dict[type[Exception] | int, Any] = {
    ValidationException: on_validation_error,
    errors.DomainError: on_domain_error,
    HTTPException: on_http_exception,
    Exception: on_unexpected,
}
