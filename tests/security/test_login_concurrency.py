"""Concurrent logins for one account check at most the limit of passwords, on both databases.

These tests commit, as production does: each request's reservation is a transaction of its own,
so they really contend for the username's lock (PostgreSQL) or the write lock (SQLite). Password
checks are counted by counting calls to the verification, never by timing. Each test comes from
addresses of its own, so the failures it commits throttle no other test.
"""

from __future__ import annotations

import asyncio
import secrets
import threading
from collections.abc import AsyncIterator, Callable
from typing import Any, Literal

import httpx
import pytest
from argon2 import PasswordHasher

from mou.accounts import passwords
from mou.accounts.tables import User
from mou.app import create_app
from mou.db import DB, close_pool, open_pool
from mou.settings import get_settings
from tests.conftest import DATABASE, KNOWN_PASSWORD, REPORT, Actors

SENT = 40
#: Bounds on waiting for the requests to reach a state (safety nets, not what is tested).
POLLS = 6000
GATE_SECONDS = 120.0


class CountingHasher(PasswordHasher):
    """Counts password verifications; with a ``gate``, each waits in its thread until it opens."""

    def __init__(self, gate: threading.Event | None = None) -> None:
        super().__init__()
        self.calls = 0
        self._lock = threading.Lock()
        self._gate = gate

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        with self._lock:
            self.calls += 1
        if self._gate is not None:
            self._gate.wait(GATE_SECONDS)
        return super().verify(hash, password)


@pytest.fixture
async def committed_app() -> AsyncIterator[Any]:
    """The app with no test transaction around its requests: they commit, as in production."""
    await open_pool(DB, get_settings())
    try:
        yield create_app()
    finally:
        await close_pool(DB)


def _client(app: Any, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://mou.test")


def _network() -> str:
    """The first three parts of an IPv4 address no other test uses."""
    return f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}"


async def _committed_username() -> str:
    user_id, _ = await Actors().user("viewer")
    row = await User.select(User.username).where(User.id == user_id).first()
    assert row is not None
    return str(row["username"])


async def _login(client: httpx.AsyncClient, username: str, password: str) -> int:
    response = await client.post(
        "/api/v1/auth/token", json={"username": username, "password": password}
    )
    assert response.status_code in (200, 401, 429), response.text
    return response.status_code


async def _until(condition: Callable[[], bool]) -> None:
    for _ in range(POLLS):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the requests never reached the expected state")


async def test_concurrent_wrong_passwords_are_checked_at_most_the_limit(
    committed_app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    username = await _committed_username()
    hasher = CountingHasher()
    monkeypatch.setattr(passwords, "_hasher", hasher)
    async with _client(committed_app, f"{_network()}.1") as client:
        statuses = await asyncio.gather(
            *(_login(client, username, f"wrong {n}") for n in range(SENT))
        )
    REPORT.append(
        f"login[{DATABASE.kind}]: {SENT} concurrent wrong passwords, {hasher.calls} evaluated, "
        f"{statuses.count(429)} refused"
    )
    limit = get_settings().login_failures_per_user_address
    assert hasher.calls <= limit
    assert (statuses.count(401), statuses.count(429)) == (hasher.calls, SENT - hasher.calls)


async def test_concurrent_wrong_passwords_from_many_addresses_stop_at_the_user_limit(
    committed_app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    username = await _committed_username()
    hasher = CountingHasher()
    monkeypatch.setattr(passwords, "_hasher", hasher)
    network = _network()
    clients = [_client(committed_app, f"{network}.{n + 1}") for n in range(SENT)]
    try:
        statuses = await asyncio.gather(*(_login(client, username, "wrong") for client in clients))
    finally:
        for client in clients:
            await client.aclose()
    REPORT.append(
        f"login[{DATABASE.kind}]: {SENT} concurrent wrong passwords from {SENT} addresses, "
        f"{hasher.calls} evaluated, {statuses.count(429)} refused"
    )
    assert hasher.calls <= get_settings().login_failures_per_user
    assert (statuses.count(401), statuses.count(429)) == (hasher.calls, SENT - hasher.calls)


async def test_a_correct_password_among_concurrent_wrong_ones_is_refused_past_the_limit(
    committed_app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """39 wrong passwords are sent at once and held inside the verification; once they have all
    been either checked or refused, the right password follows while they are still in flight."""
    username = await _committed_username()
    gate = threading.Event()
    hasher = CountingHasher(gate)
    monkeypatch.setattr(passwords, "_hasher", hasher)
    async with _client(committed_app, f"{_network()}.1") as client:
        try:
            wrong = [
                asyncio.create_task(_login(client, username, f"wrong {n}")) for n in range(SENT - 1)
            ]
            await _until(lambda: hasher.calls + sum(t.done() for t in wrong) == SENT - 1)
            checked = hasher.calls
            right = asyncio.create_task(_login(client, username, KNOWN_PASSWORD))
            await _until(lambda: right.done() or hasher.calls > checked)
        finally:
            gate.set()
        statuses = await asyncio.gather(*wrong)
        correct = await right
    assert checked <= get_settings().login_failures_per_user_address
    assert correct == 429
    assert statuses.count(401) == checked
