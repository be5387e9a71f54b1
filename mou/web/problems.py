"""Errors as ``application/problem+json`` (RFC 9457), and the handlers that map them.

Every answer of 400 and above names a title and a detail; input errors list each bad field
in ``errors``. A 500 says only that the failure is logged.
"""

from __future__ import annotations

import logging
import re
from http import HTTPStatus
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from mou import errors
from mou.db import outage_of

logger = logging.getLogger("mou")

PROBLEM_JSON = "application/problem+json"


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


def field_of(key: str, message: str) -> str:
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
            "field": field_of(str(item.get("key", "")), str(item.get("message", ""))),
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
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
