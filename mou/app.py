"""``create_app(settings)``: routes, authentication, error mapping, OpenAPI, database lifespan."""

from __future__ import annotations

import contextlib
import gc
import secrets
from collections.abc import AsyncIterator, Callable
from typing import Any

from litestar import Litestar, Response, get
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.middleware.base import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from litestar.types import ASGIApp, Receive, Scope, Send

from mou import policy
from mou.accounts.api import AuthController, MeController, TokenController, UserController
from mou.accounts.auth import PUBLIC_PATHS, AuthenticationMiddleware
from mou.accounts.pages import LoginController
from mou.agreements.api import AgreementController, ApprovalController, ScopeItemController
from mou.agreements.pages import AgreementPages
from mou.db import database_session, runtime_bound
from mou.home import HomePage
from mou.jobs.inprocess import jobs_lifespan
from mou.logs import logging_configure, request_id_middleware
from mou.meetings.api import (
    AgreementMeetingController,
    CalendarFeedController,
    MeetingController,
    calendar_feed,
)
from mou.migrate import database_readiness
from mou.minutes.api import MinutesController
from mou.minutes.pages import document_verify_page, minutes_verify
from mou.minutes.pool import render_pool_lifespan
from mou.notifications.api import NotificationController
from mou.pages import error_page
from mou.parties.api import OrganisationController, PersonController
from mou.settings import Settings, get_settings, secret_key_problem
from mou.web.guard import policy_check, route_guard
from mou.web.headers import add_security_headers
from mou.web.negotiation import exception_handlers
from mou.web.openapi import document_downloads, document_problems, document_request_bodies
from mou.web.problems import problem
from mou.web.proxies import PROXIES_STATE, proxy_networks
from mou.web.templating import STATIC, environment


@get("/health", include_in_schema=False)
async def health() -> dict[str, str]:
    """The process is alive; touches no database."""
    return {"status": "ok"}


#: Seconds a caller (load balancer, orchestrator) should wait before asking ``/ready`` again.
READY_RETRY_AFTER = 5


@get("/ready", include_in_schema=False)
async def ready() -> Response[Any]:
    """The database answers and has run every migration: 200, else 503 saying why."""
    reason = await database_readiness()
    if reason is not None:
        return problem(503, "Not ready", reason, retry_after=READY_RETRY_AFTER)
    return Response({"status": "ready"})


@contextlib.asynccontextmanager
async def freeze_startup_heap(_: Litestar) -> AsyncIterator[None]:
    """Move everything alive after start-up out of the collector's sight.

    Modules, routes and schemas never die; without this every full collection walks them
    again (about 0.1 s each, measured as the p99 of bench/list_agreements.py).
    """
    gc.collect()
    gc.freeze()
    yield


def runtime_middleware(settings: Settings) -> Callable[[ASGIApp], ASGIApp]:
    """Binds ``settings`` and their database around each request, so the app reads and writes
    the database it was made with, whatever else runs in the process."""

    def wrap(app: ASGIApp) -> ASGIApp:
        async def bound(scope: Scope, receive: Receive, send: Send) -> None:
            with runtime_bound(settings):
                await app(scope, receive, send)

        return bound

    return wrap


class InsecureSettings(RuntimeError):
    """The settings would run production with a secret anyone may know."""


def create_app(settings: Settings | None = None) -> Litestar:
    """The app, reading and writing the database ``settings`` name (default: the
    environment's settings); its lifespan opens and closes that database's pool."""
    settings = settings or get_settings()
    refusal = secret_key_problem(settings)
    if refusal is not None:
        raise InsecureSettings(refusal)
    logging_configure(settings.log_level)

    def database(_: Litestar) -> contextlib.AbstractAsyncContextManager[Any]:
        # Bound for the lifespan; the in-process jobs (SQLite) bind the same settings themselves.
        return database_session(settings)

    app = Litestar(
        route_handlers=[
            health,
            ready,
            AuthController,
            MeController,
            TokenController,
            UserController,
            OrganisationController,
            PersonController,
            AgreementController,
            ScopeItemController,
            ApprovalController,
            AgreementMeetingController,
            MeetingController,
            CalendarFeedController,
            calendar_feed,
            MinutesController,
            minutes_verify,
            NotificationController,
            LoginController,
            HomePage,
            AgreementPages,
            create_static_files_router(path="/static", directories=[STATIC], name="static"),
        ],
        # Entered in order, left in reverse: the jobs stop before the pool closes.
        lifespan=[
            database,
            jobs_lifespan(settings),
            render_pool_lifespan,
            freeze_startup_heap,
        ],
        # Outermost: everything after it runs with this app's settings and database.
        middleware=[
            runtime_middleware(settings),
            DefineMiddleware(AuthenticationMiddleware, exclude=PUBLIC_PATHS),
        ],
        before_send=[add_security_headers],
        template_config=TemplateConfig(engine=JinjaTemplateEngine.from_environment(environment())),
        csrf_config=CSRFConfig(
            # Kept across processes only when MOU_SECRET_KEY is set; see Settings.secret_key.
            secret=settings.secret_key or secrets.token_urlsafe(32),
            cookie_name="mou_csrf",
            cookie_secure=not settings.dev,
            cookie_httponly=True,
            cookie_samesite="lax",
            # The API takes bearer tokens only, never cookies, so it cannot be forged cross-site.
            exclude=[r"^/api/", r"^/health$", r"^/ready$", r"^/verify/", r"^/schema"],
        ),
        guards=[route_guard(policy.ROUTE_ROLES)],
        state=State({PROXIES_STATE: proxy_networks(settings)}),
        exception_handlers=exception_handlers(error_page),
        openapi_config=OpenAPIConfig(
            title="mou",
            version="1",
            description="Cooperation agreements between government agencies.",
            path="/schema",
            # JSON only: interactive viewers need inline script, which the CSP forbids.
            render_plugins=[JsonRenderPlugin()],
            components=Components(
                security_schemes={"BearerToken": SecurityScheme(type="http", scheme="bearer")}
            ),
            security=[{"BearerToken": []}],
        ),
        debug=False,
    )
    policy_check(app, route_roles=policy.ROUTE_ROLES)
    app.asgi_handler = request_id_middleware(app.asgi_handler)
    document_problems(app)
    document_request_bodies(app)
    document_downloads(app)
    document_verify_page(app)
    return app
