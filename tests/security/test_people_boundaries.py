"""People belong to their organisation's tree: naming an organisation as a party, or recording
one of its people at a meeting, grants nothing over its directory (issue 8, items 1 and 2)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from mou.agreements.signatories import PARTY_NOT_YOURS, SIGNATORY_ELSEWHERE
from mou.meetings.attendees import ATTENDEE_NOT_YOURS
from mou.parties.services import PERSON_NOT_YOURS
from mou.references import NOT_YOUR_ORGANISATION
from tests.conftest import Actors
from tests.integration.builders import create_agreement, create_meeting
from tests.integration.minutes_case import pdf_text

MISSING_ID = 2_000_000_000


async def _person(
    client: httpx.AsyncClient, headers: dict[str, str], organisation_id: int, name: str
) -> int:
    response = await client.post(
        "/api/v1/people",
        headers=headers,
        json={
            "full_name": name,
            "organisation_id": organisation_id,
            "email": "rahasia@x.go.id",
            "phone": "+62 811 000",
        },
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def _draft(own: int, foreign: int, **foreign_party: Any) -> dict[str, Any]:
    return {
        "title": "Kerja sama",
        "kind": "mou",
        "parties": [
            {"organisation_id": own, "role": "first_party"},
            {"organisation_id": foreign, "role": "second_party", **foreign_party},
        ],
    }


async def test_signatory_of_a_foreign_party_answers_like_a_missing_person(
    client: httpx.AsyncClient, actors: Actors, admin: dict[str, str]
) -> None:
    mine, theirs, elsewhere = (
        await actors.organisation(),
        await actors.organisation(),
        await actors.organisation(),
    )
    works_there = await _person(client, admin, theirs, "Penanda tangan")
    works_elsewhere = await _person(client, admin, elsewhere, "Orang lain")
    _, liaison = await actors.user("liaison", mine)

    answers = [
        await client.post(
            "/api/v1/agreements", headers=liaison, json=_draft(mine, theirs, signatory_id=person)
        )
        for person in (works_there, works_elsewhere, MISSING_ID)
    ]

    assert {(a.status_code, a.content) for a in answers} == {(422, answers[0].content)}
    error = answers[0].json()["errors"][0]
    assert (error["field"], error["message"]) == ("parties[1].signatory_id", SIGNATORY_ELSEWHERE)


async def test_party_signatory_is_chosen_by_that_party_alone(
    client: httpx.AsyncClient, actors: Actors, admin: dict[str, str]
) -> None:
    mine, theirs = await actors.organisation(), await actors.organisation()
    their_person = await _person(client, admin, theirs, "Kepala Dinas")
    _, my_liaison = await actors.user("liaison", mine)
    _, their_liaison = await actors.user("liaison", theirs)
    draft = await client.post("/api/v1/agreements", headers=my_liaison, json=_draft(mine, theirs))
    assert draft.status_code == 201, draft.text
    agreement = draft.json()
    my_party, their_party = (p["id"] for p in agreement["parties"])
    url = f"/api/v1/agreements/{agreement['id']}/parties"
    body = {"signatory_id": their_person}

    refused = await client.patch(
        f"{url}/{their_party}", headers={**my_liaison, "If-Match": '"1"'}, json=body
    )
    assert (refused.status_code, refused.json()["detail"]) == (403, PARTY_NOT_YOURS)
    probes = [
        await client.patch(
            f"{url}/{my_party}",
            headers={**my_liaison, "If-Match": '"1"'},
            json={"signatory_id": person},
        )
        for person in (their_person, MISSING_ID)
    ]
    assert probes[0].status_code == 422
    assert probes[0].content == probes[1].content

    chosen = await client.patch(
        f"{url}/{their_party}", headers={**their_liaison, "If-Match": '"1"'}, json=body
    )
    assert chosen.status_code == 200, chosen.text
    assert chosen.json()["signatory_id"] == their_person
    shown = await client.get(f"/api/v1/agreements/{agreement['id']}", headers=my_liaison)
    assert shown.json()["parties"][1]["signatory_name"] == "Kepala Dinas"
    assert "email" not in shown.text
    assert chosen.headers["ETag"] == '"2"'
    # Resending the parties leaves the other party's choice alone.
    resent = await client.patch(
        f"/api/v1/agreements/{agreement['id']}",
        headers={**my_liaison, "If-Match": '"2"'},
        json={"parties": _draft(mine, theirs)["parties"]},
    )
    assert resent.status_code == 200, resent.text
    assert [p["signatory_id"] for p in resent.json()["parties"]] == [None, their_person]


async def test_person_changes_only_from_its_own_organisation_or_above(
    client: httpx.AsyncClient, actors: Actors, admin: dict[str, str]
) -> None:
    commission = await actors.organisation()
    bureau = await actors.organisation(parent_id=commission)
    of_commission = await _person(client, admin, commission, "Ketua")
    of_bureau = await _person(client, admin, bureau, "Kepala Biro")
    _, bureau_liaison = await actors.user("liaison", bureau)
    _, commission_liaison = await actors.user("liaison", commission)
    rename = {"full_name": "Diganti"}

    seen = await client.get(f"/api/v1/people/{of_commission}", headers=bureau_liaison)
    upward = await client.patch(
        f"/api/v1/people/{of_commission}", headers=bureau_liaison, json=rename
    )
    moved = await client.patch(
        f"/api/v1/people/{of_bureau}",
        headers=bureau_liaison,
        json={"organisation_id": commission},
    )
    downward = await client.patch(
        f"/api/v1/people/{of_bureau}", headers=commission_liaison, json=rename
    )

    assert seen.status_code == 200
    assert (upward.status_code, upward.json()["detail"]) == (403, PERSON_NOT_YOURS)
    assert moved.status_code == 422
    assert moved.json()["errors"][0]["message"] == NOT_YOUR_ORGANISATION
    assert (downward.status_code, downward.json()["full_name"]) == (200, "Diganti")


async def test_attendee_of_a_foreign_organisation_stays_out_of_its_directory(
    client: httpx.AsyncClient, actors: Actors, admin: dict[str, str], tmp_path: Path
) -> None:
    mine, theirs = await actors.organisation(), await actors.organisation()
    _, my_liaison = await actors.user("liaison", mine)
    _, their_viewer = await actors.user("viewer", theirs)
    agreement = await create_agreement(client, admin, [mine, theirs])
    meeting = await create_meeting(client, admin, agreement["id"])
    directory = {"organisation_id": theirs}
    before = await client.get("/api/v1/people", params=directory, headers=their_viewer)

    added = await client.post(
        f"/api/v1/meetings/{meeting['id']}/attendees",
        headers=my_liaison,
        json={"full_name": "Tamu Undangan", "position": "Kabid", "organisation_id": theirs},
    )
    planted = await client.post(
        "/api/v1/people",
        headers=my_liaison,
        json={"full_name": "Tamu Undangan", "organisation_id": theirs},
    )

    assert added.status_code == 201, added.text
    assert added.json()["person_id"] is None
    assert (planted.status_code, planted.json()["errors"][0]["message"]) == (
        422,
        NOT_YOUR_ORGANISATION,
    )
    after = await client.get("/api/v1/people", params=directory, headers=their_viewer)
    assert (after.status_code, after.content) == (before.status_code, before.content)
    shown = (await client.get(f"/api/v1/meetings/{meeting['id']}", headers=my_liaison)).json()
    guest = next(a for a in shown["attendees"] if a["id"] == added.json()["id"])
    assert (guest["full_name"], guest["position"], guest["organisation_id"]) == (
        "Tamu Undangan",
        "Kabid",
        theirs,
    )
    pdf = await client.get(f"/api/v1/meetings/{meeting['id']}/minutes.pdf", headers=my_liaison)
    assert pdf.status_code == 200
    assert "Tamu Undangan" in pdf_text(pdf.content, tmp_path)


async def test_guest_is_linked_by_its_own_organisation_only(
    client: httpx.AsyncClient, actors: Actors, admin: dict[str, str]
) -> None:
    mine, theirs = await actors.organisation(), await actors.organisation()
    _, my_liaison = await actors.user("liaison", mine)
    _, their_liaison = await actors.user("liaison", theirs)
    their_person = await _person(client, admin, theirs, "Tamu Terdaftar")
    my_person = await _person(client, admin, mine, "Pegawai Saya")
    agreement = await create_agreement(client, admin, [mine, theirs])
    meeting = await create_meeting(client, admin, agreement["id"])
    guest = await client.post(
        f"/api/v1/meetings/{meeting['id']}/attendees",
        headers=my_liaison,
        json={"full_name": "Tamu", "position": "Staf", "organisation_id": theirs},
    )
    url = f"/api/v1/attendees/{guest.json()['id']}"

    by_recorder = await client.patch(url, headers=my_liaison, json={"person_id": my_person})
    foreign_person = await client.patch(url, headers=their_liaison, json={"person_id": my_person})
    missing_person = await client.patch(url, headers=their_liaison, json={"person_id": MISSING_ID})
    linked = await client.patch(url, headers=their_liaison, json={"person_id": their_person})

    assert (by_recorder.status_code, by_recorder.json()["detail"]) == (403, ATTENDEE_NOT_YOURS)
    assert foreign_person.status_code == 422
    assert foreign_person.content == missing_person.content
    assert linked.status_code == 200, linked.text
    # Linked, yet still as recorded on the day.
    assert (linked.json()["person_id"], linked.json()["full_name"]) == (their_person, "Tamu")
