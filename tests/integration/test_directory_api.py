import httpx

from tests.conftest import Actors


async def test_organisation_list_filters_pages_and_counts(
    client: httpx.AsyncClient, actors: Actors, admin: dict[str, str]
) -> None:
    for n in range(3):
        response = await client.post(
            "/api/v1/organisations",
            headers=admin,
            json={
                "name": f"Universitas Sumatera Utara Fakultas {n}",
                "short_name": f"USU {n}",
                "kind": "university",
            },
        )
        assert response.status_code == 201, response.text
    page = await client.get(
        "/api/v1/organisations",
        headers=admin,
        params={"q": "sumatera utara fakultas", "kind": "university", "limit": 2, "offset": 1},
    )
    body = page.json()
    assert (body["total"], body["limit"], body["offset"]) == (3, 2, 1)
    assert [o["short_name"] for o in body["items"]] == ["USU 1", "USU 2"]


async def test_person_list_filters_by_organisation(
    client: httpx.AsyncClient, actors: Actors, admin: dict[str, str]
) -> None:
    home, other = await actors.organisation(), await actors.organisation()
    for name, org in [("Ilyas Sitorus", home), ("Chrystelina", other)]:
        await client.post(
            "/api/v1/people", headers=admin, json={"full_name": name, "organisation_id": org}
        )
    body = (
        await client.get("/api/v1/people", headers=admin, params={"organisation_id": home})
    ).json()
    assert [p["full_name"] for p in body["items"]] == ["Ilyas Sitorus"]
    assert body["total"] == 1
