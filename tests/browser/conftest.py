"""Browser tests: Debian's Chromium driven by Playwright against the app served on loopback.

The app runs under uvicorn in a subprocess, on a database of the suite's engine (SQLite or
PostgreSQL) made for the browser tests alone: what they seed is committed, not rolled back, and
must not reach tests that read the whole database (audit chain, lists as an admin). Each
page a test visits is photographed into ``var/screenshots/<db>/`` (git-ignored) and checked
with axe-core for WCAG 2.1 A and AA; a test fails on any browser console error, any uncaught
page error and any request to a host other than the app.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import typing
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, Page, ViewportSize, async_playwright

from mou.settings import PROJECT_ROOT
from tests.browser.cast import Cast
from tests.conftest import DATABASE, REPORT
from tests.database import create_postgres_database, drop_postgres_database, postgres_database_url

CHROMIUM = Path("/usr/bin/chromium")
#: Debian's build runs headless as root only without its sandbox; nothing may phone home.
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update"]
SCREENSHOTS = PROJECT_ROOT / "var" / "screenshots" / DATABASE.kind
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
#: Starting the server is waited for, never timed: this only bounds a server that never comes.
SERVER_START_LIMIT_SECONDS = 120
_FAILED_LOAD = "Failed to load resource: the server responded with a status of {status} ("
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@dataclass
class Tally:
    """What the browser tests saw, for the suite's report."""

    pages: int = 0
    violations: int = 0
    passed: int = 0


TALLY = Tally()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call" and report.passed and "tests/browser/" in report.nodeid:
        TALLY.passed += 1


def pytest_sessionfinish(session: pytest.Session) -> None:
    if TALLY.pages:
        REPORT.append(f"browser[{DATABASE.kind}]: {TALLY.passed} tests passed")
        REPORT.append(
            f"axe[{DATABASE.kind}]: {TALLY.pages} pages checked, {TALLY.violations} violations"
        )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def browser_environment() -> Iterator[dict[str, str]]:
    """The environment of the browser tests' processes: their own migrated database."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `./dev test` installs Debian's chromium package")
    name = None
    if DATABASE.kind == "postgres" and DATABASE.server_url:
        name = asyncio.run(create_postgres_database(DATABASE.server_url, prefix="mou_browser"))
        url = postgres_database_url(DATABASE.server_url, name)
    else:
        url = f"sqlite:///{tempfile.mkdtemp(prefix='mou-browser-')}/browser.sqlite"
    env = {
        **os.environ,
        "MOU_DATABASE_URL": url,
        "MOU_DEV": "true",
        "MOU_TICK_SECONDS": "0",
        "MOU_SECRET_KEY": secrets.token_urlsafe(32),
    }
    try:
        subprocess.run([sys.executable, "-m", "mou.cli", "migrate"], env=env, check=True)
        yield env
    finally:
        if name is not None and DATABASE.server_url:
            drop_postgres_database(DATABASE.server_url, name)


@pytest.fixture(scope="session")
def server(browser_environment: dict[str, str]) -> Iterator[str]:
    """The app on a loopback port, in its own process."""
    port = _free_port()
    command = [sys.executable, "-m", "uvicorn", "--factory", "mou.app:create_app"]
    process = subprocess.Popen(
        [*command, "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        env=browser_environment,
        cwd=PROJECT_ROOT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, process)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def cast(browser_environment: dict[str, str]) -> Cast:
    """A fresh cast in the browser database, seeded by its own process."""
    seeded = subprocess.run(
        [sys.executable, "-m", "tests.browser.cast"],
        env=browser_environment,
        cwd=PROJECT_ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return Cast(**json.loads(seeded.stdout.strip().splitlines()[-1]))


def _wait_until_up(base: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + SERVER_START_LIMIT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the app exited with {process.returncode} before serving")
        try:
            if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"the app did not answer on {base} within {SERVER_START_LIMIT_SECONDS} s")


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS
        )
        try:
            yield launched
        finally:
            await launched.close()


@dataclass
class Visitor:
    """One person's browser tab: visits pages, photographs and checks each one."""

    page: Page
    base: str
    name: str
    problems: list[str] = field(default_factory=list)
    shots: int = 0
    #: Pages the test means to get an error status for (a 404, a form refused with 422):
    #: Chromium logs those as console errors too, which here are expected.
    expected: dict[str, int] = field(default_factory=dict)

    def expect(self, path: str, status: int) -> None:
        self.expected[path] = status

    def watch(self) -> None:
        host = urlsplit(self.base).netloc

        def on_console(message: Any) -> None:
            where = urlsplit(message.location.get("url", "")).path
            status = self.expected.get(where)
            if status is not None and message.text.startswith(_FAILED_LOAD.format(status=status)):
                return
            if message.type == "error":
                self.problems.append(f"console error on {self.page.url}: {message.text}")

        def on_request(request: Any) -> None:
            target = urlsplit(request.url)
            if target.scheme not in ("data", "blob") and target.netloc != host:
                self.problems.append(f"request to another host: {request.url}")

        self.page.on("console", on_console)
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        self.page.on("request", on_request)

    async def open(self, path: str, label: str, status: int = 200) -> None:
        if status != 200:
            self.expect(urlsplit(path).path, status)
        response = await self.page.goto(self.base + path)
        assert response is not None and response.status == status, (path, response)
        await self.seen(label)

    async def seen(self, label: str) -> None:
        """Photograph the page as it is now and check it with axe-core."""
        self.shots += 1
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        await self.page.screenshot(
            path=str(SCREENSHOTS / f"{self.name}-{self.shots:02d}-{label}.png"), full_page=True
        )
        results = await Axe().run(self.page, options=AXE_OPTIONS)
        TALLY.pages += 1
        TALLY.violations += results.violations_count
        assert results.violations_count == 0, results.generate_report()

    async def sign_in(self, username: str, password: str) -> None:
        await self.open("/login", "sign-in")
        await self.page.fill("#username", username)
        await self.page.fill("#password", password)
        await self.page.click("form.stack button[type=submit]")
        await self.page.wait_for_url(self.base + "/")
        await self.seen("home")

    async def sign_out(self) -> None:
        await self.page.click("form[action='/logout'] button")
        await self.page.wait_for_url(f"{self.base}/login")

    async def text(self, selector: str = "main") -> str:
        return await self.page.inner_text(selector)


@pytest.fixture
async def visit(
    browser: Browser, server: str, request: pytest.FixtureRequest
) -> AsyncIterator[Any]:
    """``await visit(viewport=...)`` opens a fresh browser context (a person); all of them
    must end without console errors or requests elsewhere."""
    opened: list[Visitor] = []

    async def open_visitor(viewport: dict[str, int] = DESKTOP) -> Visitor:
        context = await browser.new_context(
            viewport=typing.cast(ViewportSize, viewport), locale="id-ID"
        )
        visitor = Visitor(
            await context.new_page(), server, f"{request.node.name}-{len(opened) + 1}"
        )
        visitor.watch()
        opened.append(visitor)
        return visitor

    yield open_visitor
    problems = [problem for visitor in opened for problem in visitor.problems]
    for visitor in opened:
        await visitor.page.context.close()
    assert problems == []
