"""The audit chain holds after real activity, and breaks visibly when edited behind our back:
its events, its end (against an anchored head), and the evidence the events recorded."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from mou.agreements.tables import Approval, StageChange
from mou.audit.anchor import BAD_EXPECTED_HEAD, Anchor
from mou.audit.evidence import MISSING, NO_EVENT, PDF_REPLACED, STAGE_DIFFERS
from mou.audit.services import canonical_json, stored_event_hash
from mou.audit.tables import AuditEvent
from mou.audit.verify import (
    NOT_ANCHORED,
    TRUNCATED,
    AuditReport,
    ChainReport,
    audit_check,
    audit_verify,
)
from mou.db import DB
from mou.meetings.tables import Meeting
from mou.minutes.tables import MinutesVersion
from tests.conftest import DATABASE, Actors
from tests.integration.builders import create_agreement, create_meeting
from tests.integration.minutes_case import load_case


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
    report = await audit_check()
    assert report.ok, report
    assert report.chain.checked == await AuditEvent.count()


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


def _mou_audit_verify(*options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mou.cli", "audit", "verify", *options],
        env={"MOU_DATABASE_URL": DATABASE.url, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_audit_verify_command_reports_ok_and_exit_status() -> None:
    result = _mou_audit_verify()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "audit chain intact" in result.stdout
    assert re.search(r"^head: [0-9a-f]{64} count: \d+$", result.stdout, re.M), result.stdout


def test_audit_verify_command_keeps_and_checks_an_anchor_file(tmp_path: Path) -> None:
    anchors = tmp_path / "audit-anchors.log"
    first = _mou_audit_verify("--anchor-file", str(anchors))
    assert first.returncode == 0, first.stderr
    head = first.stdout.splitlines()[-1]
    assert anchors.read_text().splitlines()[-1].endswith(head)
    printed = re.fullmatch(r"head: (\w+) count: (\d+)", head)
    assert printed is not None
    hash_, count = printed.groups()
    assert _mou_audit_verify("--expect-head", f"{hash_}:{count}").returncode == 0
    assert _mou_audit_verify("--anchor-file", str(anchors)).returncode == 0
    assert len(anchors.read_text().splitlines()) == 2

    # An anchor counting one event more than the chain has: the last event was deleted.
    with anchors.open("a") as file:
        file.write(f"head: {'a' * 64} count: {int(count) + 1}\n")
    truncated = _mou_audit_verify("--anchor-file", str(anchors))
    assert truncated.returncode == 1
    reason = TRUNCATED.format(count=count, anchored=int(count) + 1)
    assert f"audit chain broken at position {int(count) + 1}: {reason}" in truncated.stderr
    assert len(anchors.read_text().splitlines()) == 3  # a failed run anchors nothing

    wrong = _mou_audit_verify("--expect-head", "not-a-head")
    assert (wrong.returncode, wrong.stderr.strip()) == (
        2,
        f"mou audit verify: {BAD_EXPECTED_HEAD}",
    )


@dataclass
class Evidence:
    """The demo's agreement submitted and approved by both parties, its minutes finalized."""

    agreement_id: int
    meeting_id: int
    #: The head ``mou audit verify`` printed at this point.
    anchor: Anchor


async def _act(
    client: httpx.AsyncClient, headers: dict[str, str], agreement_id: int, action: str
) -> None:
    current = await client.get(f"/api/v1/agreements/{agreement_id}", headers=headers)
    response = await client.post(
        f"/api/v1/agreements/{agreement_id}/actions/{action}",
        headers={**headers, "If-Match": current.headers["etag"]},
        json={"comment": "Setuju"} if action == "approve" else None,
    )
    assert response.status_code == 200, response.text


@pytest.fixture
async def evidence(client: httpx.AsyncClient) -> Evidence:
    case = await load_case()
    meeting = await Meeting.select(Meeting.agreement).where(Meeting.id == case.meeting_id)
    agreement_id = meeting[0]["agreement"]
    await _act(client, case.headers["liaison.sumut"], agreement_id, "submit")
    for _ in range(2):  # the admin decides for both parties, one approval each
        await _act(client, case.headers["admin"], agreement_id, "approve")
    finalized = await case.finalize(client)
    assert finalized.status_code == 201, finalized.text
    report = await audit_check()
    assert report.ok, report
    return Evidence(agreement_id, case.meeting_id, report.chain.anchor)


