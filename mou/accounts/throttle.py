"""Login throttling, kept in the database so every process throttles the same way.

A password is checked only after a reservation: ``login_attempt_reserve`` counts the failures in
the window and inserts the attempt, marked pending, in one transaction that holds the username's
and the address's lock (PostgreSQL: advisory transaction locks; SQLite: ``BEGIN IMMEDIATE``
admits one writer at a time). So two requests, in one process or several, never both see room
for one more check, and at most the limit of checks run per window however the requests arrive.
A pending attempt counts as a failure until ``login_attempt_settle`` records its outcome; one left
pending by a crash stays a failure. Reserving costs the same whether or not the username exists.

Three limits, each on failures within ``login_window_seconds``:

- per (username, address), tight: what one client may try against one account;
- per username from all addresses, looser: the cap on guesses against one account however many
  addresses an attacker has. It does not apply at an address where the user signed in within
  ``login_trusted_days``, so strangers elsewhere cannot lock the user out of a known address;
- per address for all usernames: what one client may spray across accounts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from typing import Any

from mou import errors
from mou.accounts.tables import LoginAttempt
from mou.db import atomic, transaction_lock
from mou.settings import get_settings


def _lock_key(kind: str, value: str) -> int:
    """A signed 64-bit advisory lock key for a username or an address."""
    digest = hashlib.sha256(f"mou-login:{kind}:{value}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


async def _reservation_lock(*, username: str, address: str) -> None:
    """Hold the username and the address until the transaction ends."""
    # Always the username first, then the address: no two reservations wait on each other.
    for key in (_lock_key("user", username), _lock_key("address", address)):
        await transaction_lock(key)


async def _oldest_failure(where: Any, since: dt.datetime, limit: int) -> dt.datetime | None:
    """The oldest failure in the window when there are ``limit`` or more, else None."""
    rows = (
        await LoginAttempt.select(LoginAttempt.at)
        .where(where & (LoginAttempt.at > since) & LoginAttempt.succeeded.eq(False))
        .order_by(LoginAttempt.at, ascending=False)
        .limit(limit)
    )
    return rows[-1]["at"] if len(rows) >= limit else None


async def _known_address(pair: Any, *, since: dt.datetime) -> bool:
    """Whether the user signed in from this address since ``since``."""
    return bool(
        await LoginAttempt.exists().where(
            pair & LoginAttempt.succeeded.eq(True) & (LoginAttempt.at > since)
        )
    )


async def _refuse_over_limit(*, username: str, address: str, now: dt.datetime) -> None:
    """``TooManyRequests`` (with seconds to wait) when any of the three limits is reached."""
    settings = get_settings()
    window = dt.timedelta(seconds=settings.login_window_seconds)
    pair = (LoginAttempt.username == username) & (LoginAttempt.address == address)
    scopes = [
        (pair, settings.login_failures_per_user_address),
        (LoginAttempt.address == address, settings.login_failures_per_address),
    ]
    if not await _known_address(pair, since=now - dt.timedelta(days=settings.login_trusted_days)):
        scopes.append((LoginAttempt.username == username, settings.login_failures_per_user))
    oldest = [await _oldest_failure(where, now - window, limit) for where, limit in scopes]
    blocking = [at for at in oldest if at is not None]
    if blocking:
        wait = max(1, math.ceil((max(blocking) + window - now).total_seconds()))
        raise errors.TooManyRequests(errors.TOO_MANY_ATTEMPTS.format(seconds=wait), wait)


async def login_attempt_reserve(*, username: str, address: str) -> int:
    """Reserve one password check and return the attempt's id; ``TooManyRequests`` when over a
    limit. Call ``login_attempt_settle`` with the outcome once the password is checked."""
    username, address = username[:150], address[:64]
    now = dt.datetime.now(dt.UTC)
    async with atomic():
        await _reservation_lock(username=username, address=address)
        await _refuse_over_limit(username=username, address=address, now=now)
        attempt = LoginAttempt(
            username=username, address=address, succeeded=False, pending=True, at=now
        )
        await attempt.save()
    return int(attempt.id)


async def login_attempt_settle(*, attempt_id: int, succeeded: bool) -> None:
    """Record how a reserved attempt ended: a success stops counting as a failure."""
    async with atomic():
        await LoginAttempt.update(
            {LoginAttempt.pending: False, LoginAttempt.succeeded: succeeded}
        ).where(LoginAttempt.id == attempt_id)
