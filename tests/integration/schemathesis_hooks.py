"""Schemathesis hooks for ``test_schemathesis``: sign in as the fuzzer's admin, and again when a
token stops working.

The fuzzer is an admin, so it may revoke its own token (``DELETE /api/v1/tokens/{id}``) and give
its own account a new password (``PATCH /api/v1/users/{id}``); a fixed bearer token, or a login
with the first password, would leave the rest of the run answering 401. Schemathesis calls
``get`` again whenever an answer is 401 and replays the request; ``after_call`` keeps the
password the fuzzer last set.

Loaded by ``st run`` through ``SCHEMATHESIS_HOOKS``; the test passes the rest in the environment.
"""

from __future__ import annotations

import os
from typing import Any

import httpx
import schemathesis

BASE_URL = os.environ["MOU_FUZZ_BASE_URL"]
USERNAME = os.environ["MOU_FUZZ_USERNAME"]
USER_ID = int(os.environ["MOU_FUZZ_USER_ID"])
_password = os.environ["MOU_FUZZ_PASSWORD"]


@schemathesis.auth(retry_on=[401])
class FuzzerLogin:
    def get(self, case: Any, context: Any) -> str:
        answer = httpx.post(
            f"{BASE_URL}/api/v1/auth/token",
            json={"username": USERNAME, "password": _password, "name": "schemathesis"},
            timeout=30.0,
        )
        answer.raise_for_status()
        return str(answer.json()["access_token"])

    def set(self, case: Any, data: str, context: Any) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@schemathesis.hook
def after_call(context: Any, case: Any, response: Any) -> None:
    """The fuzzer changed its own password: log in with the new one from now on."""
    global _password
    if (
        case.method.upper() == "PATCH"
        and case.path == "/api/v1/users/{user_id}"
        and str((case.path_parameters or {}).get("user_id")) == str(USER_ID)
        and response.status_code == 200
        and isinstance(case.body, dict)
        and isinstance(case.body.get("password"), str)
    ):
        _password = case.body["password"]
