"""``create_app(settings)``: routes, authentication, error mapping, OpenAPI, database lifespan."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

from litestar import Litestar, get
from litestar.middleware.base import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme

from mou.accounts.api import AuthController, MeController, TokenController, UserController
from mou.accounts.auth import PUBLIC_PATHS, BearerTokenMiddleware
from mou.agreements.api import AgreementController, ScopeItemController
from mou.db import DB, close_pool, open_pool
from mou.http import EXCEPTION_HANDLERS
from mou.meetings.api import AgreementMeetingController, MeetingController
from mou.openapi import document_problems
from mou.parties.api import OrganisationController, PersonController
from mou.policy import role_guard
from mou.settings import Settings, get_settings


@get("/health", include_in_schema=False)
async def health() -> dict[str, str]:
    """The process is alive; touches no database."""
    return {"status": "ok"}


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or get_settings()
    logging.basicConfig(level=settings.log_level)

    @contextlib.asynccontextmanager
    async def database(_: Litestar) -> AsyncIterator[None]:
        await open_pool(DB, settings)
        try:
            yield
        finally:
            await close_pool(DB)

    app = Litestar(
        route_handlers=[
            health,
            AuthController,
            MeController,
            TokenController,
            UserController,
            OrganisationController,
            PersonController,
            AgreementController,
            ScopeItemController,
            AgreementMeetingController,
            MeetingController,
        ],
        lifespan=[database],
        middleware=[DefineMiddleware(BearerTokenMiddleware, exclude=PUBLIC_PATHS)],
        guards=[role_guard],
        exception_handlers=EXCEPTION_HANDLERS,
        openapi_config=OpenAPIConfig(
            title="mou",
            version="1",
            description="Cooperation agreements between government agencies.",
            path="/schema",
            render_plugins=[SwaggerRenderPlugin()],
            components=Components(
                security_schemes={"BearerToken": SecurityScheme(type="http", scheme="bearer")}
            ),
            security=[{"BearerToken": []}],
        ),
        debug=False,
    )
    document_problems(app)
    return app
