"""Errors answered the way the client asked: a page for a person's browser (the login page
for 401), problem+json for the API."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.response import Redirect, Template

from mou import errors
from mou.web.problems import on_domain_error, on_http_exception, on_unexpected, on_validation_error


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
        return Template(
            "error.html",
            context={
                "status": response.status_code,
                "title": body.get("title", ""),
                "detail": body.get("detail", ""),
                "user": request.scope.get("user"),
            },
            status_code=response.status_code or 500,
            headers=headers,
        )

    return handle


EXCEPTION_HANDLERS: dict[type[Exception] | int, Any] = {
    ValidationException: _pages_too(on_validation_error),
    errors.DomainError: _pages_too(on_domain_error),
    HTTPException: _pages_too(on_http_exception),
    Exception: _pages_too(on_unexpected),
}
