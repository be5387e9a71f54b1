import datetime as dt

import httpx

from mou.meetings.tables import Meeting
from tests.conftest import Actors
from tests.integration.builders import create_agreement, create_meeting


async def test_meeting_times_are_read_in_their_zone_and_stored_in_utc(
    client: httpx.AsyncClient, actors: Actors, admin: dict[str, str]
) -> None:
    a, b = await actors.organisation(), await actors.organisation()
    agreement = await create_agreement(client, admin, [a, b])
    meeting = await create_meeting(
        client, admin, agreement["id"], starts_at="2023-10-23T10:00:00", timezone="Asia/Makassar"
    )
    assert meeting["starts_at"] == "2023-10-23T10:00:00+08:00"
    row = await Meeting.select(Meeting.starts_at).where(Meeting.id == meeting["id"]).first()
    assert row is not None
    assert row["starts_at"] == dt.datetime(2023, 10, 23, 2, 0, tzinfo=dt.UTC)
    explicit = await create_meeting(
        client, admin, agreement["id"], starts_at="2023-10-23T10:00:00+07:00", ends_at=None
    )
    assert explicit["starts_at"] == "2023-10-23T10:00:00+07:00"


async def test_meeting_records_attendees_points_decisions_and_actions(
    client: httpx.AsyncClient, actors: Actors, admin: dict[str, str]
) -> None:
    a, b = await actors.organisation(), await actors.organisation()
    agreement = await create_agreement(client, admin, [a, b])
    meeting = await create_meeting(client, admin, agreement["id"], agenda=["Pembukaan", "Diskusi"])
    base = f"/api/v1/meetings/{meeting['id']}"
    person = (
        await client.post(
            "/api/v1/people",
            headers=admin,
            json={
                "full_name": "Ilyas Sitorus",
                "position": "Kepala Dinas",
                "organisation_id": a,
            },
        )
    ).json()
    chair = await client.post(
        f"{base}/attendees", headers=admin, json={"person_id": person["id"], "role": "chair"}
    )
    assert chair.status_code == 201, chair.text
    assert chair.json()["position"] == "Kepala Dinas"
    guest = await client.post(
        f"{base}/attendees",
        headers=admin,
        json={
            "full_name": "Chrystelina",
            "position": "Kabag",
            "organisation_id": b,
            "role": "speaker",
        },
    )
    assert guest.status_code == 201, guest.text
    again = await client.post(f"{base}/attendees", headers=admin, json={"person_id": person["id"]})
    assert again.status_code == 422
    point = await client.post(
        f"{base}/points",
        headers=admin,
        json={"text": "Menyambut baik", "speaker_attendee_id": chair.json()["id"]},
    )
    assert point.status_code == 201, point.text
    assert (
        await client.post(f"{base}/decisions", headers=admin, json={"text": "Sepakat"})
    ).status_code == 201
    scope = (
        await client.post(
            f"/api/v1/agreements/{agreement['id']}/scope-items",
            headers=admin,
            json={"kind": "other", "title": "Konten"},
        )
    ).json()
    action = await client.post(
        f"{base}/action-items",
        headers=admin,
        json={
            "title": "Susun draf",
            "owner_organisation_id": a,
            "due_date": "2023-11-30",
            "scope_item_id": scope["id"],
        },
    )
    assert action.status_code == 201, action.text

    detail = await client.get(base, headers=admin)
    body = detail.json()
    assert detail.headers["etag"] == f'"{body["version"]}"'
    assert [x["full_name"] for x in body["attendees"]] == ["Ilyas Sitorus", "Chrystelina"]
    assert [x["role"] for x in body["attendees"]] == ["chair", "speaker"]
    assert body["points"] == [
        {
            "id": point.json()["id"],
            "text": "Menyambut baik",
            "speaker_attendee_id": chair.json()["id"],
        }
    ]
    assert [d["text"] for d in body["decisions"]] == ["Sepakat"]
    assert body["action_items"][0]["due_date"] == "2023-11-30"
    assert body["agenda"] == ["Pembukaan", "Diskusi"]
    assert body["version"] == 1 + 5  # two attendees, a point, a decision and an action item

    listing = await client.get(f"/api/v1/agreements/{agreement['id']}/meetings", headers=admin)
    assert [m["id"] for m in listing.json()["items"]] == [meeting["id"]]


async def test_meeting_patch_and_final_minutes_lock_content(
    client: httpx.AsyncClient, actors: Actors, admin: dict[str, str]
) -> None:
    a, b = await actors.organisation(), await actors.organisation()
    agreement = await create_agreement(client, admin, [a, b])
    meeting = await create_meeting(client, admin, agreement["id"])
    base = f"/api/v1/meetings/{meeting['id']}"
    patched = await client.patch(base, headers={**admin, "If-Match": '"1"'}, json={"venue": "Aula"})
    assert patched.status_code == 200, patched.text
    assert patched.json()["venue"] == "Aula"
    bad_end = await client.patch(
        base, headers={**admin, "If-Match": '"2"'}, json={"ends_at": "2023-10-23T09:00:00"}
    )
    assert bad_end.status_code == 422
    await Meeting.update({Meeting.minutes_status: "final"}).where(Meeting.id == meeting["id"])
    locked = await client.post(f"{base}/decisions", headers=admin, json={"text": "Terlambat"})
    assert locked.status_code == 409


async def test_meetings_of_a_missing_agreement_are_404(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    response = await client.get("/api/v1/agreements/999999/meetings", headers=admin)
    assert response.status_code == 404
