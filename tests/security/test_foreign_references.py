"""Ids of objects the caller may not see are refused exactly like ids that do not exist,
and fields no role may set (stage, version, created_by) are refused by every write."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.conftest import Actors
from tests.integration.builders import create_agreement, create_meeting

MISSING = 2_000_000_000


@pytest.fixture
async def setting(
    client: httpx.AsyncClient, actors: Actors, admin: dict[str, str]
) -> dict[str, Any]:
    mine, theirs = await actors.organisation(), await actors.organisation()
    partner, their_partner = await actors.organisation(), await actors.organisation()
    own = await create_agreement(client, admin, [mine, partner])
    foreign = await create_agreement(client, admin, [theirs, their_partner])
    foreign_meeting = await create_meeting(client, admin, foreign["id"])
    foreign_scope = await client.post(
        f"/api/v1/agreements/{foreign['id']}/scope-items",
        headers=admin,
        json={"kind": "other", "title": "Rahasia"},
    )
    foreign_person = await client.post(
        "/api/v1/people", headers=admin, json={"full_name": "Orang lain", "organisation_id": theirs}
    )
    _, liaison = await actors.user("liaison", mine)
    meeting = await create_meeting(client, liaison, own["id"])
    return {
        "mine": mine,
        "partner": partner,
        "own": own["id"],
        "meeting": meeting["id"],
        "liaison": liaison,
        "foreign": foreign["id"],
        "foreign_meeting": foreign_meeting["id"],
        "foreign_scope": foreign_scope.json()["id"],
        "foreign_person": foreign_person.json()["id"],
    }


CASES = [
    (
        "/api/v1/meetings/{meeting}/attendees",
        "person_id",
        lambda v: {"person_id": v},
        "foreign_person",
    ),
    (
        "/api/v1/meetings/{meeting}/action-items",
        "owner_person_id",
        lambda v: {"title": "x", "owner_person_id": v},
        "foreign_person",
    ),
    (
        "/api/v1/meetings/{meeting}/action-items",
        "scope_item_id",
        lambda v: {"title": "x", "scope_item_id": v},
        "foreign_scope",
    ),
    (
        "/api/v1/agreements",
        "parent_id",
        lambda v: {
            "title": "x",
            "kind": "pks",
            "parent_id": v,
            "parties": [{"organisation_id": "{mine}", "role": "first_party"}],
        },
        "foreign",
    ),
    (
        "/api/v1/agreements",
        "parties[0].signatory_id",
        lambda v: {
            "title": "x",
            "kind": "pks",
            "parties": [{"organisation_id": "{mine}", "role": "first_party", "signatory_id": v}],
        },
        "foreign_person",
    ),
]


def _resolve(body: Any, setting: dict[str, Any]) -> Any:
    if isinstance(body, dict):
        return {k: _resolve(v, setting) for k, v in body.items()}
    if isinstance(body, list):
        return [_resolve(v, setting) for v in body]
    if isinstance(body, str) and body.startswith("{"):
        return setting[body[1:-1]]
    return body


@pytest.mark.parametrize(("path", "field", "body", "foreign_key"), CASES)
async def test_foreign_ids_in_bodies_answer_like_missing_ones(
    client: httpx.AsyncClient,
    setting: dict[str, Any],
    path: str,
    field: str,
    body: Any,
    foreign_key: str,
) -> None:
    url = path.format(**setting)
    headers = setting["liaison"]
    foreign = await client.post(
        url, headers=headers, json=_resolve(body(setting[foreign_key]), setting)
    )
    missing = await client.post(url, headers=headers, json=_resolve(body(MISSING), setting))
    assert foreign.status_code == 422, foreign.text
    assert (foreign.status_code, foreign.json()) == (missing.status_code, missing.json())
    assert [e["field"] for e in foreign.json()["errors"]] == [field]


@pytest.mark.parametrize("field", ["stage", "version", "created_by", "created_by_id", "id"])
async def test_fields_no_role_may_set_are_refused(
    client: httpx.AsyncClient, setting: dict[str, Any], admin: dict[str, str], field: str
) -> None:
    for headers in (setting["liaison"], admin):
        response = await client.patch(
            f"/api/v1/agreements/{setting['own']}",
            headers={**headers, "If-Match": '"1"'},
            json={field: "active"},
        )
        assert response.status_code == 400, response.text
        assert field in [e["field"] for e in response.json()["errors"]]
    current = (await client.get(f"/api/v1/agreements/{setting['own']}", headers=admin)).json()
    assert (current["stage"], current["version"]) == ("draft", 1)


async def test_an_agreement_without_the_callers_organisation_is_refused(
    client: httpx.AsyncClient, setting: dict[str, Any], actors: Actors
) -> None:
    stranger_a, stranger_b = await actors.organisation(), await actors.organisation()
    response = await client.post(
        "/api/v1/agreements",
        headers=setting["liaison"],
        json={
            "title": "x",
            "kind": "pks",
            "parties": [
                {"organisation_id": stranger_a, "role": "first_party"},
                {"organisation_id": stranger_b, "role": "second_party"},
            ],
        },
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "parties"
