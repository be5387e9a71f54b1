"""The role guard: every route admits the roles a route policy names for its handler.

The policy itself (``mou.policy.ROUTE_ROLES``, handler name -> roles) is the app's; this
module only enforces a mapping it is given: per request (``route_guard``) and at start-up
(``policy_check``: the app refuses to start unless the mapping names exactly its routes).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from litestar import Litestar
from litestar.connection import ASGIConnection
from litestar.exceptions import PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.routes import HTTPRoute
from litestar.types import Guard

from mou.caller import PUBLIC, CurrentUser, Role

#: Handler name -> the roles that may call it (``PUBLIC``: no login needed).
RouteRoles = Mapping[str, frozenset[Role]]

ROLE_REFUSED = "Your role may not do this."
UNLISTED_ROUTES = "routes without an entry in mou.policy.ROUTE_ROLES: {names}"
UNKNOWN_ENTRIES = "mou.policy.ROUTE_ROLES names handlers the app does not have: {names}"


#: Routes Litestar itself provides (the OpenAPI document, static assets): public by path.
LITESTAR_PUBLIC_PREFIXES = ("/schema", "/static/")


def roles_for(
    handler: BaseRouteHandler, path: str, *, route_roles: RouteRoles
) -> frozenset[Role] | None:
    """The roles ``route_roles`` admits for ``handler``; None when it does not name it."""
    if path.startswith(LITESTAR_PUBLIC_PREFIXES):
        return PUBLIC
    return route_roles.get(handler.handler_name)


def policed_handlers(app: Litestar) -> dict[str, list[str]]:
    """Handler name -> the "METHOD path"s it serves, for every route the policy must name
    (Litestar's own OPTIONS/HEAD answers and its public prefixes aside)."""
    found: dict[str, list[str]] = {}
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or route.path.startswith(LITESTAR_PUBLIC_PREFIXES):
            continue
        for method, entry in route.route_handler_map.items():
            handler = entry[0] if isinstance(entry, tuple) else entry
            if method not in ("OPTIONS", "HEAD"):
                found.setdefault(handler.handler_name, []).append(f"{method} {route.path}")
    return found


def policy_check(app: Litestar, *, route_roles: RouteRoles) -> None:
    """Raise ``RuntimeError`` unless ``route_roles`` names exactly the app's route handlers."""
    handlers = policed_handlers(app)
    unlisted = sorted(
        f"{name} ({', '.join(handlers[name])})" for name in handlers.keys() - route_roles.keys()
    )
    if unlisted:
        raise RuntimeError(UNLISTED_ROUTES.format(names="; ".join(unlisted)))
    unknown = sorted(route_roles.keys() - handlers.keys())
    if unknown:
        raise RuntimeError(UNKNOWN_ENTRIES.format(names=", ".join(unknown)))


def _serves_the_api_document(connection: ASGIConnection[Any, Any, Any, Any]) -> bool:
    """The OpenAPI document and its viewers (Litestar's own handlers) are public, as in
    ``accounts.auth.PUBLIC_PATHS``."""
    config = connection.app.openapi_config
    if config is None or not config.path:
        return False
    root, path = config.path.rstrip("/"), connection.scope["path"]
    return path == root or path.startswith(f"{root}/")


def route_guard(route_roles: RouteRoles) -> Guard:
    """The app-wide guard: the caller's role must be one ``route_roles`` names for the route."""

    def role_guard(
        connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
    ) -> None:
        roles = roles_for(handler, connection.url.path, route_roles=route_roles)
        if roles == PUBLIC or _serves_the_api_document(connection):
            return
        user = connection.scope.get("user")
        if roles is None or not isinstance(user, CurrentUser) or user.role not in roles:
            raise PermissionDeniedException(ROLE_REFUSED)

    return role_guard
