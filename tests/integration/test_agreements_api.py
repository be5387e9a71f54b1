from typing import Any

import httpx

from mou import errors
from mou.agreements.tables import Agreement, AgreementParty
from mou.audit.tables import AuditEvent
from tests.conftest import Actors
from tests.integration.builders import create_agreement


async def test_agreement_create_answers_draft_with_parties_and_etag(
    client: httpx.AsyncClient, actors: Actors, admin: dict[str, str]
) -> None:
    a, b, c = [await actors.organisation() for _ in range(3)]
    response = await client.post(
        "/api/v1/agreements",
        headers=admin,
        json={
            "title": "Tiga pihak",
            "kind": "mou",
            "reference_number": "B/123/HM.01/10/2023",
            "start_date": "2024-01-01",
            "end_date": "2025-12-31",
            "parties": [
                {"organisation_id": a, "role": "first_party"},
                {"organisation_id": b, "role": "second_party"},
                {"organisation_id": c, "role": "party"},
            ],
        },
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["stage"] == "draft"
    assert body["version"] == 1
    assert response.headers["etag"] == '"1"'
    assert [p["organisation_id"] for p in body["parties"]] == [a, b, c]
    assert await AgreementParty.count().where(AgreementParty.agreement == body["id"]) == 3
    assert await AuditEvent.exists().where(
        (AuditEvent.entity == "agreement") & (AuditEvent.entity_id == body["id"])
    )


async def test_agreement_get_shows_scope_items(
    client: httpx.AsyncClient, actors: Actors, admin: dict[str, str]
) -> None:
    a, b = await actors.organisation(), await actors.organisation()
    agreement = await create_agreement(client, admin, [a, b])
    response = await client.post(
        f"/api/v1/agreements/{agreement['id']}/scope-items",
        headers=admin,
        json={
            "kind": "information_sharing",
            "title": "Berbagi informasi",
            "lead_organisation_id": a,
        },
    )
    assert response.status_code == 201, response.text
    detail = (await client.get(f"/api/v1/agreements/{agreement['id']}", headers=admin)).json()
    assert [s["title"] for s in detail["scope_items"]] == ["Berbagi informasi"]


async def test_scope_item_lead_must_be_a_party(
    client: httpx.AsyncClient, actors: Actors, admin: dict[str, str]
) -> None:
    a, b, outsider = [await actors.organisation() for _ in range(3)]
    agreement = await create_agreement(client, admin, [a, b])
    response = await client.post(
        f"/api/v1/agreements/{agreement['id']}/scope-items",
        headers=admin,
        json={"kind": "other", "title": "x", "lead_organisation_id": outsider},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "lead_organisation_id"


async def test_agreement_patch_requires_if_match_and_refuses_stale(
    client: httpx.AsyncClient, actors: Actors, admin: dict[str, str]
) -> None:
    a, b = await actors.organisation(), await actors.organisation()
    agreement = await create_agreement(client, admin, [a, b])
    url = f"/api/v1/agreements/{agreement['id']}"
    missing = await client.patch(url, headers=admin, json={"title": "Baru"})
    assert missing.status_code == 428
    updated = await client.patch(url, headers={**admin, "If-Match": '"1"'}, json={"title": "Baru"})
    assert updated.status_code == 200, updated.text
    assert updated.json()["title"] == "Baru"
    assert updated.json()["version"] == 2
    assert updated.headers["etag"] == '"2"'
    stale = await client.patch(url, headers={**admin, "If-Match": '"1"'}, json={"title": "Lama"})
    assert stale.status_code == 412
    row = await Agreement.select(Agreement.title).where(Agreement.id == agreement["id"]).first()
    assert row == {"title": "Baru"}


async def test_weak_if_match_is_412_and_changes_nothing(
    client: httpx.AsyncClient, actors: Actors, admin: dict[str, str]
) -> None:
    """RFC 9110 compares If-Match strongly: W/"1" never matches, even the current version."""
    a, b = await actors.organisation(), await actors.organisation()
    agreement = await create_agreement(client, admin, [a, b])
    meeting = await client.post(
        f"/api/v1/agreements/{agreement['id']}/meetings",
        headers=admin,
        json={"title": "Rapat", "kind": "planning", "starts_at": "2023-10-23T10:00:00"},
    )
    weak = {**admin, "If-Match": 'W/"1"'}
    refused = [
        await client.patch(
            f"/api/v1/agreements/{agreement['id']}", headers=weak, json={"title": "Baru"}
        ),
        await client.patch(
            f"/api/v1/meetings/{meeting.json()['id']}", headers=weak, json={"venue": "Aula"}
        ),
        await client.post(f"/api/v1/agreements/{agreement['id']}/actions/submit", headers=weak),
    ]
    assert [r.status_code for r in refused] == [412, 412, 412], [r.text for r in refused]
    assert {r.json()["detail"] for r in refused} == {errors.IF_MATCH_WEAK}
    row = (
        await Agreement.select(Agreement.title, Agreement.stage)
        .where(Agreement.id == agreement["id"])
        .first()
    )
    assert row == {"title": agreement["title"], "stage": "draft"}


async def test_agreement_patch_outside_draft_is_409(
    client: httpx.AsyncClient, actors: Actors, admin: dict[str, str]
) -> None:
    a, b = await actors.organisation(), await actors.organisation()
    agreement = await create_agreement(client, admin, [a, b])
    await Agreement.update({Agreement.stage: "active"}).where(Agreement.id == agreement["id"])
    response = await client.patch(
        f"/api/v1/agreements/{agreement['id']}",
        headers={**admin, "If-Match": '"1"'},
        json={"title": "Baru"},
    )
    assert response.status_code == 409
    assert "draft" in response.json()["detail"]


async def test_agreement_patch_replaces_parties(
    client: httpx.AsyncClient, actors: Actors, admin: dict[str, str]
) -> None:
    a, b, c = [await actors.organisation() for _ in range(3)]
    agreement = await create_agreement(client, admin, [a, b])
    response = await client.patch(
        f"/api/v1/agreements/{agreement['id']}",
        headers={**admin, "If-Match": '"1"'},
        json={
            "parties": [
                {"organisation_id": c, "role": "first_party"},
                {"organisation_id": a, "role": "second_party"},
            ]
        },
    )
    assert response.status_code == 200, response.text
    assert [p["organisation_id"] for p in response.json()["parties"]] == [c, a]


async def test_agreement_list_filters_by_stage_organisation_and_text(
    client: httpx.AsyncClient, actors: Actors, admin: dict[str, str]
) -> None:
    a, b, c = [await actors.organisation() for _ in range(3)]
    first = await create_agreement(client, admin, [a, b], title="Diseminasi antikorupsi 100%")
    await create_agreement(client, admin, [b, c], title="Pertukaran data")
    await Agreement.update({Agreement.stage: "active"}).where(Agreement.id == first["id"])

    async def ids(**params: Any) -> list[int]:
        response = await client.get("/api/v1/agreements", params=params, headers=admin)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    assert await ids(stage="active") == [first["id"]]
    assert await ids(organisation_id=a) == [first["id"]]
    assert len(await ids(organisation_id=b)) == 2
    assert await ids(q="ANTIKORUPSI") == [first["id"]]
    assert await ids(q="100%") == [first["id"]]
    assert await ids(q="_") == []


async def test_agreement_list_pages_with_total(
    client: httpx.AsyncClient, actors: Actors, admin: dict[str, str]
) -> None:
    a, b = await actors.organisation(), await actors.organisation()
    for n in range(5):
        await create_agreement(client, admin, [a, b], title=f"Kerja sama {n}")
    response = await client.get(
        "/api/v1/agreements", params={"limit": 2, "offset": 1, "organisation_id": a}, headers=admin
    )
    body = response.json()
    assert (body["total"], body["limit"], body["offset"], len(body["items"])) == (5, 2, 1, 2)
    assert [i["title"] for i in body["items"]] == ["Kerja sama 3", "Kerja sama 2"]


async def test_agreement_expiring_within_days(
    client: httpx.AsyncClient, actors: Actors, admin: dict[str, str]
) -> None:
    import datetime as dt

    from mou import clock

    a, b = await actors.organisation(), await actors.organisation()
    today = clock.today()
    soon = await create_agreement(
        client,
        admin,
        [a, b],
        start_date=str(today - dt.timedelta(days=300)),
        end_date=str(today + dt.timedelta(days=20)),
    )
    await create_agreement(
        client,
        admin,
        [a, b],
        start_date=str(today),
        end_date=str(today + dt.timedelta(days=400)),
    )
    response = await client.get(
        "/api/v1/agreements", params={"expiring_within_days": 30}, headers=admin
    )
    assert [i["id"] for i in response.json()["items"]] == [soon["id"]]
