"""Lists page by cursor, bound their offsets, estimate large totals on request only, and search
titles, reference numbers, party names and scope items the same way on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest

from mou import paging
from mou.agreements import listing
from tests.conftest import Actors
from tests.integration.builders import create_agreement, create_meeting


async def _pages(
    client: httpx.AsyncClient, path: str, headers: dict[str, str], **params: Any
) -> list[dict[str, Any]]:
    """Every page of ``path``, following ``next_cursor`` until it is null."""
    pages, cursor = [], None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        response = await client.get(path, params=query, headers=headers)
        assert response.status_code == 200, response.text
        pages.append(response.json())
        cursor = pages[-1]["next_cursor"]
        if cursor is None:
            return pages


async def test_agreement_list_cursor_reaches_every_visible_agreement_once(
    client: httpx.AsyncClient, actors: Actors, admin: dict[str, str]
) -> None:
    mine, partner, other = [await actors.organisation() for _ in range(3)]
    _, liaison = await actors.user("liaison", mine)
    visible = [(await create_agreement(client, admin, [mine, partner]))["id"] for _ in range(5)]
    await create_agreement(client, admin, [other, partner])
    pages = await _pages(client, "/api/v1/agreements", liaison, limit=2)
    assert [len(p["items"]) for p in pages] == [2, 2, 1]
    assert [i["id"] for p in pages for i in p["items"]] == sorted(visible, reverse=True)
    assert all(p["total"] == 5 and p["total_exact"] for p in pages)


async def test_meeting_people_and_history_lists_page_by_cursor(
    client: httpx.AsyncClient, actors: Actors, admin: dict[str, str]
) -> None:
    a, b = await actors.organisation(), await actors.organisation()
    agreement = await create_agreement(client, admin, [a, b])
    starts = ["2024-03-01T09:00:00", "2024-01-01T09:00:00", "2024-01-01T09:00:00"]
    meetings = [
        (await create_meeting(client, admin, agreement["id"], starts_at=s, ends_at=e))["id"]
        for s, e in ((s, s.replace("T09", "T11")) for s in starts)
    ]
    path = f"/api/v1/agreements/{agreement['id']}/meetings"
    pages = await _pages(client, path, admin, limit=1)
    # Earliest first, ties by id: the two January meetings, then March.
    assert [i["id"] for p in pages for i in p["items"]] == [meetings[1], meetings[2], meetings[0]]
    for action in ("submit", "return", "submit"):
        response = await client.post(
            f"/api/v1/agreements/{agreement['id']}/actions/{action}",
            headers={**admin, "If-Match": f'"{agreement["version"]}"'},
            json={"comment": action},
        )
        assert response.status_code == 200, response.text
        agreement = response.json()
    history = await _pages(client, f"/api/v1/agreements/{agreement['id']}/history", admin, limit=2)
    assert [i["comment"] for p in history for i in p["items"]] == ["submit", "return", "submit"]
    people = await _pages(client, "/api/v1/organisations", admin, limit=1)
    assert len({i["id"] for p in people for i in p["items"]}) == people[0]["total"]


def _edited(cursor: str) -> str:
    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).replace(b"[", b"{")
    return base64.urlsafe_b64encode(raw).decode()


@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor",
        paging.cursor_encode("meeting", (1,)),
        paging.cursor_encode("agreement", ("1",)),
    ],
)
async def test_list_refuses_a_cursor_it_did_not_give_naming_cursor(
    client: httpx.AsyncClient, admin: dict[str, str], cursor: str
) -> None:
    response = await client.get("/api/v1/agreements", params={"cursor": cursor}, headers=admin)
    assert response.status_code == 400, response.text
    assert response.json()["errors"][0]["field"] == "cursor"
    assert response.json()["errors"][0]["message"] == paging.CURSOR_INVALID


async def test_list_refuses_an_edited_cursor_naming_cursor(
    client: httpx.AsyncClient, actors: Actors, admin: dict[str, str]
) -> None:
    a, b = await actors.organisation(), await actors.organisation()
    for _ in range(2):
        await create_agreement(client, admin, [a, b])
    page = (await client.get("/api/v1/agreements", params={"limit": 1}, headers=admin)).json()
    edited = _edited(page["next_cursor"])
    response = await client.get("/api/v1/agreements", params={"cursor": edited}, headers=admin)
    assert response.status_code == 400, response.text
    assert response.json()["errors"][0]["field"] == "cursor"


@pytest.mark.parametrize("path", ["/api/v1/agreements", "/api/v1/organisations", "/api/v1/users"])
async def test_list_refuses_an_offset_past_the_bound_pointing_to_cursor(
    client: httpx.AsyncClient, admin: dict[str, str], path: str
) -> None:
    ok = await client.get(path, params={"offset": paging.OFFSET_MAX}, headers=admin)
    assert ok.status_code == 200, ok.text
    response = await client.get(path, params={"offset": paging.OFFSET_MAX + 1}, headers=admin)
    assert response.status_code == 400, response.text
    error = response.json()["errors"][0]
    assert (error["field"], error["message"]) == ("offset", paging.OFFSET_TOO_DEEP)
    assert "cursor" in error["message"]


async def test_agreement_total_past_the_count_bound_is_an_estimate_unless_exact_is_asked(
    client: httpx.AsyncClient,
    actors: Actors,
    admin: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    a, b = await actors.organisation(), await actors.organisation()
    for _ in range(4):
        await create_agreement(client, admin, [a, b])
    params = {"organisation_id": a, "limit": 1}
    exact = (await client.get("/api/v1/agreements", params=params, headers=admin)).json()
    assert (exact["total"], exact["total_exact"]) == (4, True)
    monkeypatch.setattr(listing, "COUNT_MAX", 2)
    estimated = (await client.get("/api/v1/agreements", params=params, headers=admin)).json()
    assert estimated["total_exact"] is False
    assert estimated["total"] >= 3
    asked = await client.get(
        "/api/v1/agreements", params={**params, "count": "exact"}, headers=admin
    )
    assert (asked.json()["total"], asked.json()["total_exact"]) == (4, True)


#: (what is searched for, the labels of the agreements it must find): run on both engines, so
#: both give these same agreements (FTS5 trigram on SQLite, pg_trgm on PostgreSQL).
SEARCHES = [
    ("pendidikan", {"title"}),
    ("PENDIDIKAN VOKASI", {"title"}),
    ("B/77/HM", {"reference"}),
    ("Universitas Cendrawasih", {"party"}),
    ("cendrawasih", {"party"}),
    ("Beasiswa Afirmasi", {"scope"}),
    ("50%", {"percent"}),
    ("5_%", set()),
    ("a_b", {"underscore"}),
    ("\\", {"backslash"}),
    ('"kutip"', {"quote"}),
    ("hm", {"reference"}),
    ("%", {"percent"}),
    ("Vokasi B/77", set()),
    ("tidak ada di mana pun", set()),
]


async def _search_corpus(client: httpx.AsyncClient, actors: Actors, admin: dict[str, str]) -> Any:
    plain, other = await actors.organisation("Dinas P"), await actors.organisation("Dinas Q")
    party = await actors.organisation("Universitas Cendrawasih")
    made = {
        "title": await create_agreement(client, admin, [plain, other], title="Pendidikan Vokasi"),
        "reference": await create_agreement(
            client, admin, [plain, other], title="Kesehatan", reference_number="B/77/HM.01"
        ),
        "party": await create_agreement(client, admin, [plain, party], title="Kesehatan"),
        "scope": await create_agreement(client, admin, [plain, other], title="Kesehatan"),
        "percent": await create_agreement(client, admin, [plain, other], title="Diskon 50%"),
        "underscore": await create_agreement(client, admin, [plain, other], title="x a_b y"),
        "backslash": await create_agreement(client, admin, [plain, other], title="C:\\data"),
        "quote": await create_agreement(client, admin, [plain, other], title='Kata "kutip"'),
    }
    response = await client.post(
        f"/api/v1/agreements/{made['scope']['id']}/scope-items",
        headers=admin,
        json={"kind": "information_sharing", "title": "Beasiswa Afirmasi"},
    )
    assert response.status_code == 201, response.text
    return plain, {made[label]["id"]: label for label in made}


@pytest.mark.parametrize(("text", "expected"), SEARCHES)
async def test_search_finds_titles_references_party_names_and_scope_items_alike_on_both(
    client: httpx.AsyncClient,
    actors: Actors,
    admin: dict[str, str],
    text: str,
    expected: set[str],
) -> None:
    plain, labels = await _search_corpus(client, actors, admin)
    response = await client.get(
        "/api/v1/agreements", params={"q": text, "organisation_id": plain}, headers=admin
    )
    assert response.status_code == 200, response.text
    assert {labels[i["id"]] for i in response.json()["items"]} == expected


async def test_search_follows_renamed_organisations_and_edited_titles(
    client: httpx.AsyncClient, actors: Actors, admin: dict[str, str]
) -> None:
    a, b = await actors.organisation("Dinas Lama"), await actors.organisation("Dinas B")
    agreement = await create_agreement(client, admin, [a, b], title="Judul Awal")
    renamed = await client.patch(
        f"/api/v1/organisations/{a}", headers=admin, json={"name": "Badan Riset Baru"}
    )
    assert renamed.status_code == 200, renamed.text
    edited = await client.patch(
        f"/api/v1/agreements/{agreement['id']}",
        headers={**admin, "If-Match": f'"{agreement["version"]}"'},
        json={"title": "Judul Kedua"},
    )
    assert edited.status_code == 200, edited.text

    async def found(text: str) -> list[int]:
        response = await client.get("/api/v1/agreements", params={"q": text}, headers=admin)
        return [i["id"] for i in response.json()["items"]]

    assert await found("Riset Baru") == [agreement["id"]]
    assert await found("Dinas Lama") == []
    assert await found("judul kedua") == [agreement["id"]]
    assert await found("Judul Awal") == []
