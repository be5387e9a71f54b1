"""Absurd minutes render within the limits or are refused with a clear 4xx; the service lives on."""

from __future__ import annotations

from pathlib import Path

import httpx

from mou.meetings.tables import Attendee, DiscussionPoint, Meeting
from mou.minutes.document import MAX_ATTENDEES
from mou.minutes.pool import RenderPool
from mou.minutes.tables import MinutesVersion
from tests.integration.minutes_case import Case, load_case, pdf_text, render_pool_swapped
from tests.integration.test_minutes_pdf import ATTENDEES


async def _add_attendees(case: Case, count: int) -> None:
    """Rows written directly: 2,000 POSTs would test the API's speed, not the renderer's."""
    template = await Attendee.select().where(Attendee.meeting == case.meeting_id).first()
    assert template is not None
    start = await Attendee.count().where(Attendee.meeting == case.meeting_id)
    await Attendee.insert(
        *(
            Attendee(
                meeting=case.meeting_id,
                person=template["person"],
                full_name=f"Peserta Nomor {n}",
                position_title="Staf Humas",
                organisation=template["organisation"],
                role="participant",
                attendance="present",
                position=n,
            )
            for n in range(start, count)
        )
    )


async def test_minutes_of_2000_attendees_render_within_the_limits(
    client: httpx.AsyncClient, tmp_path: Path
) -> None:
    """What fits the caps prints whole. Whether it prints within the production time limit is
    ``bench/minutes.py``'s question: here the limit is out of the way, so a loaded machine
    cannot fail the test (the limit itself is tested with a small injected one)."""
    case = await load_case()
    await _add_attendees(case, MAX_ATTENDEES)
    with render_pool_swapped(RenderPool(workers=1, time_limit=3600.0)):
        response = await case.download(client, lang="id")
    assert response.status_code == 200, response.text
    text = pdf_text(response.content, tmp_path)
    assert f"Peserta Nomor {MAX_ATTENDEES - 1}" in text and ATTENDEES[0][0] in text
    health = await client.get("/health")
    assert health.status_code == 200


async def test_minutes_beyond_the_limits_are_refused_with_422_and_nothing_stored(
    client: httpx.AsyncClient,
) -> None:
    case = await load_case()
    huge = await client.post(
        f"/api/v1/meetings/{case.meeting_id}/points",
        json={"text": "x" * 1_048_576},
        headers=case.headers["liaison.sumut"],
    )
    assert huge.status_code == 400 and huge.json()["errors"][0]["field"] == "text"

    # A megabyte that reached the table some other way is refused before any rendering.
    await DiscussionPoint.insert(
        DiscussionPoint(meeting=case.meeting_id, text="y" * 1_048_576, position=99)
    )
    draft = await case.download(client)
    assert draft.status_code == 422
    assert "too large to print" in draft.json()["detail"]
    finalized = await case.finalize(client)
    assert finalized.status_code == 422
    assert await MinutesVersion.count().where(MinutesVersion.meeting == case.meeting_id) == 0
    status = await Meeting.select(Meeting.minutes_status).where(Meeting.id == case.meeting_id)
    assert status == [{"minutes_status": "draft"}]

    await DiscussionPoint.delete().where(
        (DiscussionPoint.meeting == case.meeting_id) & (DiscussionPoint.position == 99)
    )
    await _add_attendees(case, MAX_ATTENDEES + 1)
    crowded = await case.download(client)
    assert crowded.status_code == 422
    assert f"{MAX_ATTENDEES + 1:,} attendees" in crowded.json()["detail"]
