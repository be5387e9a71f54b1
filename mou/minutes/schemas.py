from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec

from mou.schemas import Input

Language = Literal["id", "en"]
Reason = Annotated[str, msgspec.Meta(max_length=2_000)]


class MinutesFinalize(Input):
    """``reason`` is required for a correction (when the minutes are already final)."""

    reason: Reason = ""


class MinutesDocument(msgspec.Struct):
    language: Language
    #: SHA-256 of the PDF's bytes: what ``/verify/<sha256>`` confirms.
    sha256: str
    #: The verification code printed in the PDF's footer and QR code.
    code: str
    verify_url: str


class FinalizedMinutes(msgspec.Struct):
    meeting_id: int
    version: int
    #: SHA-256 of the Indonesian document, the official one; every language's in ``documents``.
    sha256: str
    languages: list[Language]
    documents: list[MinutesDocument]
    reason: str
    #: The meeting's version after finalizing (its ETag).
    meeting_version: int


class MinutesVersionInfo(msgspec.Struct):
    meeting_id: int
    version: int
    language: Language
    sha256: str
    code: str | None
    reason: str
    rendered_at: dt.datetime


class IssuedNames(msgspec.Struct):
    """What a minutes version names, as it was issued (``MinutesVersion.issued``)."""

    meeting_title: str
    #: The meeting's date where it took place.
    meeting_date: dt.date
    parties: list[str]


class Verification(msgspec.Struct):
    """What anyone holding a file or its code may learn: never the minutes' content."""

    issued: bool
    #: ``file``: the SHA-256 of an issued file; ``code``: the code printed in one.
    matched: Literal["file", "code"]
    meeting_title: str
    meeting_date: dt.date
    parties: list[str]
    version: int
    language: Language
    sha256: str
    code: str
    issued_at: dt.datetime
    #: The newest version of these minutes: a larger number means this one was corrected.
    latest_version: int


class MinutesFile(msgspec.Struct):
    """A PDF to download: a stored version's bytes, or a draft rendered just now."""

    pdf: bytes
    #: Built from the meeting's id and date, never from text a user typed.
    filename: str
    sha256: str
    #: None for a draft.
    version: int | None
