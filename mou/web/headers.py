"""Security headers on every response the app sends: pages, API, errors, PDFs, 404s."""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
#: Only the vendored static assets may be cached; everything else may be personal.
CACHEABLE_PREFIX = "/static/"


async def add_security_headers(message: Message, scope: Scope) -> None:
    """``before_send`` hook: runs for every response, including errors and unknown routes."""
    if message["type"] != "http.response.start":
        return
    headers = MutableScopeHeaders.from_message(message)
    for name, value in HEADERS.items():
        headers[name] = value
    if not scope.get("path", "").startswith(CACHEABLE_PREFIX):
        headers["Cache-Control"] = "no-store"
