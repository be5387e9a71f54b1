"""Every statement in a feature's ``queries.py`` runs here, on the suite's engine (the suite runs
on SQLite and on PostgreSQL), with answers checked: plain SQL that drifted from the tables or
from one engine's dialect fails here, not in production."""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import inspect
import pkgutil
from typing import Any

import httpx

import mou
from mou.accounts import queries as account_queries
from mou.accounts.selectors import token_digest
from mou.accounts.sessions import session_start
from mou.agreements import queries as agreement_queries
from mou.meetings import queries as meeting_queries
from tests.conftest import DATABASE, Actors
from tests.integration.builders import create_agreement, create_meeting

#: The functions of every ``queries.py`` this file runs; a new one must be added (and run).
RUN_HERE = {
    "mou.accounts.queries.user_row_for_session",
    "mou.accounts.queries.user_row_for_token",
    "mou.agreements.queries.agreement_rows_count",
    "mou.agreements.queries.agreement_rows_estimate",
    "mou.agreements.queries.agreement_rows_page",
    "mou.agreements.queries.agreement_where",
    "mou.agreements.queries.party_rows_of",
    "mou.meetings.queries.meeting_size_row",
}


def _query_functions() -> set[str]:
    names = set()
    for feature in pkgutil.iter_modules(mou.__path__):
        if not feature.ispkg:
            continue
        try:
            module = importlib.import_module(f"mou.{feature.name}.queries")
        except ModuleNotFoundError:
            continue
        for name, value in vars(module).items():
            public = not name.startswith("_")
            if public and inspect.isfunction(value) and value.__module__ == module.__name__:
                names.add(f"{module.__name__}.{name}")
    return names


def test_every_queries_function_is_run_by_this_file() -> None:
    assert _query_functions() == RUN_HERE


async def _page(**filters: Any) -> tuple[list[int], int]:
    where, args = agreement_queries.agreement_where(
        **{
            "party_among": None,
            "stage": None,
            "organisation_id": None,
            "q": None,
            "ends_between": None,
        }
        | filters
    )
    rows = await agreement_queries.agreement_rows_page(
        where=where, args=args, after_id=None, limit=10, offset=0
    )
    return [row["id"] for row in rows], await agreement_queries.agreement_rows_count(
        where=where, args=args, at_most=None
    )


async def test_agreement_statements_filter_count_and_join_parties(
    client: httpx.AsyncClient, actors: Actors, admin: dict[str, str]
) -> None:
    a, b, c = [await actors.organisation() for _ in range(3)]
    ending = dt.date(2031, 5, 17)
    first = await create_agreement(
        client, admin, [a, b], title="Diseminasi 100%_ data", end_date=ending.isoformat()
    )
    second = await create_agreement(client, admin, [a, c], title="Pelatihan")

    assert await _page(party_among=frozenset({b, c})) == ([second["id"], first["id"]], 2)
    assert await _page(party_among=frozenset()) == ([], 0)
    assert await _page(
        party_among=frozenset({a}),
        stage="draft",
        organisation_id=b,
        q="0%_ DATA",
        ends_between=(ending, ending),
    ) == ([first["id"]], 1)
    assert await _page(organisation_id=c, q="100%") == ([], 0)

    where, args = agreement_queries.agreement_where(
        party_among=frozenset({a}), stage=None, organisation_id=None, q=None, ends_between=None
    )
    after = await agreement_queries.agreement_rows_page(
        where=where, args=args, after_id=second["id"], limit=10, offset=0
    )
    assert [row["id"] for row in after] == [first["id"]]
    assert await agreement_queries.agreement_rows_count(where=where, args=args, at_most=1) == 1
    estimate = await agreement_queries.agreement_rows_estimate(where=where, args=args)
    assert estimate is None if DATABASE.kind == "sqlite" else isinstance(estimate, int)

    parties = await agreement_queries.party_rows_of([second["id"], first["id"]])
    assert [(p["agreement_id"], p["organisation_id"], p["role"]) for p in parties] == [
        (first["id"], a, "first_party"),
        (first["id"], b, "second_party"),
        (second["id"], a, "first_party"),
        (second["id"], c, "second_party"),
    ]
    assert all(p["organisation_name"] and p["signatory_name"] is None for p in parties)
    assert await agreement_queries.party_rows_of([]) == []


async def test_account_statements_find_live_credentials_only(actors: Actors) -> None:
    user_id, headers = await actors.user("admin")
    token_hash = token_digest(headers["Authorization"].removeprefix("Bearer "))
    now = dt.datetime.now(dt.UTC)
    found = await account_queries.user_row_for_token(token_hash=token_hash, now=now)
    assert found is not None and found["id"] == user_id and found["role"] == "admin"
    later = now + dt.timedelta(days=1)
    assert await account_queries.user_row_for_token(token_hash=token_hash, now=later) is None

    session_id = await session_start(user_id=user_id, replacing=None)
    key_hash = hashlib.sha256(session_id.encode()).hexdigest()
    found = await account_queries.user_row_for_session(key_hash=key_hash, now=now)
    assert found is not None and found["id"] == user_id
    assert await account_queries.user_row_for_session(key_hash="0" * 64, now=now) is None


async def test_meeting_size_statement_counts_records_and_characters(
    client: httpx.AsyncClient, actors: Actors, admin: dict[str, str]
) -> None:
    agreement = await create_agreement(
        client, admin, [await actors.organisation(), await actors.organisation()]
    )
    meeting = await create_meeting(client, admin, agreement["id"])
    base = f"/api/v1/meetings/{meeting['id']}"
    for text in ("Sepakat", "Ditindaklanjuti"):
        decided = await client.post(f"{base}/decisions", headers=admin, json={"text": text})
        assert decided.status_code == 201, decided.text

    size = await meeting_queries.meeting_size_row(meeting_id=meeting["id"])
    assert size == {
        "attendees": 0,
        "points": 0,
        "decisions": 2,
        "action_items": 0,
        "text_chars": len("Sepakat") + len("Ditindaklanjuti"),
    }
