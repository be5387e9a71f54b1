"""A Litestar app as httpx's ``ASGITransport`` types an ASGI app."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import cast

from litestar import Litestar

#: What ``httpx.ASGITransport(app=...)`` accepts, loosened to any arguments.
ASGIApp = Callable[..., Awaitable[None]]


def asgi(app: Litestar) -> ASGIApp:
    """``app`` unchanged. httpx types the ASGI scope, receive and send as plain mappings and
    callables of mappings; Litestar's ``__call__`` takes its own TypedDict scopes and event
    unions, which mypy will not accept in their place although both describe the same ASGI
    interface at runtime."""
    return cast(Callable[..., Awaitable[None]], app)
