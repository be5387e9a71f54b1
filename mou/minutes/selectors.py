"""Reads of minutes: the record a PDF is made from, stored versions, verification."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
from typing import Any
from zoneinfo import ZoneInfo

import msgspec

from mou import errors
from mou.accounts.schemas import CurrentUser
from mou.agreements.selectors import parties_of
from mou.agreements.tables import Agreement
from mou.db import atomic
from mou.meetings.selectors import meeting_get, visible_meetings_clause
from mou.meetings.tables import Meeting
from mou.minutes import schemas
from mou.minutes.document import (
    MinutesRecord,
    Party,
    check_size,
    content_digest,
    minutes_context,
)
from mou.minutes.pool import render_caller, render_pool
from mou.minutes.render import RenderJob
from mou.minutes.tables import MinutesDraft, MinutesVersion
from mou.parties.tables import Organisation, Person

VERSION_COLUMNS = (
    MinutesVersion.meeting.as_alias("meeting_id"),
    MinutesVersion.version,
    MinutesVersion.language,
    MinutesVersion.sha256,
    MinutesVersion.code,
    MinutesVersion.reason,
    MinutesVersion.rendered_at,
)


async def minutes_record(*, user: CurrentUser, meeting_id: int) -> MinutesRecord:
    """The meeting and what its minutes print around it; ``NotFound`` when ``user`` may not see it."""
    meeting = await meeting_get(user=user, meeting_id=meeting_id)
    agreement = (
        await Agreement.select(Agreement.title).where(Agreement.id == meeting.agreement_id).first()
    )
    parties = (await parties_of([meeting.agreement_id]))[meeting.agreement_id]
    addresses = await _names(
        Organisation, Organisation.address, [p["organisation_id"] for p in parties]
    )
    owners = [a.owner_organisation_id for a in meeting.action_items if a.owner_organisation_id]
    people = [a.owner_person_id for a in meeting.action_items if a.owner_person_id]
    return MinutesRecord(
        meeting=meeting,
        agreement_title=agreement["title"] if agreement else "",
        parties=[
            Party(
                name=p["organisation_name"],
                short_name=p["organisation_short_name"],
                address=addresses.get(p["organisation_id"], ""),
            )
            for p in parties
        ],
        organisation_names=await _names(Organisation, Organisation.short_name, owners),
        person_names=await _names(Person, Person.full_name, people),
    )


async def _names(table: Any, column: Any, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = await table.select(table.id, column.as_alias("value")).where(table.id.is_in(ids))
    return {row["id"]: row["value"] for row in rows}


async def minutes_versions(
    *, user: CurrentUser, meeting_id: int
) -> list[schemas.MinutesVersionInfo]:
    """Every stored version of a meeting's minutes, oldest first; ``NotFound`` as for the meeting."""
    await _visible_meeting_day(user, meeting_id)
    rows = (
        await MinutesVersion.select(*VERSION_COLUMNS)
        .where(MinutesVersion.meeting == meeting_id)
        .order_by(MinutesVersion.version)
        .order_by(MinutesVersion.language)
    )
    return [schemas.MinutesVersionInfo(**row) for row in rows]


async def latest_version(*, meeting_id: int) -> int:
    """The newest version number of a meeting's minutes; 0 when none is final yet."""
    row = (
        await MinutesVersion.select(MinutesVersion.version)
        .where(MinutesVersion.meeting == meeting_id)
        .order_by(MinutesVersion.version, ascending=False)
        .first()
    )
    return int(row["version"]) if row else 0


async def stored_pdf(*, meeting_id: int, version: int, language: str) -> tuple[bytes, str]:
    """The bytes and SHA-256 of one stored version; ``NotFound`` when there is none."""
    row = (
        await MinutesVersion.select(MinutesVersion.pdf, MinutesVersion.sha256)
        .where(
            (MinutesVersion.meeting == meeting_id)
            & (MinutesVersion.version == version)
            & (MinutesVersion.language == language)
        )
        .first()
    )
    if row is None:
        raise errors.NotFound(errors.NOT_FOUND.format(entity="minutes version"))
    return bytes(row["pdf"]), row["sha256"]


async def minutes_verify(*, digest: str) -> schemas.Verification:
    """What the public may know of the minutes whose file SHA-256 or printed code is ``digest``."""
    digest = digest.lower()
    row = (
        await MinutesVersion.select(*VERSION_COLUMNS, MinutesVersion.issued)
        .where((MinutesVersion.sha256 == digest) | (MinutesVersion.code == digest))
        .first()
    )
    if row is None:
        raise errors.NotFound(errors.NOT_FOUND.format(entity="minutes"))
    names = await _issued_names(row["meeting_id"], row["issued"])
    return schemas.Verification(
        issued=True,
        matched="file" if row["sha256"] == digest else "code",
        meeting_title=names.meeting_title,
        meeting_date=names.meeting_date,
        parties=names.parties,
        version=row["version"],
        language=row["language"],
        sha256=row["sha256"],
        code=row["code"] or "",
        issued_at=row["rendered_at"],
        latest_version=await latest_version(meeting_id=row["meeting_id"]),
    )


