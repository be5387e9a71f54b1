"""With 20,000 agreements, no read the app makes for a list, its total, a search, a stage filter,
a later page or one agreement scans the agreement table: each plan PostgreSQL chooses for the
statements the requests actually sent is read with EXPLAIN (issue 12, must-show 2)."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from mou.db import DB
from mou.paging import COUNT_MAX
from tests.conftest import DATABASE, Actors

pytestmark = pytest.mark.skipif(
    DATABASE.kind != "postgres",
    reason="PostgreSQL's planner picks plans by table statistics; SQLite's EXPLAIN QUERY PLAN "
    "shows the newest-first walk of the primary key as SCAN even though it stops at the page, "
    "so bench/scale.py measures SQLite instead",
)

AGREEMENTS = 20_000
SEQ_SCAN = re.compile(r"Seq Scan on agreement(?![_\w])")
STAGES = "ARRAY['draft','review','approved','signed','active','expired','terminated','cancelled']"


async def _seed(creator: int, mine: int, other: int, partner: int) -> int:
    """``AGREEMENTS`` agreements, one in ten with ``mine`` as a party, in one statement each;
    triggers off while seeding (this transaction only), the search table filled once after."""
    connection = DB.current_transaction.get().connection
    await connection.execute("SET LOCAL session_replication_role = replica")
    first = await connection.fetchval("SELECT coalesce(max(id), 0) + 1 FROM agreement")
    await connection.execute(
        "INSERT INTO agreement (reference_number, title, kind, purpose, stage, version, "
        "approval_round, created_by, created_at, updated_at) "
        "SELECT 'B/' || g || '/HM.01', 'Kerja sama ' || g || "
        "CASE WHEN g % 100 = 0 THEN ' Pendidikan Vokasi' ELSE '' END, 'pks', '', "
        f"({STAGES})[1 + g % 8], 1, 1, $1, now(), now() FROM generate_series(1, $2) g",
        creator,
        AGREEMENTS,
    )
    await connection.execute(
        "INSERT INTO agreement_party (agreement, organisation, role, position) "
        "SELECT id, CASE WHEN id % 10 = 0 THEN $2::int ELSE $3::int END, 'first_party', 0 "
        "FROM agreement WHERE id >= $1 "
        "UNION ALL SELECT id, $4::int, 'second_party', 1 FROM agreement WHERE id >= $1",
        first,
        mine,
        other,
        partner,
    )
    await connection.execute("SET LOCAL session_replication_role = origin")
    await connection.execute(
        "SELECT agreement_search_refresh(ARRAY(SELECT id FROM agreement WHERE id >= $1))", first
    )
    await connection.execute("ANALYZE agreement, agreement_party, agreement_search")
    return int(first)


async def _plans(client: httpx.AsyncClient, headers: dict[str, str], path: str) -> list[str]:
    """The plans of the statements on ``agreement`` that ``GET path`` ran."""
    statements: list[str] = []
    DB.statement_counter = statements
    try:
        response = await client.get(path, headers=headers)
    finally:
        DB.statement_counter = None
    assert response.status_code == 200, response.text
    connection = DB.current_transaction.get().connection
    plans = []
    for sql in statements:
        # Reads only: not the planner estimate (itself an EXPLAIN) nor transaction control.
        if sql.lstrip().upper().startswith(("SELECT", "WITH")) and re.search(
            r"\bagreement\b", sql, re.IGNORECASE
        ):
            rows = await connection.fetch(f"EXPLAIN {sql}")
            plans.append("\n".join(str(row[0]) for row in rows))
    assert plans, path
    return plans


async def test_reads_do_not_scan_the_agreement_table_at_20000_agreements(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    mine, other, partner = [await actors.organisation() for _ in range(3)]
    creator, _ = await actors.user("admin")
    _, liaison = await actors.user("liaison", mine)
    await _seed(creator, mine, other, partner)
    listed = (await client.get("/api/v1/agreements", headers=liaison)).json()
    assert listed["total_exact"] is False
    assert listed["total"] > COUNT_MAX
    visible = listed["items"][-1]["id"]
    paths = [
        "/api/v1/agreements",
        "/api/v1/agreements?q=Pendidikan%20Vokasi",
        "/api/v1/agreements?stage=review",
        f"/api/v1/agreements?cursor={listed['next_cursor']}",
        f"/api/v1/agreements/{visible}",
        f"/api/v1/agreements/{visible}/history",
        f"/api/v1/agreements/{visible}/meetings",
    ]
    scanned: dict[str, Any] = {}
    for path in paths:
        for plan in await _plans(client, liaison, path):
            if SEQ_SCAN.search(plan):
                scanned[path] = plan
    assert scanned == {}
