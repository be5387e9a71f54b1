"""Schemathesis over the whole OpenAPI document, against a real server on a database of its own.

The ASGI client of the other tests runs the app inside the test's rolled-back transaction; a
fuzzer that writes thousands of rows needs a real server instead. This test migrates a fresh
database (a temporary SQLite file, or a new PostgreSQL database dropped after), loads the demo
case (so ids 1..N exist) plus an admin with a known password, serves the app with uvicorn and
runs the schemathesis CLI over every operation as that admin. A 5xx, or any answer the document
does not describe (status, content type, body, headers), or a schema-violating request the API
accepts, fails the test.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from tests.conftest import DATABASE, REPORT
from tests.database import (
    create_postgres_database,
    drop_postgres_database,
    postgres_database_url,
)

PROJECT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
USERNAME = "schemathesis"
PASSWORD = "schemathesis fuzzes the api"

CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
    "negative_data_rejection",
)
#: Random test cases per operation (fuzzing); the coverage phase adds its boundary and negative
#: cases for every field and stateful testing its sequences. Password hashing (users, logins)
#: and PDF rendering set the pace: 10 keeps a database's run within about 90 s.
MAX_EXAMPLES = 10
SEED = 20231023
#: One worker: with several, Hypothesis's ``ast.parse`` of lambda sources in parallel threads
#: trips CPython 3.11's "AST constructor recursion depth mismatch" (python/cpython#106905),
#: which schemathesis reports as errors of its own, not of the API.
WORKERS = 1
#: Seconds a request may take: a minutes PDF may render for up to 60 s, and the render pool
#: waits 10 s more before giving up (``mou.minutes.pool``); schemathesis's default of 10 s would
#: report a slow but valid render of a meeting it filled with long texts as a network error.
REQUEST_TIMEOUT = 75
STARTUP_TIMEOUT = 30.0
RUN_TIMEOUT = 900.0

#: Signs the fuzzer in, and again whenever a token stops working (it may revoke its own, or
#: give itself a new password): a fixed ``-H "Authorization: Bearer ..."`` would go blind.
HOOKS = Path(__file__).with_name("schemathesis_hooks.py")

#: The server under test. Login throttling is lifted: the fuzzer's many bad logins all come
#: from 127.0.0.1, and some name its own account (a username it read from the API), so under
#: the real limits its own re-logins would answer 429 for the rest of the run. 429 stays
#: documented; tests/security covers the throttle itself.
SERVER_ENV = {
    "MOU_LOG_LEVEL": "WARNING",
    "MOU_LOGIN_FAILURES_PER_USER": "1000000",
    "MOU_LOGIN_FAILURES_PER_ADDRESS": "1000000",
    "MOU_LOGIN_FAILURES_PER_USER_ADDRESS": "1000000",
}

#: The demo case, loaded into the migrated database by a process of its own.
DEMO_SCRIPT = """
import asyncio

from mou.db import database_session
from mou.demo import demo_load
from mou.settings import Settings


async def main() -> None:
    async with database_session(Settings.from_env()):
        await demo_load()


asyncio.run(main())
"""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def _own_database(tmp_path: Path) -> Iterator[str]:
    """A database URL nothing else uses, of the suite's kind; a PostgreSQL one is dropped after."""
    if DATABASE.kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'schemathesis.sqlite'}"
        return
    assert DATABASE.server_url is not None
    name = asyncio.run(create_postgres_database(DATABASE.server_url, prefix="mou_schemathesis"))
    try:
        yield postgres_database_url(DATABASE.server_url, name)
    finally:
        drop_postgres_database(DATABASE.server_url, name)


