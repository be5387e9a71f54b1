"""Rendering reaches nothing but static/ and data: URLs, whatever users type into the record.

Canaries: a local file whose bytes must never appear in a PDF, and a loopback HTTP listener that
must never be called. They are planted through <img>, <link rel=attachment>, CSS url() and
@import, in every field a user types that the minutes print.
"""

from __future__ import annotations

import http.server
import secrets
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mou.minutes.fetcher import StaticOnlyFetcher
from mou.minutes.render import pdf_of
from mou.web.templating import STATIC
from tests.conftest import Actors
from tests.integration.builders import create_agreement
from tests.integration.minutes_case import decompressed, pdf_text


class Listener:
    def __init__(self) -> None:
        self.hits: list[str] = []
        hits = self.hits

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                hits.append(self.path)
                body = b"LISTENER-CANARY"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def listener() -> Iterator[Listener]:
    listening = Listener()
    thread = threading.Thread(target=listening.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield listening
    finally:
        listening.server.shutdown()
        listening.server.server_close()


@pytest.fixture
def canary(tmp_path: Path) -> tuple[Path, bytes]:
    secret = f"FILE-CANARY-{secrets.token_hex(8)}".encode()
    path = tmp_path / "c.txt"
    path.write_bytes(secret * 4)
    return path, secret


def payloads(canary: Path, listener: str) -> list[str]:
    """Markup a user might type, each short enough for the tightest field (100 characters)."""
    return [
        f'<img src="file://{canary}">',
        f'<link rel="attachment" href="file://{canary}">',
        f'<style>@import "{listener}/imp.css";</style>',
        f'<p style="background:url({listener}/bg.png)">u</p>',
        f'<img src="{listener}/img.png">',
        f'<link rel="attachment" href="{listener}/att">',
        f"<style>@import 'file://{canary}';</style>",
        "{{ 7*7 }}{% include 'pdf/minutes.css' %}",
    ]


def plant(kinds: list[str], limit: int, start: int) -> str:
    """As many of ``kinds`` as fit in ``limit`` characters, starting at ``start``."""
    text = ""
    for index in range(len(kinds)):
        kind = kinds[(start + index) % len(kinds)]
        if len(text) + len(kind) + 1 > limit:
            break
        text += kind + " "
    return text.strip()


async def test_pdf_user_markup_fetches_nothing_and_embeds_no_canary(
    client: httpx.AsyncClient,
    admin: dict[str, str],
    actors: Actors,
    listener: Listener,
    canary: tuple[Path, bytes],
    tmp_path: Path,
) -> None:
    path, secret = canary
    kinds = payloads(path, listener.url)
    counter = iter(range(1000))

    def field(limit: int) -> str:
        return plant(kinds, limit, next(counter))

    org = await client.post(
        "/api/v1/organisations",
        json={"name": field(200), "short_name": "Org", "kind": "other", "address": field(2000)},
        headers=admin,
    )
    assert org.status_code == 201, org.text
    other = await actors.organisation()
    agreement = await create_agreement(client, admin, [org.json()["id"], other], title=field(300))
    meeting = await client.post(
        f"/api/v1/agreements/{agreement['id']}/meetings",
        json={
            "title": field(300),
            "kind": "planning",
            "starts_at": "2023-10-23T10:00:00",
            "venue": field(200),
            "address": field(2000),
            "number": field(100),
            "agenda": [field(500) for _ in range(len(kinds))],
        },
        headers=admin,
    )
    assert meeting.status_code == 201, meeting.text
    meeting_id = meeting.json()["id"]
    url = f"/api/v1/meetings/{meeting_id}"
    attendees = []
    for role in ("chair", "minute_taker", "participant"):
        added = await client.post(
            f"{url}/attendees",
            json={
                "full_name": field(200),
                "position": field(200),
                "organisation_id": org.json()["id"],
                "role": role,
                "attendance": "represented" if role == "participant" else "present",
                "represented_by": field(200),
            },
            headers=admin,
        )
        assert added.status_code == 201, added.text
        attendees.append(added.json()["id"])
    for speaker in attendees:
        point = {"text": " ".join(kinds) * 3, "speaker_attendee_id": speaker}
        assert (await client.post(f"{url}/points", json=point, headers=admin)).status_code == 201
    decision = {"text": " ".join(kinds)}
    assert (await client.post(f"{url}/decisions", json=decision, headers=admin)).status_code == 201
    item = {"title": field(500), "owner_organisation_id": org.json()["id"]}
    assert (await client.post(f"{url}/action-items", json=item, headers=admin)).status_code == 201

    pdfs = [(await client.get(f"{url}/minutes.pdf", headers=admin)).content]
    etag = (await client.get(url, headers=admin)).headers["etag"]
    finalized = await client.post(f"{url}/minutes/finalize", headers={**admin, "If-Match": etag})
    assert finalized.status_code == 201, finalized.text
    for language in ("id", "en"):
        response = await client.get(f"{url}/minutes.pdf", params={"lang": language}, headers=admin)
        pdfs.append(response.content)

    for pdf in pdfs:
        assert pdf.startswith(b"%PDF-")
        flat = decompressed(pdf, tmp_path)
        assert secret not in flat and b"LISTENER-CANARY" not in flat
        assert b"/EmbeddedFile" not in flat
        text = pdf_text(pdf, tmp_path)
        # Typed markup and template code are printed as the text they are.
        assert "{{ 7*7 }}" in text and "{% include 'pdf/minutes.css' %}" in text
        assert f'<img src="file://{path}">' in text
    assert listener.hits == []


def test_pdf_fetcher_refuses_everything_but_static_files_and_data_urls(
    listener: Listener, canary: tuple[Path, bytes], tmp_path: Path
) -> None:
    """The second wall: markup that reaches WeasyPrint unescaped still fetches nothing."""
    path, secret = canary
    fetcher = StaticOnlyFetcher()
    html = "\n".join(payloads(path, listener.url)) + (
        f'<img src="{STATIC.as_uri()}/../pyproject.toml">'
        '<img src="fonts/../../mou/settings.py">'
        f'<link rel="attachment" href="{STATIC.as_uri()}/../mou/settings.py">'
        '<p style="font-family: x">data: <img src="data:image/svg+xml,'
        "%3Csvg xmlns='http://www.w3.org/2000/svg' width='4' height='4'/%3E\"></p>"
    )
    pdf = pdf_of(html, fetcher)
    flat = decompressed(pdf, tmp_path)
    assert secret not in flat and b"LISTENER-CANARY" not in flat
    assert b"/EmbeddedFile" not in flat and b"Settings" not in flat
    assert listener.hits == []
    assert any(url.startswith("file://") for url in fetcher.refused)
    assert any(url.startswith(listener.url) for url in fetcher.refused)
    assert not any(url.startswith("data:") for url in fetcher.refused)


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "file://localhost/etc/hostname",
        "http://127.0.0.1:9/x",
        "https://example.invalid/x",
        "ftp://127.0.0.1/x",
        "gopher://127.0.0.1/x",
        f"{STATIC.as_uri()}/../pyproject.toml",
        f"{STATIC.as_uri()}/fonts/DejaVuSans.ttf?x=1",
        f"{STATIC.as_uri()}/fonts",
    ],
)
def test_pdf_fetcher_refuses(url: str) -> None:
    with pytest.raises(ValueError, match="refused"):
        StaticOnlyFetcher().fetch(url)


def test_pdf_fetcher_serves_static_files_and_data_urls() -> None:
    font = StaticOnlyFetcher().fetch(f"{STATIC.as_uri()}/fonts/DejaVuSans.ttf")
    assert font.read() == (STATIC / "fonts" / "DejaVuSans.ttf").read_bytes()
    data = StaticOnlyFetcher().fetch("data:text/plain;base64,bW91")
    assert data.read() == b"mou" and data.content_type == "text/plain"


def test_pdf_fetcher_refuses_a_link_out_of_static(tmp_path: Path) -> None:
    static = tmp_path / "static"
    static.mkdir()
    (tmp_path / "secret.txt").write_text("secret")
    (static / "link.txt").symlink_to(tmp_path / "secret.txt")
    with pytest.raises(ValueError, match="refused"):
        StaticOnlyFetcher(static).fetch((static / "link.txt").as_uri())
