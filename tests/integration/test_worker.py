"""``mou worker`` (PostgreSQL): killed in the middle of a batch, restarted, every notification
is mailed exactly once."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from mou.accounts.tables import User
from mou.notifications.outbox import notifications_write
from mou.notifications.recipients import user_recipients
from mou.notifications.tables import Notification
from tests.conftest import DATABASE, REPORT, Actors
from tests.integration.mailbox import Mailbox
from tests.integration.notify_case import mail_settings
from tests.integration.processes import MOU, PROJECT, mou_env

pytestmark = pytest.mark.skipif(
    DATABASE.kind != "postgres",
    reason="mou worker runs jobs from PostgreSQL; on SQLite the app runs them in-process "
    "(tests/integration/test_notifications.py covers delivery there)",
)
MESSAGES = 8
HELD_AFTER = 3
WAIT = 120.0


def _worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as output:
        return subprocess.Popen(
            [*MOU, "worker"], env=env, cwd=PROJECT, stdout=output, stderr=subprocess.STDOUT
        )


async def _until(condition: Any, what: str, log: Path) -> None:
    for _ in range(int(WAIT / 0.1)):
        if await condition():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{what}: not within {WAIT} s; worker log: {log.read_text()[-3000:]}")


async def test_worker_killed_mid_batch_then_restarted_mails_each_notification_once(
    app: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    mailbox = Mailbox(hold_after=HELD_AFTER)
    mail_settings(monkeypatch, mailbox)
    actors, tag = Actors(), secrets.token_hex(4)
    organisation = await actors.organisation()
    keys = []
    for number in range(MESSAGES):
        user_id, _ = await actors.user("liaison", organisation)
        await User.update({User.email: f"kill{number}.{user_id}@mou.test"}).where(
            User.id == user_id
        )
        key = f"worker-kill:{tag}:{number}"
        await notifications_write(
            kind="agreement_signed",
            key=key,
            recipients=await user_recipients([user_id]),
            link="",
            details={"title": f"Kerja sama {number}"},
        )
        keys.append(f"{key}:user:{user_id}")
    env = mou_env(
        MOU_DATABASE_URL=DATABASE.url,
        MOU_SMTP_HOST="127.0.0.1",
        MOU_SMTP_PORT=str(mailbox.port),
        MOU_SMTP_TIMEOUT="60",
        MOU_DELIVERY_SECONDS="1",
        MOU_MAIL_LEASE_SECONDS="3",
        MOU_TICK_SECONDS="0",
        MOU_REMINDER_SECONDS="0",
    )
    log = tmp_path / "worker.log"
    mailbox.start()
    first = _worker(env, log)
    try:
        # The worker has mailed HELD_AFTER messages and is in the middle of the next one.
        held = await asyncio.to_thread(mailbox.held.wait, WAIT)
        assert held, log.read_text()[-3000:]
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=30)
        mailbox.hold_after = None
        mailbox.release.set()
        before_restart = len(mailbox.received)
        second = _worker(env, log)
        try:

            async def all_sent() -> bool:
                sent = await Notification.count().where(
                    Notification.key.is_in(keys) & (Notification.email_status == "sent")
                )
                return sent == len(keys)

            await _until(all_sent, "every notification sent after the restart", log)
        finally:
            second.terminate()
            second.wait(timeout=30)
    finally:
        if first.poll() is None:
            first.kill()
        mailbox.stop()
        await Notification.delete().where(Notification.key.is_in(keys))
    received = Counter(m.key for m in mailbox.received if m.key in keys)
    REPORT.append(
        f"worker kill[{DATABASE.kind}]: {MESSAGES} notifications, killed after {before_restart} "
        f"mailed, {sum(received.values())} received in all, "
        f"{sum(n > 1 for n in received.values())} twice"
    )
    assert before_restart == HELD_AFTER
    assert received == Counter(keys)
