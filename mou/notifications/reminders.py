"""Reminders: notifications about what is due, written by a periodic job (``mou remind``).

Each reminder's key names its occasion (the window, the day, the round), so running the job
any number of times writes each reminder once per occasion and recipient.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from mou import clock
from mou.accounts.tables import User
from mou.agreements.tables import Agreement, AgreementParty, Approval, StageChange
from mou.meetings.tables import ActionItem, Meeting
from mou.notifications.outbox import notifications_write, page_link
from mou.notifications.recipients import (
    LIAISONS_AND_MANAGERS,
    MANAGERS,
    PRINCIPAL_ROLES,
    owner_users,
    party_users,
    user_recipients,
)
from mou.settings import Settings


@dataclass(frozen=True, slots=True)
class ReminderReport:
    written: int


async def _agreements_ending(today: dt.date, windows: tuple[int, ...]) -> int:
    if not windows:
        return 0
    rows = await Agreement.select(Agreement.id, Agreement.title, Agreement.end_date).where(
        (Agreement.stage == "active")
        & (Agreement.end_date >= today)
        & (Agreement.end_date <= today + dt.timedelta(days=max(windows)))
    )
    written = 0
    for row in rows:
        left = (row["end_date"] - today).days
        # The narrowest window the end falls in: a first run 5 days before sends one reminder.
        window = min(days for days in windows if left <= days)
        written += await notifications_write(
            kind="reminder_agreement_ending",
            key=f"reminder:agreement_ending:{row['id']}:{row['end_date']}:{window}",
            recipients=await party_users(agreement_id=row["id"], roles=LIAISONS_AND_MANAGERS),
            link=page_link(f"/agreements/{row['id']}"),
            details={"title": row["title"], "days": window},
        )
    return written


async def _action_items(today: dt.date) -> int:
    tomorrow = today + dt.timedelta(days=1)
    rows = await ActionItem.select(
        ActionItem.id,
        ActionItem.title,
        ActionItem.due_date,
        ActionItem.owner_person,
        ActionItem.owner_organisation,
    ).where((ActionItem.status == "open") & (ActionItem.due_date <= tomorrow))
    written = 0
    for row in rows:
        due: dt.date = row["due_date"]
        # Due tomorrow: once; overdue: once a day until done.
        kind, occasion = (
            ("reminder_action_item_due", "due")
            if due == tomorrow
            else ("reminder_action_item_overdue", today.isoformat())
        )
        if due == today:
            continue  # due today: reminded yesterday, overdue from tomorrow
        written += await notifications_write(
            kind=kind,
            key=f"reminder:action_item:{row['id']}:{due}:{occasion}",
            recipients=await owner_users(
                person_id=row["owner_person"], organisation_id=row["owner_organisation"]
            ),
            link=page_link(f"/action-items/{row['id']}"),
            details={"title": row["title"], "due": due.isoformat()},
        )
    return written


async def _minutes_in_draft(now: dt.datetime, days: int) -> int:
    rows = await Meeting.select(Meeting.id, Meeting.title, Meeting.created_by).where(
        (Meeting.minutes_status == "draft") & (Meeting.starts_at < now - dt.timedelta(days=days))
    )
    written = 0
    for row in rows:
        written += await notifications_write(
            kind="reminder_minutes_draft",
            key=f"reminder:minutes_draft:{row['id']}",
            recipients=await user_recipients([row["created_by"]]),
            link=page_link(f"/meetings/{row['id']}"),
            details={"title": row["title"]},
        )
    return written


async def _approvals_waiting(now: dt.datetime, days: int) -> int:
    rows = await Agreement.select(Agreement.id, Agreement.title, Agreement.approval_round).where(
        Agreement.stage == "review"
    )
    written = 0
    for row in rows:
        submitted = (
            await StageChange.select(StageChange.at)
            .where((StageChange.agreement == row["id"]) & (StageChange.to_stage == "review"))
            .order_by(StageChange.at, ascending=False)
            .first()
        )
        if submitted is None or submitted["at"] > now - dt.timedelta(days=days):
            continue
        waiting = await _parties_waiting(row["id"], row["approval_round"])
        recipients = [
            r
            for r in await party_users(agreement_id=row["id"], roles=MANAGERS, principal_only=True)
            if r.id in waiting
        ]
        written += await notifications_write(
            kind="reminder_approval_waiting",
            key=f"reminder:approval_waiting:{row['id']}:{row['approval_round']}",
            recipients=recipients,
            link=page_link(f"/agreements/{row['id']}"),
            details={"title": row["title"], "days": days},
        )
    return written


async def _parties_waiting(agreement_id: int, approval_round: int) -> set[int]:
    """Ids of the users in principal parties that have not approved this round."""
    approved = {
        a["party"]
        for a in await Approval.select(Approval.party).where(
            (Approval.agreement == agreement_id) & (Approval.approval_round == approval_round)
        )
    }
    organisations = [
        p["organisation"]
        for p in await AgreementParty.select(AgreementParty.id, AgreementParty.organisation).where(
            (AgreementParty.agreement == agreement_id)
            & AgreementParty.role.is_in(list(PRINCIPAL_ROLES))
        )
        if p["id"] not in approved
    ]
    if not organisations:
        return set()
    users = await User.select(User.id).where(User.organisation.is_in(organisations))
    return {u["id"] for u in users}


async def reminders_run(*, settings: Settings, now: dt.datetime | None = None) -> ReminderReport:
    """Write every reminder due at ``now``; returns how many were new."""
    now = now or dt.datetime.now(dt.UTC)
    today = clock.today(now)
    written = await _agreements_ending(today, settings.reminder_windows)
    written += await _action_items(today)
    written += await _minutes_in_draft(now, settings.reminder_minutes_draft_days)
    written += await _approvals_waiting(now, settings.reminder_approval_days)
    return ReminderReport(written=written)
