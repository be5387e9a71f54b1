"""What the minutes renderers refuse, when, and to whom: caps checked when written, one render
per draft version shared by every process, one render per caller, limits that say so."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest

from mou.accounts.tables import User
from mou.agreements.selectors import parties_of
from mou.meetings.tables import ActionItem, Decision, DiscussionPoint, Meeting
from mou.minutes.document import (
    MAX_ACTION_ITEMS,
    MAX_ATTENDEES,
    MAX_DECISIONS,
    MAX_POINTS,
    MAX_TEXT_CHARS,
)
from mou.minutes.pool import RENDER_RUNNING, RenderPool
from mou.minutes.render import RenderJob
from mou.minutes.tables import MinutesDraft, MinutesVersion
from mou.parties.tables import Organisation, Person
from tests.integration.minutes_case import Case, load_case, pdf_text, render_pool_swapped
from tests.integration.test_minutes_limits import _add_attendees

LIAISON = "liaison.sumut"


async def _plant(case: Case, table: Any, count: int, **values: Any) -> None:
    """Rows written directly, as if they had come in one by one before the caps."""
    start = await table.count().where(table.meeting == case.meeting_id)
    rows = [table(meeting=case.meeting_id, position=n, **values) for n in range(start, count)]
    for chunk in range(0, len(rows), 500):
        await table.insert(*rows[chunk : chunk + 500])


async def _new_person_of(username: str) -> int:
    """A person of the user's own organisation who attends nothing yet."""
    user = await User.select(User.organisation).where(User.username == username).first()
    assert user is not None
    person = Person(full_name="Tamu Baru", organisation=user["organisation"])
    await person.save()
    return int(person.id)


async def _post(client: httpx.AsyncClient, case: Case, what: str, body: Any) -> httpx.Response:
    return await client.post(
        f"/api/v1/meetings/{case.meeting_id}/{what}", json=body, headers=case.headers[LIAISON]
    )


@pytest.mark.parametrize(
    ("kind", "limit", "named"),
    [
        ("points", MAX_POINTS, "discussion points"),
        ("decisions", MAX_DECISIONS, "decisions"),
        ("action-items", MAX_ACTION_ITEMS, "action items"),
        ("attendees", MAX_ATTENDEES, "attendees"),
    ],
)
async def test_a_row_beyond_a_cap_is_refused_when_written(
    client: httpx.AsyncClient, kind: str, limit: int, named: str
) -> None:
    case = await load_case()
    if kind == "points":
        await _plant(case, DiscussionPoint, limit, text="Poin singkat")
        body: dict[str, Any] = {"text": "Satu poin lagi"}
    elif kind == "decisions":
        await _plant(case, Decision, limit, text="Keputusan singkat")
        body = {"text": "Satu keputusan lagi"}
    elif kind == "action-items":
        await _plant(case, ActionItem, limit, title="Tindak lanjut singkat")
        body = {"title": "Satu tindak lanjut lagi"}
    else:
        await _add_attendees(case, limit)
        body = {"person_id": await _new_person_of(LIAISON)}
    before = await Meeting.select(Meeting.version).where(Meeting.id == case.meeting_id)

    refused = await _post(client, case, kind, body)

    assert refused.status_code == 422, refused.text
    detail = refused.json()["detail"]
    assert f"{limit + 1:,} {named}" in detail and f"at most {limit:,}" in detail
    assert "try again" not in detail.lower()
    assert await Meeting.select(Meeting.version).where(Meeting.id == case.meeting_id) == before


