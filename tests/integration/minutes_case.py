"""The reference case loaded for the minutes tests, and the PDF tools they read PDFs with."""

from __future__ import annotations

import contextlib
import datetime as dt
import secrets
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import httpx

from mou.accounts.selectors import token_digest
from mou.accounts.tables import ApiToken, User
from mou.demo import demo_load
from mou.meetings.tables import Meeting
from mou.minutes.pool import RenderPool, use_render_pool


@dataclass
class Case:
    meeting_id: int
    #: Authorization headers of each demo user, by username.
    headers: dict[str, dict[str, str]]

    async def etag(self, client: httpx.AsyncClient) -> str:
        response = await client.get(
            f"/api/v1/meetings/{self.meeting_id}", headers=self.headers["liaison.sumut"]
        )
        return response.headers["etag"]

    async def finalize(
        self, client: httpx.AsyncClient, user: str = "liaison.sumut", reason: str | None = None
    ) -> httpx.Response:
        return await client.post(
            f"/api/v1/meetings/{self.meeting_id}/minutes/finalize",
            json={"reason": reason} if reason is not None else None,
            headers={**self.headers[user], "If-Match": await self.etag(client)},
        )

    async def download(
        self, client: httpx.AsyncClient, user: str = "viewer.kpk", **params: str | int
    ) -> httpx.Response:
        return await client.get(
            f"/api/v1/meetings/{self.meeting_id}/minutes.pdf",
            params=params,
            headers=self.headers[user],
        )


async def load_case() -> Case:
    """The demo data inside the test's transaction, with a token for every demo user."""
    users = await demo_load()
    headers = {}
    now = dt.datetime.now(dt.UTC)
    for username, _, _ in users:
        row = await User.select(User.id).where(User.username == username).first()
        assert row is not None
        token = secrets.token_urlsafe(32)
        await ApiToken(
            user=row["id"],
            name="minutes tests",
            token_hash=token_digest(token),
            created_at=now,
            expires_at=now + dt.timedelta(hours=1),
        ).save()
        headers[username] = {"Authorization": f"Bearer {token}"}
    meeting = (
        await Meeting.select(Meeting.id)
        .where(Meeting.title == "Rapat Perencanaan Kerja Sama Diseminasi Isu Antikorupsi")
        .order_by(Meeting.id, ascending=False)
        .first()
    )
    assert meeting is not None
    return Case(meeting_id=meeting["id"], headers=headers)


def run_tool(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)


def pdf_text(pdf: bytes, folder: Path, *, layout: bool = False) -> str:
    """What ``pdftotext`` reads from ``pdf``, as one line of words (table cells wrap)."""
    path = folder / f"{secrets.token_hex(4)}.pdf"
    path.write_bytes(pdf)
    result = run_tool("pdftotext", *(["-layout"] if layout else []), str(path), "-")
    assert result.returncode == 0, result.stderr
    return result.stdout if layout else " ".join(result.stdout.split())


def decompressed(pdf: bytes, folder: Path) -> bytes:
    """The PDF with every stream decompressed and no object streams (``qpdf --qdf``)."""
    source, target = folder / "in.pdf", folder / "qdf.pdf"
    source.write_bytes(pdf)
    result = run_tool(
        "qpdf", "--qdf", "--object-streams=disable", "--decode-level=all", str(source), str(target)
    )
    assert result.returncode in (0, 3), result.stderr  # 3: warnings only
    return target.read_bytes()


#: The pool handed in, subclass and all: a test double keeps its own attributes.
AnyPool = TypeVar("AnyPool", bound=RenderPool)


@contextlib.contextmanager
def render_pool_swapped(pool: AnyPool) -> Iterator[AnyPool]:
    """The app renders with ``pool`` (tighter limits, a stub) inside the block."""
    previous = use_render_pool(pool)
    try:
        yield pool
    finally:
        use_render_pool(previous)
        pool.stop()
