"""The commands of the README, run as a newcomer runs them: in a subprocess, on a real port."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from mou.demo import demo_load
from tests.conftest import DATABASE

MOU = [sys.executable, "-m", "mou.cli"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOU_")}
    env.update(extra)
    return env


@pytest.mark.skipif(
    DATABASE.kind != "sqlite",
    reason="mou demo always makes its own SQLite file; the SQLite run covers it",
)
def test_demo_command_serves_the_reference_case(tmp_path: Path) -> None:
    port = _free_port()
    process = subprocess.Popen(
        [*MOU, "demo", "--port", str(port)],
        cwd=tmp_path,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        lines: list[str] = []
        deadline = time.monotonic() + 60
        assert process.stdout is not None
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            lines.append(line)
            if "Uvicorn running" in line or (not line and process.poll() is not None):
                break
        output = "".join(lines)
        users = dict(
            re.findall(r"^\s+(\S+)\s+(\S+)\s+(?:admin|manager|liaison|viewer)$", output, re.M)
        )
        assert {"admin", "ilyas", "liaison.sumut", "chrystelina", "viewer.kpk"} <= set(users), (
            output
        )
        base = f"http://127.0.0.1:{port}/api/v1"
        token = httpx.post(
            f"{base}/auth/token", json={"username": "viewer.kpk", "password": users["viewer.kpk"]}
        ).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        agreements = httpx.get(f"{base}/agreements", headers=headers).json()["items"]
        assert [sorted(p["organisation_short_name"] for p in a["parties"]) for a in agreements] == [
            ["Diskominfo Sumut", "KPK RI"]
        ]
        meetings = httpx.get(f"{base}/agreements/{agreements[0]['id']}/meetings", headers=headers)
        meeting = httpx.get(
            f"{base}/meetings/{meetings.json()['items'][0]['id']}", headers=headers
        ).json()
        assert meeting["starts_at"] == "2023-10-23T10:00:00+07:00"
        assert meeting["venue"] == "Aula Transparansi, Diskominfo Sumut"
        assert [(a["full_name"], a["position"]) for a in meeting["attendees"]] == [
            ("Ilyas Sitorus", "Kepala Dinas Komunikasi dan Informatika"),
            ("Chrystelina", "Kepala Bagian Pelayanan Informasi dan Komunikasi Publik"),
            ("Birgita Yulianti Simbolon", "Spesialis Humas Muda"),
            ("Shantika Embundini Akbari", "Spesialis Humas Muda"),
            ("Faza Agnia", "Data Entry"),
        ]
        assert (tmp_path / "var" / "demo.sqlite").exists()
    finally:
        process.terminate()
        process.wait(timeout=20)


async def test_demo_facts_load_through_the_services(client: httpx.AsyncClient) -> None:
    users = await demo_load()
    password = {u: p for u, p, _ in users}
    token = await client.post(
        "/api/v1/auth/token", json={"username": "ilyas", "password": password["ilyas"]}
    )
    assert token.status_code == 200, token.text
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    listing = (
        await client.get("/api/v1/agreements", params={"q": "Antikorupsi"}, headers=headers)
    ).json()
    detail = (
        await client.get(f"/api/v1/agreements/{listing['items'][0]['id']}", headers=headers)
    ).json()
    assert [s["kind"] for s in detail["scope_items"]] == [
        "information_sharing",
        "media_channel_sharing",
        "co_produced_content",
    ]
    meetings = (
        await client.get(f"/api/v1/agreements/{detail['id']}/meetings", headers=headers)
    ).json()
    meeting = (
        await client.get(f"/api/v1/meetings/{meetings['items'][0]['id']}", headers=headers)
    ).json()
    speakers = {a["id"]: a["full_name"] for a in meeting["attendees"]}
    assert {speakers[p["speaker_attendee_id"]] for p in meeting["points"]} == {
        "Ilyas Sitorus",
        "Chrystelina",
    }
    assert len(meeting["decisions"]) >= 1
    assert {a["role"] for a in meeting["attendees"]} == {
        "chair",
        "speaker",
        "participant",
        "minute_taker",
    }


def test_migrate_is_idempotent_and_fails_loudly(tmp_path: Path) -> None:
    url = DATABASE.url
    first = subprocess.run(
        [*MOU, "migrate"],
        env=_env(MOU_DATABASE_URL=url),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert first.returncode == 0, first.stderr
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("a file where a folder should be")
    failing = subprocess.run(
        [*MOU, "migrate"],
        env=_env(MOU_DATABASE_URL=f"sqlite:///{blocked}/x.sqlite"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert failing.returncode != 0
    assert "failed" in failing.stderr


def _mou(*args: str, url: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``mou`` as a newcomer would, against ``url`` and nothing else from this process."""
    return subprocess.run(
        [*MOU, *args],
        input=stdin,
        env=_env(MOU_DATABASE_URL=url),
        capture_output=True,
        text=True,
        timeout=120,
    )


CREATE_HUMAS = (
    "user",
    "create",
    "--username",
    "humas",
    "--role",
    "liaison",
    "--organisation",
    "KPK RI",
)


def test_user_create_reads_the_password_from_stdin(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/users.sqlite"
    assert _mou("migrate", url=url).returncode == 0
    created = _mou(*CREATE_HUMAS, url=url, stdin="a long enough secret\n")
    assert created.returncode == 0, created.stderr
    assert "humas" in created.stdout
    duplicate = _mou(*CREATE_HUMAS, url=url, stdin="a long enough secret\n")
    assert duplicate.returncode == 2
    assert "taken" in duplicate.stderr


def test_user_role_and_deactivate_commands(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/roles.sqlite"
    assert _mou("migrate", url=url).returncode == 0
    create = ("user", "create", "--username", "staf", "--role", "viewer", "--organisation", "X")
    assert _mou(*create, url=url, stdin="a long enough secret\n").returncode == 0
    role = _mou("user", "role", "--username", "staf", "--role", "manager", url=url)
    assert role.returncode == 0, role.stderr
    off = _mou("user", "deactivate", "--username", "staf", url=url)
    assert off.returncode == 0, off.stderr
    assert _mou("user", "deactivate", "--username", "nobody", url=url).returncode == 2
    import sqlite3

    row = (
        sqlite3.connect(f"{tmp_path}/roles.sqlite")
        .execute("SELECT role, active FROM mou_user WHERE username = 'staf'")
        .fetchone()
    )
    assert row == ("manager", 0)
