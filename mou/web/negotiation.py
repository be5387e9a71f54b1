"""Errors answered the way the client asked: a page for a person's browser (the login page
for 401), problem+json for the API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.response import Redirect

from mou import errors
from mou.web.problems import on_domain_error, on_http_exception, on_unexpected, on_validation_error


def wants_page(request: Request[Any, Any, Any]) -> bool:
    """A person's browser asking for a page, not a client of the JSON API."""
    return not request.url.path.startswith("/api/") and "json" not in request.headers.get(
        "accept", ""
    )


#: Renders an error page: ``(request, template, context, status_code, headers)``. The app
#: passes ``mou.pages.error_page`` (pages need the caller's language and labels, which the
#: kernel does not import).
ErrorPage = Callable[
    [Request[Any, Any, Any], str, dict[str, Any], int, dict[str, str]], Response[Any]
]


def _pages_too(handler: Any, render: ErrorPage) -> Any:
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
        return render(
            request,
            "error.html",
            # Comes back home, not to the URL asked for: a hidden record's page must not differ
            # from a missing one's by a single byte.
            {
                "status": status,
                "title": body.get("title", ""),
                "detail": body.get("detail", ""),
                "return_to": "/",
            },
            status,
            headers,
        )

    return handle


def exception_handlers(render: ErrorPage) -> dict[type[Exception] | int, Any]:
    """The app's exception handlers, error pages drawn with ``render``."""
    return {
        ValidationException: _pages_too(on_validation_error, render),
        errors.DomainError: _pages_too(on_domain_error, render),
        HTTPException: _pages_too(on_http_exception, render),
        Exception: _pages_too(on_unexpected, render),
    }
