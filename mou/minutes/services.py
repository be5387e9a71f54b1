"""Finalizing minutes: render every language, store each PDF as an immutable version, lock."""

from __future__ import annotations

import datetime as dt
import hashlib
from zoneinfo import ZoneInfo

import msgspec

from mou import errors
from mou.accounts.schemas import CurrentUser
from mou.agreements.services import agreement_require_alive
from mou.audit import audited
from mou.i18n import LANGUAGES
from mou.meetings.tables import Meeting
from mou.minutes import schemas
from mou.minutes.document import (
    MinutesRecord,
    check_size,
    minutes_context,
    with_verification,
)
from mou.minutes.pool import render_caller, render_pool
from mou.minutes.render import RenderJob
from mou.minutes.selectors import latest_version, minutes_record
from mou.minutes.tables import MinutesDraft, MinutesVersion
from mou.settings import get_settings
from mou.versions import write_if_version

REASON_REQUIRED = "the minutes are final already: say why this version corrects the last one"


async def minutes_finalize(
    *, user: CurrentUser, meeting_id: int, expected_version: int, reason: str
) -> schemas.FinalizedMinutes:
    """Render and store the next version of a meeting's minutes in every language.

    The meeting must still be at ``expected_version`` (412 otherwise), before rendering and
    again when storing, so the stored PDFs show exactly the content that version names. A
    render failure (``RenderFailed``, 503) stores nothing. The first version locks the
    meeting's recorded content; each later one is a correction and needs a ``reason``.
    """
    record = await minutes_record(user=user, meeting_id=meeting_id)
    reason = reason.strip()
    previous = await _check_finalizable(user, record, expected_version, reason)
    version, now = previous + 1, dt.datetime.now(dt.UTC)
    # Rendering takes a second or more: it happens before the write transaction, never in it.
    rendered = await _render_every_language(user, record, version=version, reason=reason, now=now)
    async with audited(
        actor_id=user.actor_id, action="finalize", entity="minutes", entity_id=meeting_id
    ) as write:
        write.before = {"minutes_status": record.meeting.minutes_status, "version": previous}
        meeting_version = await write_if_version(
            Meeting,
            meeting_id,
            expected=expected_version,
            values={"minutes_status": "final"},
            entity="meeting",
        )
        for document, pdf in rendered:
            await MinutesVersion.insert(
                MinutesVersion(
                    meeting=meeting_id,
                    version=version,
                    language=document.language,
                    sha256=document.sha256,
                    code=document.code,
                    pdf=pdf,
                    reason=reason,
                    rendered_at=now,
                    rendered_by=user.actor_id,
                    issued=msgspec.json.encode(_issued_names(record)).decode(),
                )
            )
        # Once final, the meeting serves its stored versions: its drafts are dead weight.
        await MinutesDraft.delete().where(MinutesDraft.meeting == meeting_id)
        write.after = {
            "version": version,
            "reason": reason,
            "rendered_at": now.isoformat(),
            "documents": [
                {"language": d.language, "sha256": d.sha256, "code": d.code} for d, _ in rendered
            ],
        }
    documents = [document for document, _ in rendered]
    return schemas.FinalizedMinutes(
        meeting_id=meeting_id,
        version=version,
        sha256=documents[0].sha256,
        languages=[d.language for d in documents],
        documents=documents,
        reason=reason,
        meeting_version=meeting_version,
    )


def _issued_names(record: MinutesRecord) -> schemas.IssuedNames:
    """The names the documents print, kept beside them for ``/verify``."""
    meeting = record.meeting
    return schemas.IssuedNames(
        meeting_title=meeting.title,
        meeting_date=meeting.starts_at.astimezone(ZoneInfo(meeting.timezone)).date(),
        parties=[party.name for party in record.parties],
    )


async def _check_finalizable(
    user: CurrentUser, record: MinutesRecord, expected_version: int, reason: str
) -> int:
    """The newest version so far (0: none), once the meeting may be finalized as asked."""
    meeting = record.meeting
    await agreement_require_alive(user, meeting.agreement_id)
    if meeting.version != expected_version:
        raise errors.PreconditionFailed(
            errors.STALE_VERSION.format(
                entity="meeting", expected=expected_version, actual=meeting.version
            )
        )
    previous = await latest_version(meeting_id=meeting.id)
    if previous and not reason:
        raise errors.InvalidInput("reason", REASON_REQUIRED)
    check_size(record)
    return previous


async def _render_every_language(
    user: CurrentUser, record: MinutesRecord, *, version: int, reason: str, now: dt.datetime
) -> list[tuple[schemas.MinutesDocument, bytes]]:
    """Each language's PDF, with what identifies it: one after the other, as a caller may
    occupy one renderer at a time."""
    base_url = get_settings().base_url
    contexts = [
        with_verification(
            minutes_context(record, language=language, version=version, reason=reason, created=now),
            base_url=base_url,
        )
        for language in LANGUAGES
    ]
    caller = render_caller(user)
    pdfs = [
        await render_pool().render(RenderJob(c, c["language"]), caller=caller) for c in contexts
    ]
    rendered = []
    for context, pdf in zip(contexts, pdfs, strict=True):
        sha256 = hashlib.sha256(pdf).hexdigest()
        document = schemas.MinutesDocument(
            language=context["language"],
            sha256=sha256,
            code=context["verification"]["code"],
            verify_url=f"{base_url}/verify/{sha256}",
        )
        rendered.append((document, pdf))
    return rendered