async def test_text_beyond_the_cap_is_refused_when_written(client: httpx.AsyncClient) -> None:
    case = await load_case()
    # Topped up to exactly the cap: the cap itself is allowed, one character more is not.
    room = MAX_TEXT_CHARS - await _text_chars(case)
    texts = ["x" * 20_000] * (room // 20_000) + ["y" * (room % 20_000)]
    await DiscussionPoint.insert(
        *(
            DiscussionPoint(meeting=case.meeting_id, text=text, position=1000 + n)
            for n, text in enumerate(t for t in texts if t)
        )
    )
    assert await _text_chars(case) == MAX_TEXT_CHARS
    refused = await _post(client, case, "decisions", {"text": "z"})
    assert refused.status_code == 422, refused.text
    assert f"{MAX_TEXT_CHARS + 1:,} characters" in refused.json()["detail"]
    agenda = await client.patch(
        f"/api/v1/meetings/{case.meeting_id}",
        json={"agenda": ["Agenda yang lebih panjang dari sebelumnya " * 5]},
        headers={**case.headers[LIAISON], "If-Match": await case.etag(client)},
    )
    assert agenda.status_code == 422 and "characters" in agenda.json()["detail"]


async def _text_chars(case: Case) -> int:
    from mou.meetings.selectors import meeting_size

    return (await meeting_size(meeting_id=case.meeting_id)).text_chars


class CountingPool(RenderPool):
    """The real pool, counting the renders it runs."""

    renders = 0

    async def render(self, job: RenderJob, *, caller: str | None = None) -> bytes:
        self.renders += 1
        return await super().render(job, caller=caller)


async def test_a_draft_is_rendered_once_per_version_and_never_stale(
    client: httpx.AsyncClient, tmp_path: Path
) -> None:
    case = await load_case()
    with render_pool_swapped(CountingPool(workers=1, time_limit=3600.0)) as pool:
        first = await case.download(client, user="viewer.kpk")
        again = await case.download(client, user=LIAISON)
        assert first.status_code == again.status_code == 200
        assert again.content == first.content and pool.renders == 1
        # Stored in the database: another app process finds it there.
        assert await MinutesDraft.count().where(MinutesDraft.meeting == case.meeting_id) == 1

        added = await _post(client, case, "points", {"text": "Poin tambahan yang baru"})
        assert added.status_code == 201
        changed = await case.download(client)
        assert pool.renders == 2
        assert "Poin tambahan yang baru" in pdf_text(changed.content, tmp_path)

        # A party renamed: the meeting's version stays, the draft must not.
        meeting = await Meeting.select(Meeting.agreement).where(Meeting.id == case.meeting_id)
        agreement_id = meeting[0]["agreement"]
        party = (await parties_of([agreement_id]))[agreement_id][0]
        await Organisation.update({Organisation.name: "Komisi Nama Baru"}).where(
            Organisation.id == party["organisation_id"]
        )
        renamed = await case.download(client)
        assert pool.renders == 3
        assert "Komisi Nama Baru" in pdf_text(renamed.content, tmp_path)
        assert await MinutesDraft.count().where(MinutesDraft.meeting == case.meeting_id) == 1


class GatedPool(RenderPool):
    """Renders nothing: the first job waits for the test's go, every job answers a stub PDF.
    (One job at a time touches the database: the test's transaction has one connection.)"""

    def __init__(self) -> None:
        super().__init__(workers=2)
        self.started = asyncio.Event()
        self.go = asyncio.Event()

    async def _run_now(self, function: Any, args: tuple[Any, ...]) -> Any:
        if not self.started.is_set():
            self.started.set()
            await self.go.wait()
        return b"%PDF-1.7 stub"


async def test_one_caller_occupies_one_render_at_a_time(client: httpx.AsyncClient) -> None:
    case = await load_case()
    with render_pool_swapped(GatedPool()) as pool:
        first = asyncio.create_task(case.download(client, lang="id"))
        await pool.started.wait()
        second = await case.download(client, lang="en")
        assert second.status_code == 429, second.text
        assert second.json()["detail"] == RENDER_RUNNING
        assert int(second.headers["Retry-After"]) > 0
        # Another caller renders meanwhile.
        assert (await case.download(client, user=LIAISON, lang="en")).status_code == 200
        pool.go.set()
        assert (await first).status_code == 200


async def test_a_render_past_its_time_limit_is_refused_not_retried(
    client: httpx.AsyncClient,
) -> None:
    """A limit hit cannot be cured by retrying: 422 naming the limit, nothing stored."""
    case = await load_case()
    with render_pool_swapped(RenderPool(workers=1, time_limit=0.001, grace=30.0)):
        draft = await case.download(client)
        finalized = await case.finalize(client)
    for response in (draft, finalized):
        assert response.status_code == 422, response.text
        detail = response.json()["detail"]
        assert "0.001 s render limit" in detail and "try again" not in detail.lower()
        assert "Retry-After" not in response.headers
    assert await MinutesVersion.count().where(MinutesVersion.meeting == case.meeting_id) == 0
    assert await MinutesDraft.count().where(MinutesDraft.meeting == case.meeting_id) == 0