async def _event_id(entity: str, entity_id: int, action: str) -> int:
    row = await (
        AuditEvent.select(AuditEvent.id)
        .where(
            (AuditEvent.entity == entity)
            & (AuditEvent.entity_id == entity_id)
            & (AuditEvent.action == action)
        )
        .order_by(AuditEvent.id)
        .first()
    )
    assert row is not None
    return int(row["id"])


async def test_audit_verify_holds_over_recorded_evidence_and_prints_the_head(
    evidence: Evidence,
) -> None:
    last = await AuditEvent.select().order_by(AuditEvent.id, ascending=False).first()
    assert last is not None
    assert evidence.anchor == Anchor(count=await AuditEvent.count(), hash=last["hash"])
    assert await StageChange.count().where(StageChange.agreement == evidence.agreement_id) == 2
    assert await Approval.count().where(Approval.agreement == evidence.agreement_id) == 2
    report = await audit_check(anchors=[evidence.anchor])
    assert report == AuditReport(ChainReport(evidence.anchor.count, head=evidence.anchor.hash))


async def test_audit_verify_names_deleted_last_events_against_the_anchored_head(
    evidence: Evidence,
) -> None:
    ids = await _positions()
    await DB.run_ddl(f"DELETE FROM audit_event WHERE id = {ids[-1]}")
    count = evidence.anchor.count
    report = await audit_check(anchors=[evidence.anchor])
    assert (report.chain.broken_at, report.chain.event_id) == (count, None)
    assert report.chain.reason == TRUNCATED.format(count=count - 1, anchored=count)


async def test_audit_verify_names_every_event_deleted(evidence: Evidence) -> None:
    await DB.run_ddl("DELETE FROM audit_event")
    anchored = await audit_check(anchors=[evidence.anchor])
    assert anchored.chain.reason == TRUNCATED.format(count=0, anchored=evidence.anchor.count)
    # Without an anchor the empty chain holds, but the evidence it recorded is still there.
    unanchored = await audit_check()
    first = await StageChange.select().order_by(StageChange.id).first()
    assert first is not None
    what = f"stage change {first['id']} of agreement {first['agreement']}"
    assert unanchored.chain.ok and unanchored.evidence == NO_EVENT.format(what=what)


async def test_audit_verify_names_a_chain_rewritten_with_fresh_hashes(evidence: Evidence) -> None:
    """What a database administrator could do: forge an approval's comment in the row and its
    event, and recompute every hash after it. Only the anchored head can tell."""
    victim = await _event_id("agreement", evidence.agreement_id, "approve")
    first = await Approval.select(Approval.id).order_by(Approval.id).first()
    assert first is not None
    await Approval.update({Approval.comment: "Ditolak"}).where(Approval.id == first["id"])
    await _rewrite_from(
        victim,
        lambda row: (
            row["after"].replace('"Setuju"', '"Ditolak"', 1)
            if row["id"] == victim
            else row["after"]
        ),
    )
    assert (await audit_check()).ok  # consistent forgery: the chain alone cannot tell
    report = await audit_check(anchors=[evidence.anchor])
    assert report.chain.broken_at == evidence.anchor.count
    assert report.chain.reason == NOT_ANCHORED.format(
        hash=evidence.anchor.hash, count=evidence.anchor.count
    )


async def _rewrite_from(event_id: int, after: Callable[[dict[str, Any]], str]) -> None:
    """Give every event from ``event_id`` on the ``after`` computed from it, and re-chain."""
    rows = await AuditEvent.select().where(AuditEvent.id >= event_id).order_by(AuditEvent.id)
    previous = rows[0]["prev_hash"]
    for row in rows:
        row["after"] = after(row)
        row["prev_hash"] = previous
        row["hash"] = previous = stored_event_hash(row)
        await AuditEvent.update(
            {
                AuditEvent.after: row["after"],
                AuditEvent.prev_hash: row["prev_hash"],
                AuditEvent.hash: row["hash"],
            }
        ).where(AuditEvent.id == row["id"])