async def _issued_names(meeting_id: int, issued: str | dict[str, Any]) -> schemas.IssuedNames:
    """The names a version was issued with; for a version issued before they were kept, the
    meeting's and parties' names as they are now (the best there is)."""
    kept = msgspec.json.decode(issued) if isinstance(issued, str) else issued
    if kept:
        return msgspec.convert(kept, schemas.IssuedNames)
    meeting = (
        await Meeting.select(Meeting.title, Meeting.starts_at, Meeting.timezone, Meeting.agreement)
        .where(Meeting.id == meeting_id)
        .first()
    )
    assert meeting is not None  # a version's meeting cannot be deleted (ON DELETE RESTRICT)
    parties = (await parties_of([meeting["agreement"]]))[meeting["agreement"]]
    return schemas.IssuedNames(
        meeting_title=meeting["title"],
        meeting_date=meeting["starts_at"].astimezone(ZoneInfo(meeting["timezone"])).date(),
        parties=[p["organisation_name"] for p in parties],
    )


async def minutes_pdf(
    *, user: CurrentUser, meeting_id: int, language: str, version: int | None
) -> schemas.MinutesFile:
    """A version's stored bytes; without ``version``, the newest final one, or else a live
    draft (watermarked, never stored). ``NotFound`` as for the meeting, or for a missing version."""
    day = await _visible_meeting_day(user, meeting_id)
    stem = "notulen" if language == "id" else "minutes"
    version = version or await latest_version(meeting_id=meeting_id) or None
    if version is not None:
        pdf, sha256 = await stored_pdf(meeting_id=meeting_id, version=version, language=language)
        name = f"{stem}-{meeting_id}-{day}-v{version}-{language}.pdf"
        return schemas.MinutesFile(pdf=pdf, filename=name, sha256=sha256, version=version)
    pdf = await _draft_pdf(user, meeting_id, language)
    draft = "draf" if language == "id" else "draft"
    name = f"{stem}-{meeting_id}-{day}-{draft}-{language}.pdf"
    return schemas.MinutesFile(
        pdf=pdf, filename=name, sha256=hashlib.sha256(pdf).hexdigest(), version=None
    )


#: A draft's cache key: meeting id, meeting version, language, and the digest of what it prints.
DraftKey = tuple[int, int, str, str]
#: Drafts being rendered by this process: a second request for one waits for that render.
_rendering: dict[DraftKey, asyncio.Future[bytes | None]] = {}


async def _draft_pdf(user: CurrentUser, meeting_id: int, language: str) -> bytes:
    """The draft's PDF, rendered once per meeting version and content, and reused from the
    database by every process until either changes; a stale draft is never served."""
    record = await minutes_record(user=user, meeting_id=meeting_id)
    check_size(record)
    context = minutes_context(
        record, language=language, version=None, created=dt.datetime.now(dt.UTC)
    )
    key = (meeting_id, record.meeting.version, language, content_digest(context))
    cached = await _cached_draft(key)
    if cached is not None:
        return cached
    running = _rendering.get(key)
    if running is not None:
        # None: that render failed for its own caller (busy, say); this one tries its own.
        pdf = await asyncio.shield(running)
        if pdf is not None:
            return pdf
    return await _render_draft(user, key, context)


async def _render_draft(user: CurrentUser, key: DraftKey, context: dict[str, Any]) -> bytes:
    done: asyncio.Future[bytes | None] = asyncio.get_running_loop().create_future()
    _rendering.setdefault(key, done)
    try:
        pdf: bytes = await render_pool().render(
            RenderJob(context, key[2]), caller=render_caller(user)
        )
        await _store_draft(key, pdf)
    except BaseException:
        done.set_result(None)
        raise
    finally:
        if _rendering.get(key) is done:
            del _rendering[key]
    done.set_result(pdf)
    return pdf


async def _cached_draft(key: DraftKey) -> bytes | None:
    meeting_id, meeting_version, language, digest = key
    row = (
        await MinutesDraft.select(MinutesDraft.pdf)
        .where(
            (MinutesDraft.meeting == meeting_id)
            & (MinutesDraft.meeting_version == meeting_version)
            & (MinutesDraft.language == language)
            & (MinutesDraft.digest == digest)
        )
        .first()
    )
    return bytes(row["pdf"]) if row else None


async def _store_draft(key: DraftKey, pdf: bytes) -> None:
    """Keep one draft per meeting and language: the newest replaces the others."""
    meeting_id, meeting_version, language, digest = key
    async with atomic():
        await MinutesDraft.delete().where(
            (MinutesDraft.meeting == meeting_id) & (MinutesDraft.language == language)
        )
        await MinutesDraft.insert(
            MinutesDraft(
                meeting=meeting_id,
                meeting_version=meeting_version,
                language=language,
                digest=digest,
                pdf=pdf,
                rendered_at=dt.datetime.now(dt.UTC),
            )
        )


async def _visible_meeting_day(user: CurrentUser, meeting_id: int) -> str:
    """The meeting's local date (ISO), for file names; ``NotFound`` when ``user`` may not see it."""
    query = Meeting.select(Meeting.starts_at, Meeting.timezone).where(Meeting.id == meeting_id)
    clause = await visible_meetings_clause(user)
    row = await (query.where(clause) if clause is not None else query).first()
    if row is None:
        raise errors.NotFound(errors.NOT_FOUND.format(entity="meeting"))
    return str(row["starts_at"].astimezone(ZoneInfo(row["timezone"])).date().isoformat())
