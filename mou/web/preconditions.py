"""Optimistic concurrency over HTTP: ``If-Match`` names the version a write expects, ``ETag``
the version a response carries."""

from __future__ import annotations

from typing import Annotated

from litestar.params import HeaderParameter

from mou import errors

IfMatch = Annotated[
    str | None,
    HeaderParameter(
        name="If-Match",
        required=False,
        max_length=40,
        description='The version last read, in double quotes: "3".',
    ),
]


def expected_version(if_match: str | None) -> int:
    """The version an ``If-Match`` header names; 428 when absent, 412 when unreadable or weak.

    RFC 9110 compares ``If-Match`` strongly: a weak tag (``W/"3"``) never matches.
    """
    if if_match is None or not if_match.strip():
        raise errors.PreconditionRequired(errors.IF_MATCH_REQUIRED)
    tag = if_match.strip()
    if tag.startswith("W/"):
        raise errors.PreconditionFailed(errors.IF_MATCH_WEAK)
    raw = tag.strip('"')
    if not raw.isdigit() or len(raw) > 10:
        raise errors.PreconditionFailed(errors.IF_MATCH_REQUIRED)
    return int(raw)


def etag_headers(version: int) -> dict[str, str]:
    return {"ETag": f'"{version}"'}
