"""Concurrent stage actions give one decision, never two, on SQLite and PostgreSQL.

These tests commit, as production does: no test transaction wraps the requests, so they
really contend for the agreement's row (PostgreSQL) or the database's write lock (SQLite).
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import os
import sys
from collections import Counter
from collections.abc import AsyncIterator, Awaitable
from typing import Any

import httpx
import pytest

from mou.agreements.actions import agreement_act
from mou.agreements.schemas import ActionRequest
from mou.agreements.tables import Agreement, Approval, StageChange
from mou.agreements.tick import agreements_tick
from mou.app import create_app
from mou.db import DB, close_pool, open_pool
from mou.settings import get_settings
from tests.asgi import asgi
from tests.conftest import DATABASE, REPORT, Actors
from tests.integration.workflow_cast import (
    TODAY,
    Cast,
    cast_agreements_delete,
    chain_end,
    make_cast,
)

SENT = 40
REFUSED = {409, 412}


@pytest.fixture
async def committed_client() -> AsyncIterator[httpx.AsyncClient]:
    """A client whose requests commit: no test transaction around them."""
    await open_pool(DB, get_settings())
    try:
        transport = httpx.ASGITransport(app=asgi(create_app()))
        async with httpx.AsyncClient(transport=transport, base_url="http://mou.test") as http:
            yield http
    finally:
        await close_pool(DB)


@pytest.fixture
async def cast(committed_client: httpx.AsyncClient) -> AsyncIterator[Cast]:
    events_after = await chain_end()
    cast = await make_cast(Actors())
    yield cast
    await cast_agreements_delete(cast, events_after=events_after)


async def _version(agreement_id: int) -> int:
    rows = await Agreement.select(Agreement.version).where(Agreement.id == agreement_id)
    return int(rows[0]["version"])


async def _stage_changes(agreement_id: int, to_stage: str) -> int:
    return await StageChange.count().where(
        (StageChange.agreement == agreement_id) & (StageChange.to_stage == to_stage)
    )


def _post(
    client: httpx.AsyncClient, cast: Cast, who: str, agreement_id: int, action: str, **body: Any
) -> Awaitable[httpx.Response]:
    return client.post(
        f"/api/v1/agreements/{agreement_id}/actions/{action}",
        headers={**cast.headers[who], "If-Match": f'"{body.pop("version")}"'},
        json=body,
    )


def _report(label: str, responses: list[httpx.Response]) -> Counter[str]:
    """Count outcomes, add the report line, and refuse 5xx or "database is locked"."""
    outcome: Counter[str] = Counter()
    for response in responses:
        if response.status_code in (200, 201):
            outcome["succeeded"] += 1
        elif response.status_code in REFUSED:
            outcome["refused"] += 1
        else:
            outcome["errors"] += 1
    REPORT.append(
        f"concurrency[{DATABASE.kind}] {label}: {len(responses)} sent, "
        f"{outcome['succeeded']} succeeded, {outcome['refused']} refused, "
        f"{outcome['errors']} errors"
    )
    assert outcome["errors"] == 0, [r.text for r in responses if r.status_code not in REFUSED][:3]
    assert not any("locked" in r.text for r in responses)
    return outcome


async def test_concurrent_approvals_by_one_party_record_one(
    committed_client: httpx.AsyncClient, cast: Cast
) -> None:
    agreement_id = await cast.agreement("review", parties="ab")
    await agreement_act(
        user=cast.users["manager_a"],
        agreement_id=agreement_id,
        action="approve",
        expected_version=1,
        data=ActionRequest(),
    )
    version = await _version(agreement_id)
    responses = await asyncio.gather(
        *(
            _post(committed_client, cast, "manager_b", agreement_id, "approve", version=version)
            for _ in range(SENT)
        )
    )
    outcome = _report("approve", responses)
    assert (outcome["succeeded"], outcome["refused"]) == (1, SENT - 1)
    party_b = await Approval.count().where(
        (Approval.agreement == agreement_id) & (Approval.actor == cast.users["manager_b"].id)
    )
    assert party_b == 1
    assert await _stage_changes(agreement_id, "approved") == 1


async def test_last_two_approvals_at_once_give_one_stage_change(
    committed_client: httpx.AsyncClient, cast: Cast
) -> None:
    agreements = [await cast.agreement("review", parties="abc") for _ in range(SENT // 2)]
    for agreement_id in agreements:
        await agreement_act(
            user=cast.users["manager_a"],
            agreement_id=agreement_id,
            action="approve",
            expected_version=1,
            data=ActionRequest(),
        )
    # The managers of b and c both approve every agreement, each holding the same version.
    calls = [(who, a) for a in agreements for who in ("manager_b", "manager_c")]
    responses = await asyncio.gather(
        *(_post(committed_client, cast, who, a, "approve", version=2) for who, a in calls)
    )
    outcome = _report("last two approvals", responses)
    assert (outcome["succeeded"], outcome["refused"]) == (SENT // 2, SENT // 2)
    # Those who lost the race read the new version and approve again.
    retries = [
        _post(committed_client, cast, who, a, "approve", version=await _version(a))
        for (who, a), response in zip(calls, responses, strict=True)
        if response.status_code == 412
    ]
    assert [r.status_code for r in await asyncio.gather(*retries)] == [200] * (SENT // 2)
    for agreement_id in agreements:
        assert await _stage_changes(agreement_id, "approved") == 1
        assert await Approval.count().where(Approval.agreement == agreement_id) == 3


async def test_concurrent_signing_signs_once(
    committed_client: httpx.AsyncClient, cast: Cast
) -> None:
    agreement_id = await cast.agreement("approved", parties="ab", start=TODAY + dt.timedelta(30))
    responses = await asyncio.gather(
        *(
            _post(
                committed_client,
                cast,
                ("manager_a", "manager_b")[n % 2],
                agreement_id,
                "sign",
                version=1,
                signed_on=TODAY.isoformat(),
            )
            for n in range(SENT)
        )
    )
    outcome = _report("sign", responses)
    assert (outcome["succeeded"], outcome["refused"]) == (1, SENT - 1)
    assert await _stage_changes(agreement_id, "signed") == 1


async def test_concurrent_termination_terminates_once(
    committed_client: httpx.AsyncClient, cast: Cast
) -> None:
    agreement_id = await cast.agreement("active", parties="ab")
    responses = await asyncio.gather(
        *(
            _post(
                committed_client,
                cast,
                ("manager_a", "manager_b")[n % 2],
                agreement_id,
                "terminate",
                version=1,
                comment=f"Alasan {n}",
            )
            for n in range(SENT)
        )
    )
    outcome = _report("terminate", responses)
    assert (outcome["succeeded"], outcome["refused"]) == (1, SENT - 1)
    assert await _stage_changes(agreement_id, "terminated") == 1


async def test_concurrent_ticks_activate_once(
    committed_client: httpx.AsyncClient, cast: Cast
) -> None:
    agreement_id = await cast.agreement("signed", parties="ab")
    results = await asyncio.gather(
        *(agreements_tick() for _ in range(SENT)), return_exceptions=True
    )
    errors = [r for r in results if isinstance(r, BaseException)]
    succeeded = sum(1 for r in results if isinstance(r, list) and (agreement_id, "activate") in r)
    REPORT.append(
        f"concurrency[{DATABASE.kind}] tick: {SENT} sent, {succeeded} succeeded, "
        f"{SENT - succeeded - len(errors)} refused, {len(errors)} errors"
    )
    assert errors == []
    assert succeeded == 1
    assert await _stage_changes(agreement_id, "active") == 1
    change = await StageChange.select(StageChange.actor, StageChange.action).where(
        StageChange.agreement == agreement_id
    )
    assert change == [{"actor": None, "action": "activate"}]


async def test_mou_tick_from_several_processes_applies_each_change_once(
    committed_client: httpx.AsyncClient, cast: Cast
) -> None:
    agreement_id = await cast.agreement("signed", parties="ab", end=TODAY - dt.timedelta(1))
    processes = 4
    env = {**os.environ, "MOU_DATABASE_URL": DATABASE.url}
    runs = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "mou.cli",
            "tick",
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        for _ in range(processes)
    ]
    outputs = await asyncio.gather(*(run.communicate() for run in runs))
    codes = [run.returncode for run in runs]
    # Due for both: one process activates it, and one (the same or another) expires it.
    printed = [out.decode() for out, _ in outputs]
    for action in ("activate", "expire"):
        applied = sum(f"agreement {agreement_id}: {action}\n" in out for out in printed)
        REPORT.append(
            f"concurrency[{DATABASE.kind}] mou tick processes ({action}): {processes} sent, "
            f"{applied} succeeded, {processes - applied} refused, "
            f"{sum(c != 0 for c in codes)} errors"
        )
        assert applied == 1, printed
    assert codes == [0] * processes, [err.decode()[-500:] for _, err in outputs]
    assert await _stage_changes(agreement_id, "active") == 1
    assert await _stage_changes(agreement_id, "expired") == 1


async def test_app_runs_the_tick_by_itself_and_not_when_disabled(cast: Cast) -> None:
    """SQLite: the app runs the tick in-process. PostgreSQL: never (``mou worker`` does)."""
    agreement_id = await cast.agreement("signed", parties="ab")
    await close_pool(DB)  # the app's own lifespan opens it
    disabled = create_app(dataclasses.replace(get_settings(), tick_seconds=0))
    async with disabled.lifespan():
        assert not [t for t in asyncio.all_tasks() if t.get_name() == "agreement-tick"]
    ticking = create_app(dataclasses.replace(get_settings(), tick_seconds=0.05))
    async with ticking.lifespan():
        running = [t for t in asyncio.all_tasks() if t.get_name() == "agreement-tick"]
        for _ in range(200 if running else 0):
            if await _stage_changes(agreement_id, "active"):
                break
            await asyncio.sleep(0.05)
    assert bool(running) == (DATABASE.kind == "sqlite")
    assert await _stage_changes(agreement_id, "active") == (1 if DATABASE.kind == "sqlite" else 0)
    assert not [t for t in asyncio.all_tasks() if t.get_name() == "agreement-tick"]
