"""``mou minutes render``, run as a script runs it: in a subprocess, on its own database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.integration.minutes_case import pdf_text

MOU = [sys.executable, "-m", "mou.cli"]
LOAD_DEMO = """
import asyncio
from mou.db import database_session
from mou.demo import demo_load
from mou.settings import Settings

async def main():
    async with database_session(Settings.from_env()):
        await demo_load()

asyncio.run(main())
"""


def _run(argv: list[str], url: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOU_")}
    env["MOU_DATABASE_URL"] = url
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=180)


def test_minutes_render_command_writes_the_draft_pdf(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/cli.sqlite"
    assert _run([*MOU, "migrate"], url).returncode == 0
    loaded = _run([sys.executable, "-c", LOAD_DEMO], url)
    assert loaded.returncode == 0, loaded.stderr
    output = tmp_path / "notulen.pdf"
    rendered = _run([*MOU, "minutes", "render", "1", "--lang", "en", "-o", str(output)], url)
    assert rendered.returncode == 0, rendered.stderr
    assert "draft" in rendered.stdout
    text = pdf_text(output.read_bytes(), tmp_path)
    assert "MINUTES OF MEETING" in text and "Monday, 23 October 2023" in text

    missing = _run([*MOU, "minutes", "render", "99", "-o", str(tmp_path / "x.pdf")], url)
    assert missing.returncode == 1
    assert "No such meeting." in missing.stderr
    assert not (tmp_path / "x.pdf").exists()
