"""Meetings as iCalendar: one meeting's event, and private per-user feeds."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

import httpx
import icalendar
import pytest

from mou.meetings import feeds
from tests.conftest import Actors
from tests.integration.builders import create_agreement, create_meeting


def _soon(days: int = 7) -> str:
    """A local wall-clock time inside every feed's window."""
    return (dt.date.today() + dt.timedelta(days=days)).isoformat() + "T10:00:00"


async def _wita_meeting(
    client: httpx.AsyncClient, headers: dict[str, str], agreement_id: int, **fields: Any
) -> dict[str, Any]:
    starts = _soon()
    return await create_meeting(
        client,
        headers,
        agreement_id,
        starts_at=starts,
        ends_at=starts.replace("T10", "T12"),
        timezone="Asia/Makassar",
        venue="Aula Kantor Gubernur",
        address="Jl. Jenderal Sudirman No. 1, Makassar",
        **fields,
    )


async def _feed(client: httpx.AsyncClient, headers: dict[str, str], name: str = "Ponsel") -> Any:
    response = await client.post("/api/v1/calendar-feeds", json={"name": name}, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def _path(url: str) -> str:
    return url.removeprefix("http://127.0.0.1:8000")


async def test_meeting_calendar_keeps_wita_with_a_real_vtimezone(
    client: httpx.AsyncClient, actors: Actors, admin: dict[str, str]
) -> None:
    agreement = await create_agreement(
        client, admin, [await actors.organisation(), await actors.organisation()]
    )
    meeting = await _wita_meeting(client, admin, agreement["id"])
    response = await client.get(f"/api/v1/meetings/{meeting['id']}/calendar.ics", headers=admin)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    assert b"\r\n" in response.content
    calendar = icalendar.Calendar.from_ical(response.content)
    (found,) = calendar.walk("VTIMEZONE")
    zone = cast(icalendar.Timezone, found)
    assert str(zone["TZID"]) == "Asia/Makassar"
    standard = zone.walk("STANDARD")[0]
    assert standard["TZOFFSETTO"].to_ical() == "+0800"
    assert "TZOFFSETTO:+0800" in response.text
    # The VTIMEZONE turns back into a working zone: 10:00 there is 02:00 UTC.
    local = dt.datetime(2026, 12, 3, 10, tzinfo=zone.to_tz())
    assert local.utcoffset() == dt.timedelta(hours=8)
    assert str(standard["TZNAME"]) == "WITA"
    (event,) = calendar.walk("VEVENT")
    assert "DTSTART;TZID=Asia/Makassar:" + _soon().replace("-", "").replace(":", "") in (
        response.text.replace("\r\n ", "")
    )
    assert event.decoded("DTSTART").hour == 10
    assert str(event["LOCATION"]) == "Aula Kantor Gubernur, Jl. Jenderal Sudirman No. 1, Makassar"
    assert f"/meetings/{meeting['id']}" in str(event["DESCRIPTION"])
    assert str(event["UID"]).startswith(f"meeting-{meeting['id']}@")
    assert int(cast(icalendar.vInt, event["SEQUENCE"])) == 0
    assert "DTSTAMP" in event


async def test_meeting_calendar_names_organiser_and_attendees_and_counts_edits(
    client: httpx.AsyncClient, actors: Actors, admin: dict[str, str]
) -> None:
    home = await actors.organisation()
    agreement = await create_agreement(client, admin, [home, await actors.organisation()])
    meeting = await _wita_meeting(client, admin, agreement["id"])
    for name, role in [("Ibu Ketua", "chair"), ("Bapak Peserta", "participant")]:
        added = await client.post(
            f"/api/v1/meetings/{meeting['id']}/attendees",
            json={"full_name": name, "position": "Kepala", "organisation_id": home, "role": role},
            headers=admin,
        )
        assert added.status_code == 201, added.text
    current = await client.get(f"/api/v1/meetings/{meeting['id']}", headers=admin)
    updated = await client.patch(
        f"/api/v1/meetings/{meeting['id']}",
        json={"title": "Rapat koordinasi"},
        headers={**admin, "If-Match": current.headers["ETag"]},
    )
    assert updated.status_code == 200, updated.text
    response = await client.get(f"/api/v1/meetings/{meeting['id']}/calendar.ics", headers=admin)
    (event,) = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert event["ORGANIZER"].params["CN"] == "Ibu Ketua"
    attendees = event["ATTENDEE"] if isinstance(event["ATTENDEE"], list) else [event["ATTENDEE"]]
    assert [a.params["CN"] for a in attendees] == ["Bapak Peserta"]
    assert str(event["SUMMARY"]) == "Rapat koordinasi"
    assert int(cast(icalendar.vInt, event["SEQUENCE"])) == updated.json()["version"] - 1 > 0


async def test_meeting_calendar_of_a_foreign_meeting_is_missing(
    client: httpx.AsyncClient, actors: Actors, admin: dict[str, str]
) -> None:
    agreement = await create_agreement(
        client, admin, [await actors.organisation(), await actors.organisation()]
    )
    meeting = await _wita_meeting(client, admin, agreement["id"])
    _, stranger = await actors.user("viewer")
    foreign = await client.get(f"/api/v1/meetings/{meeting['id']}/calendar.ics", headers=stranger)
    missing = await client.get("/api/v1/meetings/2000000000/calendar.ics", headers=stranger)
    assert foreign.status_code == missing.status_code == 404
    assert foreign.content == missing.content


async def test_feed_serves_only_what_its_owner_sees_and_revoked_answers_404(
    client: httpx.AsyncClient, actors: Actors, admin: dict[str, str]
) -> None:
    home = await actors.organisation()
    mine = await create_agreement(client, admin, [home, await actors.organisation()])
    theirs = await create_agreement(
        client, admin, [await actors.organisation(), await actors.organisation()]
    )
    own_meeting = await _wita_meeting(client, admin, mine["id"], title="Rapat kami")
    await _wita_meeting(client, admin, theirs["id"], title="Rapat mereka")
    _, viewer = await actors.user("viewer", home)
    feed = await _feed(client, viewer, "Kalender kantor")
    assert feed["url"].endswith(".ics") and feed["name"] == "Kalender kantor"

    answer = await client.get(_path(feed["url"]))  # no credentials at all
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(answer.content)
    assert str(calendar["X-WR-CALNAME"]) == "Kalender kantor"
    events = calendar.walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["Rapat kami"]
    assert str(events[0]["UID"]).startswith(f"meeting-{own_meeting['id']}@")

    listed = (await client.get("/api/v1/calendar-feeds", headers=viewer)).json()
    assert listed == {"items": [{"id": feed["id"], "name": "Kalender kantor", "created_at": ANY}]}
    assert "url" not in str(listed)

    revoked = await client.delete(f"/api/v1/calendar-feeds/{feed['id']}", headers=viewer)
    assert revoked.status_code == 204
    after = await client.get(_path(feed["url"]))
    unknown = await client.get("/feeds/not-a-real-token.ics")
    assert after.status_code == unknown.status_code == 404
    assert after.content == unknown.content
    assert (await client.get("/api/v1/calendar-feeds", headers=viewer)).json() == {"items": []}


async def test_feed_of_a_deactivated_owner_answers_404(
    client: httpx.AsyncClient, actors: Actors, admin: dict[str, str]
) -> None:
    user_id, viewer = await actors.user("viewer")
    feed = await _feed(client, viewer)
    assert (await client.get(_path(feed["url"]))).status_code == 200
    off = await client.patch(f"/api/v1/users/{user_id}", json={"active": False}, headers=admin)
    assert off.status_code == 200, off.text
    assert (await client.get(_path(feed["url"]))).status_code == 404


async def test_feed_is_bounded_in_time_and_count(
    client: httpx.AsyncClient,
    actors: Actors,
    admin: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(feeds, "FEED_MAX_EVENTS", 2)
    agreement = await create_agreement(
        client, admin, [await actors.organisation(), await actors.organisation()]
    )
    long_ago = (dt.date.today() - dt.timedelta(days=feeds.FEED_PAST_DAYS + 5)).isoformat()
    await create_meeting(
        client, admin, agreement["id"], title="Lama", starts_at=long_ago + "T09:00:00", ends_at=None
    )
    for day in (3, 1, 2):
        await create_meeting(
            client, admin, agreement["id"], title=f"Hari {day}", starts_at=_soon(day), ends_at=None
        )
    feed = await _feed(client, admin)
    events = icalendar.Calendar.from_ical((await client.get(_path(feed["url"]))).content)
    assert [str(e["SUMMARY"]) for e in events.walk("VEVENT")] == ["Hari 1", "Hari 2"]


async def test_feed_of_another_user_cannot_be_revoked(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    home = await actors.organisation()
    _, owner = await actors.user("viewer", home)
    _, colleague = await actors.user("viewer", home)
    feed = await _feed(client, owner)
    refused = await client.delete(f"/api/v1/calendar-feeds/{feed['id']}", headers=colleague)
    assert refused.status_code == 404
    assert (await client.get(_path(feed["url"]))).status_code == 200


async def test_feed_name_is_required(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    response = await client.post("/api/v1/calendar-feeds", json={"name": ""}, headers=admin)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "name"


class _Any:
    def __eq__(self, other: object) -> bool:
        return True


ANY = _Any()


async def test_admin_revokes_anyones_feed_and_revoking_twice_is_once(
    client: httpx.AsyncClient, actors: Actors, admin: dict[str, str]
) -> None:
    _, viewer = await actors.user("viewer")
    feed = await _feed(client, viewer)
    assert (
        await client.delete(f"/api/v1/calendar-feeds/{feed['id']}", headers=admin)
    ).status_code == 204
    again = await client.delete(f"/api/v1/calendar-feeds/{feed['id']}", headers=viewer)
    assert again.status_code == 204
    assert (await client.get(_path(feed["url"]))).status_code == 404
