"""Login throttling per username and per client address, kept in the database.

Every process sees the same attempts, so a second app process is no second chance. The
check and the record cost the same whether or not the username exists.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from mou import errors
from mou.accounts.tables import LoginAttempt
from mou.db import atomic
from mou.settings import get_settings


async def _oldest_failure(where: Any, since: dt.datetime, limit: int) -> dt.datetime | None:
    """The oldest failure in the window when there are ``limit`` or more, else None."""
    rows = (
        await LoginAttempt.select(LoginAttempt.at)
        .where(where & (LoginAttempt.at > since) & LoginAttempt.succeeded.eq(False))
        .order_by(LoginAttempt.at, ascending=False)
        .limit(limit)
    )
    return rows[-1]["at"] if len(rows) >= limit else None


async def login_throttle_check(*, username: str, address: str) -> None:
    """``TooManyRequests`` (with seconds to wait) when the username or address is over limit."""
    settings = get_settings()
    window = dt.timedelta(seconds=settings.login_window_seconds)
    now = dt.datetime.now(dt.UTC)
    oldest = [
        await _oldest_failure(
            LoginAttempt.username == username, now - window, settings.login_failures_per_user
        ),
        await _oldest_failure(
            LoginAttempt.address == address, now - window, settings.login_failures_per_address
        ),
    ]
    blocking = [at for at in oldest if at is not None]
    if blocking:
        wait = max(1, math.ceil((max(blocking) + window - now).total_seconds()))
        raise errors.TooManyRequests(errors.TOO_MANY_ATTEMPTS.format(seconds=wait), wait)


async def login_attempt_record(*, username: str, address: str, succeeded: bool) -> None:
    async with atomic():
        await LoginAttempt.insert(
            LoginAttempt(
                username=username[:150],
                address=address[:64],
                succeeded=succeeded,
                at=dt.datetime.now(dt.UTC),
            )
        )
