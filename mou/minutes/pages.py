"""The public verification page a minutes QR code opens: whether the system issued a PDF with
this SHA-256 or printed code. HTML for browsers, from ``templates/minutes/verify.html``; JSON
for everyone else. It names the document, never its content.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

import msgspec
from litestar import Litestar, Request, Response, get
from litestar.enums import MediaType
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIResponse, Schema
from litestar.openapi.spec.enums import OpenAPIType
from litestar.params import PathParameter, QueryParameter
from litestar.response import Template

from mou import errors
from mou.i18n import long_date, translations
from mou.labels import LANGUAGES
from mou.minutes import schemas, selectors
from mou.web.openapi import documented

SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")
Digest = Annotated[
    str, PathParameter(description="SHA-256 of a minutes PDF, or the code printed in it (hex).")
]


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
    return _verify_page(verification, language, status)


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


def _verify_page(verification: schemas.Verification | None, language: str, status: int) -> Template:
    """``templates/minutes/verify.html`` (autoescaped, like every template) in ``language``."""
    gettext = translations(language).gettext
    # ``lang`` and ``user`` are what ``base.html`` reads; the page is public, so no user.
    values: dict[str, Any] = {"verification": verification, "lang": language, "user": None}
    if verification is not None:
        values["meeting_date"] = long_date(verification.meeting_date, language)
        values["issued_on"] = long_date(verification.issued_at.date(), language)
        values["language_name"] = gettext(LANGUAGES[verification.language])
    return Template(
        "minutes/verify.html",
        context={**values, "_": gettext},
        status_code=status,
        media_type=MediaType.HTML,
    )
