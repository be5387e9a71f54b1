"""Small request builders shared by the HTTP tests."""

from __future__ import annotations

from typing import Any

import httpx


async def create_agreement(
    client: httpx.AsyncClient, headers: dict[str, str], organisations: list[int], **fields: Any
) -> dict[str, Any]:
    roles = ["first_party", "second_party"] + ["party"] * (len(organisations) - 2)
    body = {
        "title": "Kerja sama diseminasi",
        "kind": "pks",
        "parties": [
            {"organisation_id": o, "role": r} for o, r in zip(organisations, roles, strict=False)
        ],
        **fields,
    }
    response = await client.post("/api/v1/agreements", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def create_meeting(
    client: httpx.AsyncClient, headers: dict[str, str], agreement_id: int, **fields: Any
) -> dict[str, Any]:
    body = {
        "title": "Rapat perencanaan",
        "kind": "planning",
        "starts_at": "2023-10-23T10:00:00",
        "ends_at": "2023-10-23T12:00:00",
        "timezone": "Asia/Jakarta",
        **fields,
    }
    response = await client.post(
        f"/api/v1/agreements/{agreement_id}/meetings", json=body, headers=headers
    )
    assert response.status_code == 201, response.text
    return response.json()
