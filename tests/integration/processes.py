"""``mou`` as separate processes: commands, and servers on free loopback ports."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

MOU = [sys.executable, "-m", "mou.cli"]
PROJECT = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def mou_env(**settings: str) -> dict[str, str]:
    """This process's environment with the MOU_* settings replaced by ``settings``, plus the
    suite's secret key (one deployment shares one)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOU_")}
    env["MOU_SECRET_KEY"] = os.environ["MOU_SECRET_KEY"]
    env.update(settings)
    return env


def mou_run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*MOU, *args], env=env, cwd=PROJECT, capture_output=True, text=True, timeout=180
    )


@contextlib.contextmanager
def mou_server(env: dict[str, str], log: Path) -> Iterator[str]:
    """``mou serve`` on a free port until the block ends; yields its base URL."""
    port = free_port()
    with log.open("wb") as output:
        server = subprocess.Popen(
            [*MOU, "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=PROJECT,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            if server.poll() is not None:
                raise AssertionError(f"mou serve exited: {log.read_text()[-3000:]}")
            if time.monotonic() > deadline:
                raise AssertionError(f"mou serve did not answer: {log.read_text()[-3000:]}")
            # Refused connections are expected until uvicorn listens; the deadline bounds it.
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base_url}/health", timeout=1.0).status_code == 200:
                    break
            time.sleep(0.1)
        yield base_url
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
