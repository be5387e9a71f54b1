"""A list request makes the same number of queries whether it returns 5 rows or 200."""

from typing import Any

import httpx

from mou.agreements.tables import Agreement, AgreementParty
from mou.db import DB
from tests.conftest import Actors


async def _seed(organisations: list[int], creator: int, n: int) -> None:
    for i in range(n):
        row = Agreement(title=f"Kerja sama {i}", kind="pks", created_by=creator)
        await row.save()
        await AgreementParty.insert(
            *(
                AgreementParty(agreement=row.id, organisation=o, role="party", position=p)
                for p, o in enumerate(organisations)
            )
        )


async def _statements(
    client: httpx.AsyncClient, headers: dict[str, str], params: dict[str, Any]
) -> int:
    counter: list[str] = []
    DB.statement_counter = counter  # type: ignore[attr-defined]
    try:
        response = await client.get("/api/v1/agreements", params=params, headers=headers)
    finally:
        DB.statement_counter = None  # type: ignore[attr-defined]
    assert response.status_code == 200, response.text
    assert len(response.json()["items"]) == params["limit"]
    return len(counter)


async def test_agreement_list_queries_do_not_grow_with_rows(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    small_a, small_b, big_a, big_b = [await actors.organisation() for _ in range(4)]
    user_id, headers = await actors.user("admin")
    await _seed([small_a, small_b], user_id, 5)
    await _seed([big_a, big_b], user_id, 200)
    at_5 = await _statements(client, headers, {"organisation_id": small_a, "limit": 5})
    at_200 = await _statements(client, headers, {"organisation_id": big_a, "limit": 200})
    assert at_5 == at_200
    assert at_200 <= 4  # token lookup, page, count, parties
