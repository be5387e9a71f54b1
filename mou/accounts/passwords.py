"""argon2id password hashing, always off the event loop."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from litestar.concurrency import sync_to_thread

_hasher = PasswordHasher()
#: Verified against when the username does not exist, so both cases cost the same.
_DUMMY_HASH = _hasher.hash("mou-no-such-user")


async def password_hash(password: str) -> str:
    return await sync_to_thread(_hasher.hash, password)


def _verify(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


async def password_verify(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; a missing hash costs as much as a wrong password."""
    return await sync_to_thread(_verify, password_hash, password)
