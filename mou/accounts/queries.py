"""The accounts feature's plain SQL, under the policy stated in ``mou.agreements.queries``:
only where a benchmark shows Piccolo's query building dominating a hot read, unchanged on both
engines, every value an argument, run on both engines by ``tests/integration/test_queries.py``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from mou.accounts.tables import ApiToken, WebSession

# Runs on every API request: building the joined query with Piccolo costs several times more
# than running it (bench/list_agreements.py).
_USER_FOR_TOKEN = """
SELECT u.id, u.username, u.role, u.organisation AS organisation_id, u.person AS person_id,
       u.locale, t.id AS token_id
FROM api_token t JOIN mou_user u ON u.id = t."user"
WHERE t.token_hash = {} AND t.revoked_at IS NULL AND t.expires_at > {} AND u.active = {}
"""  # noqa: S105 - SQL, not a password

# Runs on every page request: the same join as the token's, over sessions
# (bench/list_agreements.py measures the token's).
_USER_FOR_SESSION = """
SELECT u.id, u.username, u.role, u.organisation AS organisation_id, u.person AS person_id,
       u.locale
FROM web_session s JOIN mou_user u ON u.id = s."user"
WHERE s.key_hash = {} AND s.expires_at > {} AND u.active = {}
"""


async def user_row_for_token(*, token_hash: str, now: dt.datetime) -> dict[str, Any] | None:
    """The active user whose live, unrevoked token has ``token_hash``, with the token's id."""
    rows = await ApiToken.raw(_USER_FOR_TOKEN, token_hash, now, True)
    return dict(rows[0]) if rows else None


async def user_row_for_session(*, key_hash: str, now: dt.datetime) -> dict[str, Any] | None:
    """The active user whose live session has ``key_hash``."""
    rows = await WebSession.raw(_USER_FOR_SESSION, key_hash, now, True)
    return dict(rows[0]) if rows else None
