"""The minutes download: what ``GET .../minutes.pdf`` and ``mou minutes render`` answer.

A final version's stored bytes; while none is final, a draft (watermarked, never a version),
rendered by the process's render pool once per meeting version and content, and kept in the
database (``minutes_draft``) so every process reuses it until either changes. A stale draft is
never served: the cache key holds the meeting's version and the digest of what the draft prints.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
from typing import Any

from mou.caller import CurrentUser
from mou.db import atomic
from mou.minutes import schemas
from mou.minutes.document import check_size, content_digest, minutes_context
from mou.minutes.pool import render_caller, render_pool
from mou.minutes.render import RenderJob
from mou.minutes.selectors import (
    latest_version,
    minutes_record,
    stored_pdf,
    visible_meeting_day,
)
from mou.minutes.tables import MinutesDraft


async def minutes_pdf(
    *, user: CurrentUser, meeting_id: int, language: str, version: int | None
) -> schemas.MinutesFile:
    """A version's stored bytes; without ``version``, the newest final one, or else a live
    draft (watermarked, never stored). ``NotFound`` as for the meeting, or for a missing version."""
    day = await visible_meeting_day(user, meeting_id)
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