def _run(args: list[str], env: dict[str, str], stdin: str = "") -> None:
    result = subprocess.run(
        args,
        env=env,
        cwd=PROJECT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, (
        f"{' '.join(args[:4])} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    )


def _tail(path: Path, lines: int = 120) -> str:
    text = path.read_text(errors="replace") if path.exists() else ""
    return "\n".join(text.splitlines()[-lines:]) or "(empty)"


def _wait_until_up(base_url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"the server exited with {server.returncode}:\n{_tail(log)}")
        # Refused connections are expected until uvicorn listens; the deadline bounds the wait.
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{base_url}/health", timeout=1.0).status_code == 200:
                return
        time.sleep(0.1)
    raise AssertionError(f"the server did not answer within {STARTUP_TIMEOUT} s:\n{_tail(log)}")


@contextlib.contextmanager
def _server(env: dict[str, str], log: Path) -> Iterator[str]:
    """uvicorn serving the app on a free port, its output in ``log``; stopped after."""
    port = _free_port()
    with log.open("wb") as output:
        server = subprocess.Popen(
            [
                str(BIN / "uvicorn"),
                "mou.app:create_app",
                "--factory",
                *("--host", "127.0.0.1", "--port", str(port), "--no-access-log"),
            ],
            env=env,
            cwd=PROJECT,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        base_url = f"http://127.0.0.1:{port}"
        _wait_until_up(base_url, server, log)
        yield base_url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _number(pattern: str, text: str) -> int:
    match = re.search(pattern, text, re.MULTILINE)
    return int(match.group(1)) if match else 0


def _failures(text: str) -> dict[str, int]:
    """The summary's failure counts by code: "❌ ST201 Schema-violating request accepted: 3"."""
    return {
        code: int(count) for code, count in re.findall(r"(ST\d{3}) [^\n]*?: (\d+)\s*$", text, re.M)
    }


def test_schemathesis_finds_no_server_errors_or_schema_violations(tmp_path: Path) -> None:
    started = time.monotonic()
    with _own_database(tmp_path) as database_url:
        env = {**os.environ, **SERVER_ENV, "MOU_DATABASE_URL": database_url}
        _run([str(BIN / "mou"), "migrate"], env)
        _run([sys.executable, "-c", DEMO_SCRIPT], env)
        _run(
            [
                str(BIN / "mou"),
                *("user", "create", "--username", USERNAME, "--role", "admin"),
                *("--organisation", "Diskominfo Sumut"),
            ],
            env,
            stdin=f"{PASSWORD}\n",
        )
        log = tmp_path / "server.log"
        with _server(env, log) as base_url:
            login = httpx.post(
                f"{base_url}/api/v1/auth/token",
                json={"username": USERNAME, "password": PASSWORD},
                timeout=10.0,
            )
            assert login.status_code == 200, login.text
            me = httpx.get(
                f"{base_url}/api/v1/me",
                headers={"Authorization": f"Bearer {login.json()['access_token']}"},
                timeout=10.0,
            )
            assert me.status_code == 200, me.text
            # A folder of its own: no schemathesis.toml from elsewhere; reports land there.
            workdir = tmp_path / "schemathesis"
            workdir.mkdir()
            fuzzing = time.monotonic()
            result = subprocess.run(
                [
                    str(BIN / "st"),
                    *("run", f"{base_url}/schema/openapi.json", "--checks", ",".join(CHECKS)),
                    *("--max-examples", str(MAX_EXAMPLES), "--seed", str(SEED)),
                    *("--workers", str(WORKERS), "--request-timeout", str(REQUEST_TIMEOUT)),
                    *("--generation-database", "none", "--no-color"),
                ],
                env={
                    **os.environ,
                    "SCHEMATHESIS_HOOKS": str(HOOKS),
                    "MOU_FUZZ_BASE_URL": base_url,
                    "MOU_FUZZ_USERNAME": USERNAME,
                    "MOU_FUZZ_USER_ID": str(me.json()["id"]),
                    "MOU_FUZZ_PASSWORD": PASSWORD,
                    "NO_COLOR": "1",
                    "COLUMNS": "120",
                },
                cwd=workdir,
                capture_output=True,
                text=True,
                timeout=RUN_TIMEOUT,
                check=False,
            )
    elapsed, setup = time.monotonic() - started, fuzzing - started

    output = result.stdout + result.stderr
    tested = _number(r"^\s*Tested: (\d+)", output)
    cases = _number(r"^\s*(\d+) generated", output)
    failures = _failures(output)
    server_errors = failures.get("ST101", 0) + failures.get("ST102", 0)
    violations = sum(failures.values()) - server_errors
    REPORT.append(
        f"schemathesis[{DATABASE.kind}]: {tested} operations, {cases} cases, "
        f"{server_errors} server errors, {violations} schema violations "
        f"({elapsed:.0f} s, {setup:.0f} s of them setting up)"
    )
    failure = (
        f"schemathesis exited with {result.returncode}:\n{output}\n"
        f"--- end of the server's log ---\n{_tail(log)}"
    )
    assert result.returncode == 0, failure
    assert tested > 0, failure
    # Signed out halfway, the rest of the run would pass on documented 401s alone.
    assert "Authentication stopped working" not in output, failure
    assert "returned only 401/403" not in output, failure
