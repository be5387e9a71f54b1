"""The audit chain holds after real activity, and breaks visibly when edited behind our back."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator

import httpx
import pytest

from mou.audit.tables import AuditEvent
from mou.audit.verify import audit_verify
from mou.db import DB
from tests.conftest import DATABASE, Actors
from tests.integration.builders import create_agreement, create_meeting


@pytest.fixture
async def activity(
    client: httpx.AsyncClient, actors: Actors, admin: dict[str, str]
) -> AsyncIterator[None]:
    a, b = await actors.organisation(), await actors.organisation()
    agreement = await create_agreement(client, admin, [a, b])
    await client.patch(
        f"/api/v1/agreements/{agreement['id']}",
        headers={**admin, "If-Match": '"1"'},
        json={"purpose": "Diseminasi"},
    )
    meeting = await create_meeting(client, admin, agreement["id"])
    await client.post(
        f"/api/v1/meetings/{meeting['id']}/decisions", headers=admin, json={"text": "Sepakat"}
    )
    yield


async def _positions() -> list[int]:
    return [row["id"] for row in await AuditEvent.select(AuditEvent.id).order_by(AuditEvent.id)]


async def test_audit_chain_holds_after_activity(activity: None) -> None:
    report = await audit_verify()
    assert report.ok, report
    assert report.checked == await AuditEvent.count()


async def test_audit_verify_names_an_edited_row(activity: None) -> None:
    ids = await _positions()
    victim = ids[len(ids) // 2]
    # Behind the application's back, as a database administrator could.
    await DB.run_ddl(f"UPDATE audit_event SET after = '{{\"forged\":true}}' WHERE id = {victim}")
    report = await audit_verify()
    assert not report.ok
    assert report.event_id == victim
    assert report.broken_at == ids.index(victim) + 1
    assert "changed" in report.reason


async def test_audit_verify_names_a_deleted_row(activity: None) -> None:
    ids = await _positions()
    victim = ids[len(ids) // 2]
    await DB.run_ddl(f"DELETE FROM audit_event WHERE id = {victim}")
    report = await audit_verify()
    assert not report.ok
    assert report.event_id == ids[ids.index(victim) + 1]
    assert report.broken_at == ids.index(victim) + 1


def test_audit_verify_command_reports_ok_and_exit_status() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mou.cli", "audit", "verify"],
        env={"MOU_DATABASE_URL": DATABASE.url, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "audit chain intact" in result.stdout
