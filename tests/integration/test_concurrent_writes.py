"""Concurrent writers queue instead of failing, and the audit chain stays one chain."""

from __future__ import annotations

import asyncio
import itertools
import secrets
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from mou.app import create_app
from mou.audit.tables import AuditEvent
from mou.db import DB, close_pool, open_pool
from mou.settings import get_settings
from tests.asgi import asgi
from tests.conftest import REPORT, Actors

WRITERS = 40


@pytest.fixture
async def committed_client() -> AsyncIterator[httpx.AsyncClient]:
    """A client whose requests commit, as in production: no test transaction around them."""
    await open_pool(DB, get_settings())
    try:
        transport = httpx.ASGITransport(app=asgi(create_app()))
        async with httpx.AsyncClient(transport=transport, base_url="http://mou.test") as http:
            yield http
    finally:
        await close_pool(DB)


async def test_concurrent_writers_all_succeed_and_chain_stays_linear(
    committed_client: httpx.AsyncClient, database: Any
) -> None:
    _, headers = await Actors().user("admin")
    before = await AuditEvent.count()
    tag = secrets.token_hex(4)

    async def create(n: int) -> httpx.Response:
        return await committed_client.post(
            "/api/v1/organisations",
            headers=headers,
            json={
                "name": f"Dinas {tag} {n}",
                "short_name": f"D{n}",
                "kind": "regency_agency",
            },
        )

    responses = await asyncio.gather(*(create(n) for n in range(WRITERS)))
    statuses = [r.status_code for r in responses]
    errors = [r.text for r in responses if r.status_code >= 500]
    REPORT.append(
        f"concurrency[{database.kind}] organisation create: {WRITERS} sent, "
        f"{statuses.count(201)} succeeded, {len(errors)} errors"
    )
    assert statuses == [201] * WRITERS, errors[:3]
    assert not any("locked" in r.text for r in responses)
    events = await AuditEvent.select(AuditEvent.prev_hash, AuditEvent.hash).order_by(AuditEvent.id)
    assert len(events) == before + WRITERS
    for previous, current in itertools.pairwise(events):
        assert current["prev_hash"] == previous["hash"]
