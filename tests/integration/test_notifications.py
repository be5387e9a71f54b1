"""Notifications: written with the event, listed to their user only, mailed once, in the
recipient's language, through a real SMTP server on loopback."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from mou import clock
from mou.jobs.tasks import deliveries_job, reminders_job
from mou.notifications.tables import Notification
from tests.conftest import REPORT, Actors
from tests.integration.builders import create_agreement
from tests.integration.mailbox import Mailbox
from tests.integration.notify_case import agreement_in, due_records, mail_settings, office_make


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox()
    box.start()
    yield box
    box.stop()


def _expected_reminders(emails: dict[str, str]) -> Counter[tuple[str, str]]:
    overdue = (clock.today() - dt.timedelta(days=3)).isoformat()
    return Counter(
        [
            (emails["manager_a"], "Agreement ends within 30 days: Kerja sama A"),
            (emails["liaison_a"], "Kerja sama berakhir dalam 30 hari: Kerja sama A"),
            (emails["manager_b"], "Kerja sama berakhir dalam 30 hari: Kerja sama A"),
            (emails["owner_b"], "Agreement ends within 30 days: Kerja sama A"),
            (emails["manager_a"], "Approval waiting for more than 7 days: Kerja sama B"),
            (emails["manager_b"], "Persetujuan menunggu lebih dari 7 hari: Kerja sama B"),
            (emails["liaison_a"], "Notulen masih berupa draf: Rapat koordinasi"),
            (emails["owner_b"], "Action item due tomorrow: Kirim data"),
            (emails["owner_b"], f"Action item overdue since {overdue}: Siapkan naskah"),
            # Written when the items were added (the outbox), mailed by the same job.
            (emails["owner_b"], "Action item assigned to you: Kirim data"),
            (emails["owner_b"], "Action item assigned to you: Siapkan naskah"),
        ]
    )


async def test_reminder_job_twice_mails_each_message_once_in_the_recipients_language(
    actors: Actors, mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch, database: Any
) -> None:
    mail_settings(monkeypatch, mailbox)
    office = await office_make(actors)
    await due_records(office)
    await reminders_job()
    await reminders_job()
    mine = set(office.emails.values())
    received = Counter((m.to, m.subject) for m in mailbox.received if m.to in mine)
    REPORT.append(
        f"reminders[{database.kind}]: 2 runs, {sum(received.values())} messages received, "
        f"{sum(n > 1 for n in received.values())} duplicates"
    )
    assert received == _expected_reminders(office.emails)


async def test_a_user_never_sees_another_users_notifications(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    office = await office_make(actors)
    # Submitting tells the managers of both principal parties, nobody else.
    draft = await agreement_in(office, "Kerja sama C", "draft", None)
    _, liaison_headers = await actors.user("liaison", office.organisations["a"])
    await _submit(client, liaison_headers, draft)
    seen: dict[str, list[dict[str, Any]]] = {}
    for name in ("manager_a", "manager_b", "liaison_a"):
        headers = await _headers_of(actors, office.users[name])
        body = (await client.get("/api/v1/notifications", headers=headers)).json()
        seen[name] = body["items"]
        assert body["unread"] == len(body["items"])
    assert [n["subject"] for n in seen["manager_a"]] == [
        "Agreement submitted for approval: Kerja sama C"
    ]
    assert [n["subject"] for n in seen["manager_b"]] == [
        "Kerja sama diajukan untuk persetujuan: Kerja sama C"
    ]
    assert seen["liaison_a"] == []
    theirs = seen["manager_b"][0]["id"]
    manager_a = await _headers_of(actors, office.users["manager_a"])
    refused = await client.post(f"/api/v1/notifications/{theirs}/read", headers=manager_a)
    missing = await client.post("/api/v1/notifications/2000000000/read", headers=manager_a)
    assert (refused.status_code, refused.content) == (missing.status_code, missing.content)
    assert refused.status_code == 404
    mine = seen["manager_a"][0]["id"]
    read = await client.post(f"/api/v1/notifications/{mine}/read", headers=manager_a)
    assert read.status_code == 200 and read.json()["read_at"] is not None
    unread = (
        await client.get("/api/v1/notifications", params={"unread": "true"}, headers=manager_a)
    ).json()
    assert (unread["items"], unread["unread"]) == ([], 0)


async def _submit(client: httpx.AsyncClient, headers: dict[str, str], agreement_id: int) -> None:
    """Submit for approval: the request that causes the notifications; it must succeed."""
    current = await client.get(f"/api/v1/agreements/{agreement_id}", headers=headers)
    submitted = await client.post(
        f"/api/v1/agreements/{agreement_id}/actions/submit",
        headers={**headers, "If-Match": current.headers["ETag"]},
        json={},
    )
    assert submitted.status_code == 200, submitted.text


async def _headers_of(actors: Actors, user_id: int) -> dict[str, str]:
    """A bearer token for an existing user."""
    import secrets

    from mou.accounts.selectors import token_digest
    from mou.accounts.tables import ApiToken

    token = secrets.token_urlsafe(32)
    now = dt.datetime.now(dt.UTC)
    await ApiToken(
        user=user_id,
        name="test",
        token_hash=token_digest(token),
        created_at=now,
        expires_at=now + dt.timedelta(hours=1),
    ).save()
    return {"Authorization": f"Bearer {token}"}


async def test_smtp_down_never_fails_the_request_and_mail_follows_when_it_returns(
    client: httpx.AsyncClient, actors: Actors, monkeypatch: pytest.MonkeyPatch
) -> None:
    mailbox = Mailbox()  # not started: nothing listens on its port
    mail_settings(monkeypatch, mailbox)
    office = await office_make(actors)
    liaison = await _headers_of(actors, office.users["liaison_a"])
    agreement = await create_agreement(
        client, liaison, [office.organisations["a"], office.organisations["b"]]
    )
    await _submit(client, liaison, agreement["id"])
    await deliveries_job()  # the server is down: both attempts fail, nothing is lost
    pending = await Notification.select(
        Notification.email_status, Notification.email_attempts
    ).where(Notification.key.like(f"agreement:{agreement['id']}:%"))
    assert sorted((p["email_status"], p["email_attempts"]) for p in pending) == [("pending", 1)] * 2
    mailbox.start()
    try:
        await deliveries_job()
        await deliveries_job()
    finally:
        mailbox.stop()
    assert sorted((m.to, m.subject) for m in mailbox.received) == sorted(
        [
            (office.emails["manager_a"], f"Agreement submitted for approval: {agreement['title']}"),
            (
                office.emails["manager_b"],
                f"Kerja sama diajukan untuk persetujuan: {agreement['title']}",
            ),
        ]
    )


async def test_mail_failing_after_the_last_retry_is_listed_for_admins(
    client: httpx.AsyncClient,
    actors: Actors,
    admin: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    mail_settings(monkeypatch, Mailbox(), mail_max_attempts=2)
    office = await office_make(actors)
    liaison = await _headers_of(actors, office.users["liaison_a"])
    agreement = await create_agreement(
        client, liaison, [office.organisations["a"], office.organisations["b"]]
    )
    await _submit(client, liaison, agreement["id"])
    await deliveries_job()
    await deliveries_job()
    failures = (await client.get("/api/v1/notifications/mail-failures", headers=admin)).json()
    ours = [f for f in failures["items"] if f["email_to"] in office.emails.values()]
    assert sorted(f["email_to"] for f in ours) == sorted(
        [office.emails["manager_a"], office.emails["manager_b"]]
    )
    assert all(f["email_attempts"] == 2 and f["email_error"] for f in ours)
    manager = await _headers_of(actors, office.users["manager_a"])
    listed = await client.get("/api/v1/notifications/mail-failures", headers=manager)
    assert listed.status_code == 403
