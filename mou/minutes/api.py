"""Minutes over the API: finalize, list versions, download. The public verification page:
``mou.minutes.pages``."""

from __future__ import annotations

from typing import Annotated

from litestar import Response, get, post
from litestar.params import JSONBody, QueryParameter

from mou import errors
from mou.minutes import download, schemas, selectors, services
from mou.minutes.document import MinutesTooLarge
from mou.minutes.pool import RenderFailed, RenderRunning
from mou.schemas import MAX_ID
from mou.web.bodies import ApiController
from mou.web.openapi import documented
from mou.web.params import Caller, PathId
from mou.web.preconditions import IfMatch, etag_headers, expected_version

PDF = "application/pdf"
LanguageQuery = Annotated[
    schemas.Language, QueryParameter(description="Language of the document: id or en.")
]
VersionQuery = Annotated[
    int | None, QueryParameter(ge=1, le=MAX_ID, description="A final version; default: newest.")
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
        document = await download.minutes_pdf(
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
