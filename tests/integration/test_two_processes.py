"""Two app processes on one PostgreSQL database, used alternately, behave as one deployment:
a session or a CSRF token from one works on the other, login throttling counts across both,
and either renders minutes."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import DATABASE
from tests.database import create_postgres_database, drop_postgres_database, postgres_database_url
from tests.integration.processes import PROJECT, mou_env, mou_run, mou_server

pytestmark = pytest.mark.skipif(
    DATABASE.kind != "postgres", reason="several processes share one database only on PostgreSQL"
)

#: Small, so the test reaches the limit in a few requests.
FAILURES_PER_USER = 3

#: Loads the demo case into the database and prints its users: "username password role".
DEMO_LOADER = """
import asyncio

from mou.db import database_session
from mou.demo import demo_load
from mou.settings import Settings


async def main() -> None:
    # A command binds the settings it was started with, like every mou command.
    async with database_session(Settings.from_env()):
        for username, password, role in await demo_load():
            print(username, password, role)


asyncio.run(main())
"""


@pytest.fixture(scope="module")
def deployment(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[str, str, dict[str, str]]]:
    """Two ``mou serve`` processes (one secret key) on a fresh, migrated demo database;
    yields both base URLs and the demo users' passwords."""
    server = DATABASE.server_url
    assert server is not None
    name = asyncio.run(create_postgres_database(server, prefix="mou_two"))
    env = mou_env(
        MOU_DATABASE_URL=postgres_database_url(server, name),
        MOU_LOGIN_FAILURES_PER_USER=str(FAILURES_PER_USER),
        MOU_TICK_SECONDS="0",
    )
    folder = tmp_path_factory.mktemp("two-processes")
    try:
        assert mou_run("migrate", env=env).returncode == 0
        loaded = subprocess.run(
            [sys.executable, "-c", DEMO_LOADER],
            env=env,
            cwd=PROJECT,
            capture_output=True,
            text=True,
            timeout=180,
            check=True,
        )
        passwords = {line.split()[0]: line.split()[1] for line in loaded.stdout.splitlines()}
        with (
            mou_server(env, folder / "a.log") as a,
            mou_server(env, folder / "b.log") as b,
        ):
            yield a, b, passwords
    finally:
        drop_postgres_database(server, name)


def _cookie_header(*responses: httpx.Response) -> dict[str, str]:
    """The cookies the responses set, sent back by hand: they are Secure (production mode),
    and a cookie jar keeps those from plain http://127.0.0.1."""
    cookies = {k: v for response in responses for k, v in response.cookies.items()}
    return {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()), "Accept": "text/html"}


def test_a_session_and_csrf_token_from_one_process_work_on_the_other(
    deployment: tuple[str, str, dict[str, str]],
) -> None:
    a, b, passwords = deployment
    form = httpx.get(f"{a}/login", headers={"Accept": "text/html"})
    token = re.search(r'name="_csrf_token" value="([^"]+)"', form.text)
    assert token, form.text
    logged_in = httpx.post(
        f"{b}/login",
        headers=_cookie_header(form),
        data={
            "username": "ilyas",
            "password": passwords["ilyas"],
            "next": "/",
            "_csrf_token": token.group(1),
        },
    )
    assert logged_in.status_code == 303, logged_in.text
    assert "mou_session" in logged_in.cookies
    for base in (a, b):
        home = httpx.get(f"{base}/", headers=_cookie_header(form, logged_in))
        assert home.status_code == 200, home.text
        assert "Kerja sama" in home.text


def test_login_throttling_counts_failures_on_both_processes(
    deployment: tuple[str, str, dict[str, str]],
) -> None:
    a, b, passwords = deployment
    bases = [a, b] * FAILURES_PER_USER
    for base in bases[:FAILURES_PER_USER]:
        wrong = httpx.post(
            f"{base}/api/v1/auth/token", json={"username": "viewer.kpk", "password": "wrong"}
        )
        assert wrong.status_code == 401
    for base in (a, b):
        blocked = httpx.post(
            f"{base}/api/v1/auth/token",
            json={"username": "viewer.kpk", "password": passwords["viewer.kpk"]},
        )
        assert blocked.status_code == 429, blocked.text


def test_either_process_renders_the_minutes(
    deployment: tuple[str, str, dict[str, str]],
) -> None:
    a, b, passwords = deployment
    token = httpx.post(
        f"{b}/api/v1/auth/token",
        json={"username": "chrystelina", "password": passwords["chrystelina"]},
    )
    assert token.status_code == 200, token.text
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    agreement = httpx.get(f"{a}/api/v1/agreements", headers=headers).json()["items"][0]
    meetings = httpx.get(f"{b}/api/v1/agreements/{agreement['id']}/meetings", headers=headers)
    meeting_id = meetings.json()["items"][0]["id"]
    for base in (a, b):
        pdf = httpx.get(
            f"{base}/api/v1/meetings/{meeting_id}/minutes.pdf", headers=headers, timeout=60
        )
        assert pdf.status_code == 200, pdf.text
        assert pdf.headers["content-type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF-")
