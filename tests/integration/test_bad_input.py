"""Every write answers bad input with a 4xx problem+json that names the field, never a 500."""

import logging
from typing import Any

import httpx
import pytest

from mou.http import TOO_DEEP
from tests.conftest import Actors
from tests.integration.builders import create_agreement, create_meeting

HUGE = 2**70


@pytest.fixture
async def world(client: httpx.AsyncClient, actors: Actors, admin: dict[str, str]) -> dict[str, Any]:
    a, b = await actors.organisation(), await actors.organisation()
    agreement = await create_agreement(client, admin, [a, b])
    other = await create_agreement(client, admin, [a, b])
    meeting = await create_meeting(client, admin, agreement["id"])
    other_meeting = await create_meeting(client, admin, other["id"])
    scope = await client.post(
        f"/api/v1/agreements/{other['id']}/scope-items",
        headers=admin,
        json={"kind": "other", "title": "elsewhere"},
    )
    speaker = await client.post(
        f"/api/v1/meetings/{other_meeting['id']}/attendees",
        headers=admin,
        json={"full_name": "Tamu", "organisation_id": a},
    )
    return {
        "a": a,
        "agreement": agreement["id"],
        "meeting": meeting["id"],
        "foreign_scope": scope.json()["id"],
        "foreign_attendee": speaker.json()["id"],
    }


def party(organisation_id: Any) -> dict[str, Any]:
    return {"organisation_id": organisation_id, "role": "first_party"}


# (path template, body, expected status, expected field)
CASES: list[tuple[str, Any, int, str]] = [
    ("/api/v1/agreements", {"title": 5, "kind": "pks", "parties": [party("{a}")]}, 400, "title"),
    ("/api/v1/agreements", {"title": "x", "parties": [party("{a}")]}, 400, "kind"),
    (
        "/api/v1/agreements",
        {"title": "x" * 301, "kind": "pks", "parties": [party("{a}")]},
        400,
        "title",
    ),
    (
        "/api/v1/agreements",
        {"title": "x", "kind": "treaty", "parties": [party("{a}")]},
        400,
        "kind",
    ),
    ("/api/v1/agreements", {"title": "x", "kind": "pks", "parties": []}, 400, "parties"),
    (
        "/api/v1/agreements",
        {"title": "x", "kind": "pks", "parties": [party(999999)]},
        422,
        "parties[0].organisation_id",
    ),
    (
        "/api/v1/agreements",
        {"title": "x", "kind": "pks", "parties": [party(HUGE)]},
        400,
        "parties[0].organisation_id",
    ),
    (
        "/api/v1/agreements",
        {"title": "x", "kind": "pks", "parties": [party("{a}"), party("{a}")]},
        422,
        "parties[1].organisation_id",
    ),
    (
        "/api/v1/agreements",
        {
            "title": "x",
            "kind": "pks",
            "parties": [party("{a}")],
            "start_date": "2024-05-01",
            "end_date": "2024-04-30",
        },
        422,
        "end_date",
    ),
    (
        "/api/v1/agreements",
        {"title": "x", "kind": "pks", "parties": [party("{a}")], "start_date": "2024-13-01"},
        400,
        "start_date",
    ),
    (
        "/api/v1/agreements",
        {"title": "x", "kind": "pks", "parties": [party("{a}")], "stage": "active"},
        400,
        "stage",
    ),
    (
        "/api/v1/organisations",
        {"name": "x", "short_name": "x", "kind": "ministry", "parent_id": 999999},
        422,
        "parent_id",
    ),
    (
        "/api/v1/organisations",
        {"name": "x", "short_name": "x", "kind": "ministry", "parent_id": HUGE},
        400,
        "parent_id",
    ),
    ("/api/v1/organisations", {"name": "", "short_name": "x", "kind": "ministry"}, 400, "name"),
    ("/api/v1/people", {"full_name": "x", "organisation_id": 999999}, 422, "organisation_id"),
    (
        "/api/v1/people",
        {"full_name": "x", "organisation_id": "{a}", "email": "not-an-email"},
        400,
        "email",
    ),
    (
        "/api/v1/users",
        {"username": "someone", "password": "short", "role": "admin", "organisation_id": "{a}"},
        400,
        "password",
    ),
    (
        "/api/v1/users",
        {
            "username": "someone",
            "password": "long enough pw",
            "role": "king",
            "organisation_id": "{a}",
        },
        400,
        "role",
    ),
    (
        "/api/v1/agreements/{agreement}/meetings",
        {
            "title": "x",
            "kind": "planning",
            "starts_at": "2023-10-23T12:00:00",
            "ends_at": "2023-10-23T10:00:00",
        },
        422,
        "ends_at",
    ),
    (
        "/api/v1/agreements/{agreement}/meetings",
        {
            "title": "x",
            "kind": "planning",
            "starts_at": "2023-10-23T12:00:00",
            "timezone": "Mars/Olympus",
        },
        422,
        "timezone",
    ),
    (
        "/api/v1/agreements/{agreement}/meetings",
        {"title": "x", "kind": "planning", "starts_at": "0001-01-01T00:00:00"},
        400,
        "starts_at",
    ),
    (
        "/api/v1/agreements/{agreement}/meetings",
        {"title": "x", "kind": "planning", "starts_at": "yesterday"},
        400,
        "starts_at",
    ),
    (
        "/api/v1/agreements/{agreement}/meetings",
        {
            "title": "x",
            "kind": "planning",
            "starts_at": "2023-10-23T12:00:00",
            "agenda": ["x" * 501],
        },
        400,
        "agenda[0]",
    ),
    (
        "/api/v1/agreements/999999/meetings",
        {"title": "x", "kind": "planning", "starts_at": "2023-10-23T12:00:00"},
        404,
        "",
    ),
    ("/api/v1/meetings/{meeting}/attendees", {"role": "chair"}, 422, "full_name"),
    ("/api/v1/meetings/{meeting}/attendees", {"person_id": 999999}, 422, "person_id"),
    (
        "/api/v1/meetings/{meeting}/attendees",
        {"full_name": "x", "organisation_id": "{a}", "attendance": "asleep"},
        400,
        "attendance",
    ),
    (
        "/api/v1/meetings/{meeting}/points",
        {"text": "x", "speaker_attendee_id": "{foreign_attendee}"},
        422,
        "speaker_attendee_id",
    ),
    ("/api/v1/meetings/{meeting}/points", {"text": ""}, 400, "text"),
    ("/api/v1/meetings/{meeting}/points", {"text": "x" * 20_001}, 400, "text"),
    ("/api/v1/meetings/{meeting}/decisions", {}, 400, "text"),
    (
        "/api/v1/meetings/{meeting}/action-items",
        {"title": "x", "scope_item_id": "{foreign_scope}"},
        422,
        "scope_item_id",
    ),
    (
        "/api/v1/meetings/{meeting}/action-items",
        {"title": "x", "owner_person_id": 999999},
        422,
        "owner_person_id",
    ),
    (
        "/api/v1/meetings/{meeting}/action-items",
        {"title": "x", "due_date": 20231023},
        400,
        "due_date",
    ),
    # Every date and time field has the same range (mou.schemas), not only meeting times.
    (
        "/api/v1/agreements",
        {"title": "x", "kind": "pks", "parties": [party("{a}")], "start_date": "0001-01-01"},
        400,
        "start_date",
    ),
    (
        "/api/v1/agreements",
        {"title": "x", "kind": "pks", "parties": [party("{a}")], "end_date": "9999-12-31"},
        400,
        "end_date",
    ),
    (
        "/api/v1/agreements/{agreement}/scope-items",
        {"kind": "other", "title": "x", "due_date": "9999-12-31"},
        400,
        "due_date",
    ),
    (
        "/api/v1/meetings/{meeting}/action-items",
        {"title": "x", "due_date": "0001-01-01"},
        400,
        "due_date",
    ),
    ("/api/v1/agreements/{agreement}/actions/sign", {"signed_on": "9999-12-31"}, 400, "signed_on"),
    (
        "/api/v1/agreements/{agreement}/meetings",
        {"title": "x", "kind": "planning", "starts_at": "2201-01-01T00:00:00"},
        400,
        "starts_at",
    ),
]