async def test_audit_verify_accepts_events_recorded_before_they_named_their_rows(
    evidence: Evidence,
) -> None:
    """Events written before they carried ids, comments and times are checked on the rest."""

    def as_recorded_before(row: dict[str, Any]) -> str:
        after = json.loads(row["after"])
        if isinstance(after, dict):
            after.pop("stage_change", None)
            after.pop("rendered_at", None)
            if "approval" in after:
                after["approval"] = {
                    k: after["approval"][k] for k in ("party_id", "approval_round")
                }
        return canonical_json(after)

    await _rewrite_from((await _positions())[0], as_recorded_before)
    assert (await audit_check()).ok
    await StageChange.delete().where(
        (StageChange.agreement == evidence.agreement_id) & (StageChange.to_stage == "approved")
    )
    approvals = await AuditEvent.select(AuditEvent.id).where(
        (AuditEvent.action == "approve") & (AuditEvent.entity_id == evidence.agreement_id)
    )
    what = f"the stage change review -> approved of agreement {evidence.agreement_id}"
    assert (await audit_check()).evidence == MISSING.format(
        what=what, event_id=max(row["id"] for row in approvals)
    )


async def test_audit_verify_names_an_edited_agreement_stage(evidence: Evidence) -> None:
    await DB.run_ddl(f"UPDATE agreement SET stage = 'active' WHERE id = {evidence.agreement_id}")
    report = await audit_check()
    assert report.chain.ok
    assert report.evidence == STAGE_DIFFERS.format(
        id=evidence.agreement_id, stage="active", expected="approved"
    )


async def test_audit_verify_names_a_deleted_approval(evidence: Evidence) -> None:
    first = await Approval.select().order_by(Approval.id).first()
    assert first is not None
    await DB.run_ddl(f"DELETE FROM approval WHERE id = {first['id']}")
    report = await audit_check()
    what = (
        f"the approval of party {first['party']} in round {first['approval_round']} "
        f"of agreement {first['agreement']}"
    )
    event_id = await _event_id("agreement", first["agreement"], "approve")
    assert report.evidence == MISSING.format(what=what, event_id=event_id)


async def test_audit_verify_names_replaced_minutes_bytes(evidence: Evidence) -> None:
    version = await MinutesVersion.select().where(MinutesVersion.language == "en").first()
    assert version is not None
    forged = b"%PDF-1.7 forged"
    # The bytes and the sha256 column both replaced: the event still remembers the original.
    await MinutesVersion.update(
        {MinutesVersion.pdf: forged, MinutesVersion.sha256: hashlib.sha256(forged).hexdigest()}
    ).where(MinutesVersion.id == version["id"])
    report = await audit_check()
    assert report.evidence == PDF_REPLACED.format(
        what=f"minutes version 1 (en) of meeting {evidence.meeting_id}",
        actual=hashlib.sha256(forged).hexdigest(),
        event_id=await _event_id("minutes", evidence.meeting_id, "finalize"),
        expected=version["sha256"],
    )


async def test_audit_verify_names_a_deleted_minutes_version(evidence: Evidence) -> None:
    await DB.run_ddl(
        f"DELETE FROM minutes_version WHERE meeting = {evidence.meeting_id} AND language = 'id'"
    )
    report = await audit_check()
    assert report.evidence == MISSING.format(
        what=f"minutes version 1 (id) of meeting {evidence.meeting_id}",
        event_id=await _event_id("minutes", evidence.meeting_id, "finalize"),
    )


async def test_audit_verify_names_an_edited_stage_change(evidence: Evidence) -> None:
    change = await StageChange.select().order_by(StageChange.id, ascending=False).first()
    assert change is not None
    await DB.run_ddl(f"UPDATE stage_change SET to_stage = 'signed' WHERE id = {change['id']}")
    report = await audit_check()
    assert report.evidence.startswith(
        f"stage change {change['id']} of agreement {change['agreement']} differs from audit event"
    )
    assert report.evidence.endswith("to_stage is 'signed', the event recorded 'approved'")
