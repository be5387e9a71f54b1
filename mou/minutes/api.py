"""Minutes over HTTP: finalize, download, and the public verification page."""

from __future__ import annotations

import re
from typing import Annotated, Any

import msgspec
from litestar import Litestar, Request, Response, get, post
from litestar.enums import MediaType
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIResponse, Schema
from litestar.openapi.spec.enums import OpenAPIType
from litestar.params import JSONBody, PathParameter, QueryParameter

from mou import errors
from mou.http import (
    ApiController,
    Caller,
    IfMatch,
    PathId,
    documented,
    etag_headers,
    expected_version,
)
from mou.i18n import long_date, translations
from mou.labels import LANGUAGES
from mou.minutes import schemas, selectors, services
from mou.minutes.document import MinutesTooLarge
from mou.minutes.pool import RenderFailed, RenderRunning
from mou.schemas import MAX_ID
from mou.templating import environment

PDF = "application/pdf"
SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")
LanguageQuery = Annotated[
    schemas.Language, QueryParameter(description="Language of the document: id or en.")
]
VersionQuery = Annotated[
    int | None, QueryParameter(ge=1, le=MAX_ID, description="A final version; default: newest.")
]
Digest = Annotated[
    str, PathParameter(description="SHA-256 of a minutes PDF, or the code printed in it (hex).")
]


class MinutesController(ApiController):
    path = "/api/v1/meetings/{meeting_id:int}"
    tags = ["minutes"]

    @post(
        "/minutes/finalize",
        status_code=201,
        raises=documented(
            errors.NotFound,
            errors.InvalidInput,
            errors.Conflict,
            errors.PreconditionFailed,
            errors.PreconditionRequired,
            MinutesTooLarge,
            RenderFailed,
            RenderRunning,
        ),
    )
    async def minutes_finalize(
        self,
        request: Caller,
        meeting_id: PathId,
        if_match: IfMatch = None,
        data: JSONBody[schemas.MinutesFinalize | None] = None,
    ) -> Response[schemas.FinalizedMinutes]:
        """Render and store the next version in every language; ``If-Match`` required."""
        finalized = await services.minutes_finalize(
            user=request.user,
            meeting_id=meeting_id,
            expected_version=expected_version(if_match),
            reason=data.reason if data else "",
        )
        return Response(finalized, status_code=201, headers=etag_headers(finalized.meeting_version))

    @get("/minutes", raises=documented(errors.NotFound))
    async def minutes_versions(
        self, request: Caller, meeting_id: PathId
    ) -> list[schemas.MinutesVersionInfo]:
        """Every final version, oldest first (the PDFs are at ``minutes.pdf?version=``)."""
        return await selectors.minutes_versions(user=request.user, meeting_id=meeting_id)

    @get(
        "/minutes.pdf",
        media_type=PDF,
        raises=documented(errors.NotFound, MinutesTooLarge, RenderFailed, RenderRunning),
    )
    async def minutes_pdf(
        self,
        request: Caller,
        meeting_id: PathId,
        lang: LanguageQuery = "id",
        version: VersionQuery = None,
    ) -> Response[bytes]:
        """The PDF: a final version's stored bytes, or while none is final a watermarked draft."""
        document = await selectors.minutes_pdf(
            user=request.user, meeting_id=meeting_id, language=lang, version=version
        )
        headers = {
            "Content-Disposition": f'attachment; filename="{document.filename}"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-cache",
        }
        if document.version is not None:
            headers["ETag"] = f'"{document.sha256}"'
        return Response(document.pdf, media_type=PDF, headers=headers)


@get(
    "/verify/{digest:str}",
    tags=["minutes"],
    raises=documented(errors.NotFound),
    security=[],
    media_type=MediaType.JSON,
)
async def minutes_verify(
    request: Request[Any, Any, Any],
    digest: Digest,
    lang: Annotated[str | None, QueryParameter(description="Page language: id or en.")] = None,
) -> Response[Any]:
    """Public: whether the system issued minutes with this file SHA-256 or printed code.

    HTML for browsers (what the QR code opens: they ask for text/html), JSON otherwise; an
    unknown value answers 404. Names the meeting, its date, parties and version; never the content.
    """
    verification = None
    if SHA256.match(digest):
        try:
            verification = await selectors.minutes_verify(digest=digest)
        except errors.NotFound:
            verification = None
    status = 200 if verification else 404
    # A browser asks for text/html by name; a client that accepts anything gets JSON.
    if request.accept.best_match([MediaType.JSON, MediaType.HTML]) == MediaType.JSON:
        if verification is None:
            raise errors.NotFound(errors.NOT_FOUND.format(entity="minutes"))
        return Response(msgspec.to_builtins(verification), media_type=MediaType.JSON)
    # Anything but "en" is Indonesian: a public page has no use for a 400 about its language.
    language = "en" if lang == "en" else "id"
    return Response(
        _verify_page(verification, language), status_code=status, media_type=MediaType.HTML
    )


def document_verify_page(app: Litestar) -> None:
    """Say in the OpenAPI document that ``/verify`` answers browsers in HTML, beside JSON.

    Runs after ``mou.openapi.document_problems``, which makes every error problem+json.
    """
    paths = app.openapi_schema.paths or {}
    path = paths.get("/verify/{digest}")
    operation = path.get if path is not None else None
    if operation is None:
        return
    html = OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING))
    for status in ("200", "404"):
        response = (operation.responses or {}).get(status)
        if isinstance(response, OpenAPIResponse):
            response.content = {**(response.content or {}), MediaType.HTML.value: html}


def _verify_page(verification: schemas.Verification | None, language: str) -> str:
    gettext = translations(language).gettext
    # ``lang`` and ``user`` are what ``base.html`` reads; the page is public, so no user.
    values: dict[str, Any] = {"verification": verification, "lang": language, "user": None}
    if verification is not None:
        values["meeting_date"] = long_date(verification.meeting_date, language)
        values["issued_on"] = long_date(verification.issued_at.date(), language)
        values["language_name"] = gettext(LANGUAGES[verification.language])
    return environment().get_template("minutes/verify.html").render(**values, _=gettext)
