"""Database outages told apart from defects: a driver's error that means "unavailable" or
"storage full" answers 503 with ``Retry-After``, not 500."""

from __future__ import annotations

import errno
import socket
import sqlite3

import asyncpg

from mou import errors

#: Seconds a client is told to wait: a restarting database is back soon, a full disk is not.
DATABASE_RETRY_AFTER = 5
STORAGE_RETRY_AFTER = 60
_SQLITE_FULL = "database or disk is full"
_SQLITE_UNOPENABLE = "unable to open database file"
#: A server starting or shutting down, a connection cut, or none to be had (refused, no host).
_CONNECTION_LOST = (
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.CrashShutdownError,
    asyncpg.exceptions.PostgresConnectionError,
    ConnectionError,
    socket.gaierror,
)


def outage_of(exc: BaseException) -> errors.Unavailable | None:
    """The outage a driver's error means, if it means one: the one map from asyncpg, sqlite3
    and socket errors to "database unavailable" and "storage full" (503, nothing saved)."""
    unavailable = errors.DatabaseUnavailable(errors.DATABASE_UNAVAILABLE, DATABASE_RETRY_AFTER)
    full = errors.StorageFull(errors.STORAGE_FULL, STORAGE_RETRY_AFTER)
    for cause in _causes(exc):
        if isinstance(cause, asyncpg.exceptions.DiskFullError):
            return full
        if isinstance(cause, OSError) and cause.errno == errno.ENOSPC:
            return full
        if isinstance(cause, sqlite3.OperationalError) and _SQLITE_FULL in str(cause):
            return full
        if isinstance(cause, sqlite3.OperationalError) and _SQLITE_UNOPENABLE in str(cause):
            return unavailable
        if isinstance(cause, _CONNECTION_LOST):
            return unavailable
    return None


def _causes(exc: BaseException) -> list[BaseException]:
    """``exc`` and what it was raised from, nearest first (a driver error may be wrapped).

    Only ``raise ... from``: an error met while handling a lost connection is not an outage.
    """
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and all(current is not seen for seen in chain):
        chain.append(current)
        current = current.__cause__
    return chain
