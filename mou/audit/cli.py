"""What ``mou audit verify`` does, apart from parsing its arguments."""

from __future__ import annotations

from pathlib import Path

from mou.audit.anchor import Anchor, anchor_append, anchor_read
from mou.audit.verify import AuditReport, audit_check
from mou.db import database_session
from mou.settings import Settings


async def audit_verify_command(
    *, settings: Settings, expected_head: Anchor | None = None, anchor_file: Path | None = None
) -> AuditReport:
    """Check the chain against ``expected_head`` and the last head in ``anchor_file``, then the
    evidence against the chain. When everything holds, append the chain's head to
    ``anchor_file``: a failed run anchors nothing. ``ValueError`` for an unreadable anchor file.
    """
    anchors = [a for a in (expected_head, anchor_read(anchor_file) if anchor_file else None) if a]
    async with database_session(settings):
        report = await audit_check(anchors=anchors)
    if report.ok and anchor_file is not None:
        anchor_append(anchor_file, report.chain.anchor)
    return report


def audit_report_lines(report: AuditReport) -> list[str]:
    """What the command prints: to stdout when ``report.ok``, else to stderr."""
    chain = report.chain
    if not chain.ok:
        where = f"position {chain.broken_at}"
        if chain.event_id is not None:
            where += f" (event id {chain.event_id})"
        return [
            f"audit chain broken at {where}: {chain.reason}; {chain.checked} events before it hold"
        ]
    if report.evidence:
        return [f"audit evidence does not match the chain: {report.evidence}"]
    return [
        f"audit chain intact: {chain.checked} events; "
        "stage changes, approvals, minutes versions and agreement stages match them",
        chain.anchor.line(),
    ]