def fill(value: Any, world: dict[str, Any]) -> Any:
    if (
        isinstance(value, str)
        and value.startswith("{")
        and value.endswith("}")
        and value[1:-1] in world
    ):
        return world[value[1:-1]]
    if isinstance(value, dict):
        return {k: fill(v, world) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, world) for v in value]
    return value


@pytest.mark.parametrize(("path", "body", "status", "field"), CASES)
async def test_bad_input_names_the_field(
    client: httpx.AsyncClient,
    admin: dict[str, str],
    world: dict[str, Any],
    path: str,
    body: Any,
    status: int,
    field: str,
) -> None:
    response = await client.post(path.format(**world), json=fill(body, world), headers=admin)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == status
    if field:
        assert field in [e["field"] for e in problem["errors"]], problem
        assert "Traceback" not in response.text


async def test_malformed_json_is_400(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    response = await client.post(
        "/api/v1/organisations",
        content=b"{not json",
        headers={**admin, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/agreements/99999999999999999999",
        "/api/v1/agreements/2147483648",
        "/api/v1/meetings/0",
        "/api/v1/people/-1",
    ],
)
async def test_out_of_range_path_ids_are_4xx(
    client: httpx.AsyncClient, admin: dict[str, str], path: str
) -> None:
    response = await client.get(path, headers=admin)
    assert 400 <= response.status_code < 500, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 201},
        {"offset": -1},
        {"stage": "x"},
        {"organisation_id": HUGE},
        {"expiring_within_days": -1},
    ],
)
async def test_bad_list_parameters_name_the_parameter(
    client: httpx.AsyncClient, admin: dict[str, str], params: dict[str, Any]
) -> None:
    response = await client.get("/api/v1/agreements", params=params, headers=admin)
    assert response.status_code == 400, response.text
    assert [e["field"] for e in response.json()["errors"]] == list(params)


@pytest.mark.parametrize("depth", [900, 200_000])
@pytest.mark.parametrize(
    "path", ["/api/v1/auth/token", "/api/v1/organisations", "/api/v1/agreements", "/api/v1/tokens"]
)
async def test_deeply_nested_json_is_400_without_a_traceback(
    client: httpx.AsyncClient,
    admin: dict[str, str],
    caplog: pytest.LogCaptureFixture,
    path: str,
    depth: int,
) -> None:
    """900 levels once ended in a RecursionError: a 500 and thousands of log lines."""
    body = b'{"username":' + b"[" * depth + b"]" * depth + b', "password": "x"}'
    with caplog.at_level(logging.INFO):
        response = await client.post(
            path, content=body, headers={**admin, "Content-Type": "application/json"}
        )
    assert response.status_code == 400, response.text[:300]
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["errors"][0]["message"] == TOO_DEEP
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
