"""Exports and calendar feeds never carry a row the caller may not see.

Two organisations each hold an agreement with a meeting, an attendee and an open action item
in the same database; the stranger's records carry a canary word. Every export and feed of a
caller of the first organisation (each role) must show their own records and never the canary.
"""

from __future__ import annotations

import io

import httpx
import openpyxl

from tests.conftest import Actors
from tests.integration.builders import create_agreement, create_meeting

CANARY = "KANARI"
ROLES = ("manager", "liaison", "viewer")
EXPORTS = (
    "/api/v1/agreements/export.csv",
    "/api/v1/agreements/export.xlsx",
    "/api/v1/action-items/export.csv",
    "/api/v1/action-items/export.xlsx",
)


async def _records(
    client: httpx.AsyncClient, admin: dict[str, str], home: int, partner: int, word: str
) -> dict[str, int]:
    agreement = await create_agreement(client, admin, [home, partner], title=f"Kerja sama {word}")
    soon = "2030-01-07T10:00:00"
    meeting = await create_meeting(
        client, admin, agreement["id"], title=f"Rapat {word}", starts_at=soon, ends_at=None
    )
    for path, body in [
        ("attendees", {"full_name": f"Peserta {word}", "organisation_id": home}),
        ("action-items", {"title": f"Tindak {word}", "owner_organisation_id": home}),
    ]:
        made = await client.post(
            f"/api/v1/meetings/{meeting['id']}/{path}", json=body, headers=admin
        )
        assert made.status_code == 201, made.text
    return {"agreement": agreement["id"], "meeting": meeting["id"]}


def _text(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    if response.headers["content-type"].startswith("application/vnd.openxmlformats"):
        book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
        return str([list(r) for r in book.active.iter_rows(values_only=True)])
    return response.content.decode("utf-8-sig").replace("\r\n ", "")


async def test_exports_and_feeds_never_carry_a_foreign_row(
    client: httpx.AsyncClient, actors: Actors, admin: dict[str, str]
) -> None:
    home, stranger = await actors.organisation(), await actors.organisation()
    await _records(client, admin, home, await actors.organisation(), "kami")
    foreign = await _records(client, admin, stranger, await actors.organisation(), CANARY)
    for role in ROLES:
        _, headers = await actors.user(role, home)
        for path in EXPORTS:
            text = _text(await client.get(path, headers=headers))
            assert "kami" in text and CANARY not in text, (role, path)
        # Naming the stranger's organisation narrows, it never widens.
        for path in EXPORTS:
            text = _text(
                await client.get(path, params={"organisation_id": stranger}, headers=headers)
            )
            assert CANARY not in text, (role, path)
        for suffix in ("csv", "xlsx"):
            attendance = await client.get(
                f"/api/v1/meetings/{foreign['meeting']}/attendance.{suffix}", headers=headers
            )
            assert attendance.status_code == 404
        feed = await client.post("/api/v1/calendar-feeds", json={"name": role}, headers=headers)
        url = feed.json()["url"].removeprefix("http://127.0.0.1:8000")
        text = _text(await client.get(url))
        assert "Rapat kami" in text and CANARY not in text, role
