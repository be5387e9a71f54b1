"""``mou minutes render``: a meeting's minutes as a PDF file, for scripts."""

from __future__ import annotations

from pathlib import Path

from mou.caller import CurrentUser
from mou.db import database_session
from mou.minutes.download import minutes_pdf
from mou.minutes.pool import render_pool
from mou.settings import Settings


async def minutes_render_command(
    *,
    settings: Settings,
    meeting_id: int,
    language: str,
    output: Path,
    version: int | None = None,
) -> str:
    """Write the newest final version (or ``version``), else a draft, to ``output``.

    Returns a line describing what was written; raises ``mou.errors.DomainError`` subclasses
    (``NotFound``, ``RenderFailed``...) for the command to report.
    """
    pool = render_pool()
    try:
        async with database_session(settings):
            document = await minutes_pdf(
                user=CurrentUser.system(),
                meeting_id=meeting_id,
                language=language,
                version=version,
            )
    finally:
        pool.stop()
    output.write_bytes(document.pdf)
    what = f"version {document.version}" if document.version else "draft"
    return (
        f"{output}: minutes of meeting {meeting_id}, {what}, {language}, sha256 {document.sha256}"
    )
