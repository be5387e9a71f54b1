"""Finalizing minutes: stored versions whose bytes are what parties download and /verify confirms."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from mou.meetings.tables import Meeting
from mou.minutes.pool import RENDER_STOPPED, RenderFailed, RenderPool
from mou.minutes.services import REASON_REQUIRED
from mou.minutes.tables import MinutesVersion
from mou.parties.tables import Organisation
from tests.conftest import Actors
from tests.integration.minutes_case import load_case, pdf_text, render_pool_swapped
from tests.integration.test_minutes_pdf import watermark_letters

#: What a browser opening the QR code's link asks for.
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


async def test_minutes_finalize_sha256_is_the_downloaded_bytes_and_verify_confirms_it(
    client: httpx.AsyncClient, tmp_path: Path
) -> None:
    case = await load_case()
    response = await case.finalize(client)
    assert response.status_code == 201, response.text
    finalized = response.json()
    assert finalized["version"] == 1 and finalized["languages"] == ["id", "en"]
    assert response.headers["etag"] == f'"{finalized["meeting_version"]}"'
    for document in finalized["documents"]:
        download = await case.download(client, lang=document["language"])
        assert download.status_code == 200
        assert hashlib.sha256(download.content).hexdigest() == document["sha256"]
        assert download.headers["content-disposition"] == (
            f'attachment; filename="{"notulen" if document["language"] == "id" else "minutes"}'
            f'-{case.meeting_id}-2023-10-23-v1-{document["language"]}.pdf"'
        )
        assert not any(watermark_letters(download.content, tmp_path))
        # Public: no credentials.
        verified = await client.get(
            f"/verify/{document['sha256']}", headers={"Accept": "application/json"}
        )
        assert verified.status_code == 200, verified.text
        body = verified.json()
        assert body["issued"] is True and body["matched"] == "file"
        assert body["meeting_title"] == "Rapat Perencanaan Kerja Sama Diseminasi Isu Antikorupsi"
        assert body["meeting_date"] == "2023-10-23"
        assert body["parties"] == [
            "Dinas Komunikasi dan Informatika Provinsi Sumatera Utara",
            "Komisi Pemberantasan Korupsi Republik Indonesia",
        ]
        assert (body["version"], body["language"]) == (1, document["language"])
        assert "menyambut baik" not in verified.text  # never the content
        page = await client.get(f"/verify/{document['sha256']}", headers=BROWSER)
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert "Asli: sistem menerbitkan berkas dengan SHA-256 persis ini." in page.text

        # The code printed in the footer opens the same document's page.
        printed = re.search(r"/verify/([0-9a-f]{64})", pdf_text(download.content, tmp_path))
        assert printed and printed.group(1) == document["code"]
        by_code = await client.get(
            f"/verify/{document['code']}", headers={"Accept": "application/json"}
        )
        assert by_code.json()["matched"] == "code"
        assert by_code.json()["sha256"] == document["sha256"]

        changed = bytearray(download.content)
        changed[len(changed) // 2] ^= 0x01
        other = hashlib.sha256(bytes(changed)).hexdigest()
        refused = await client.get(f"/verify/{other}", headers={"Accept": "application/json"})
        assert refused.status_code == 404
        assert refused.headers["content-type"].startswith("application/problem+json")
        page = await client.get(f"/verify/{other}", headers=BROWSER)
        assert page.status_code == 404 and "Dokumen tidak dikenal" in page.text


async def test_minutes_verify_shows_the_names_as_issued_after_a_rename(
    client: httpx.AsyncClient,
) -> None:
    """The public page vouches for a document: it names what the document printed, not what
    the parties are called today."""
    case = await load_case()
    response = await case.finalize(client)
    assert response.status_code == 201, response.text
    digest = response.json()["documents"][0]["sha256"]
    issued = (await client.get(f"/verify/{digest}", headers={"Accept": "application/json"})).json()
    await Organisation.update({Organisation.name: Organisation.name + " (Baru)"}).where(
        Organisation.name.is_in(issued["parties"])
    )
    await Meeting.update({Meeting.title: "Judul Lain"}).where(Meeting.id == case.meeting_id)
    later = await client.get(f"/verify/{digest}", headers={"Accept": "application/json"})
    assert later.json() == issued
    assert issued["parties"] == [
        "Dinas Komunikasi dan Informatika Provinsi Sumatera Utara",
        "Komisi Pemberantasan Korupsi Republik Indonesia",
    ]
    page = await client.get(f"/verify/{digest}", headers=BROWSER)
    assert "(Baru)" not in page.text and "Judul Lain" not in page.text
    assert "Komisi Pemberantasan Korupsi Republik Indonesia" in page.text


async def test_minutes_verify_page_answers_404_for_anything_but_an_issued_hash(
    client: httpx.AsyncClient,
) -> None:
    for value in ("0" * 64, "not-a-hash", "a" * 65, "%3Cscript%3E"):
        page = await client.get(f"/verify/{value}?lang=en", headers=BROWSER)
        assert page.status_code == 404, value
        assert "Unknown document" in page.text and "<script>" not in page.text


async def test_minutes_finalize_needs_if_match_and_the_current_version(
    client: httpx.AsyncClient,
) -> None:
    case = await load_case()
    url = f"/api/v1/meetings/{case.meeting_id}/minutes/finalize"
    missing = await client.post(url, headers=case.headers["liaison.sumut"])
    assert missing.status_code == 428
    stale = await client.post(url, headers={**case.headers["liaison.sumut"], "If-Match": '"1"'})
    assert stale.status_code == 412
    assert await MinutesVersion.count().where(MinutesVersion.meeting == case.meeting_id) == 0


async def test_minutes_finalize_locks_content_and_a_correction_makes_version_2(
    client: httpx.AsyncClient, tmp_path: Path
) -> None:
    case = await load_case()
    first = (await case.finalize(client)).json()
    first_id = await case.download(client, lang="id")

    locked = await client.post(
        f"/api/v1/meetings/{case.meeting_id}/points",
        json={"text": "A late remark"},
        headers=case.headers["liaison.sumut"],
    )
    assert locked.status_code == 409

    no_reason = await case.finalize(client, user="ilyas")
    assert no_reason.status_code == 422
    assert REASON_REQUIRED in no_reason.json()["detail"]

    second = await case.finalize(client, user="ilyas", reason="Nomor notulen dilengkapi")
    assert second.status_code == 201, second.text
    assert second.json()["version"] == 2
    newest = await case.download(client, lang="id")
    assert hashlib.sha256(newest.content).hexdigest() == second.json()["sha256"]
    assert "Nomor notulen dilengkapi" in pdf_text(newest.content, tmp_path)

    again = await case.download(client, lang="id", version=1)
    assert again.content == first_id.content
    assert hashlib.sha256(again.content).hexdigest() == first["sha256"]
    old = await client.get(f"/verify/{first['sha256']}", headers={"Accept": "application/json"})
    assert (old.json()["version"], old.json()["latest_version"]) == (1, 2)

    listing = await client.get(
        f"/api/v1/meetings/{case.meeting_id}/minutes", headers=case.headers["viewer.kpk"]
    )
    assert [(v["version"], v["language"]) for v in listing.json()] == [
        (1, "en"),
        (1, "id"),
        (2, "en"),
        (2, "id"),
    ]
    missing = await case.download(client, lang="id", version=3)
    assert missing.status_code == 404


async def test_minutes_follow_the_meetings_access_rules(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    case = await load_case()
    refused = await case.finalize(client, user="viewer.kpk")
    assert refused.status_code == 403
    assert (await case.download(client, user="viewer.kpk")).status_code == 200

    _, stranger = await actors.user("liaison")
    for response in (
        await client.get(f"/api/v1/meetings/{case.meeting_id}/minutes.pdf", headers=stranger),
        await client.get(f"/api/v1/meetings/{case.meeting_id}/minutes", headers=stranger),
        await client.post(
            f"/api/v1/meetings/{case.meeting_id}/minutes/finalize",
            headers={**stranger, "If-Match": '"1"'},
        ),
    ):
        assert response.status_code == 404, response.text
    anonymous = await client.get(f"/api/v1/meetings/{case.meeting_id}/minutes.pdf")
    assert anonymous.status_code == 401


class StoppingPool(RenderPool):
    """Every render's worker stops under it (a transient failure: a retry may succeed)."""

    async def _run_now(self, function: Any, args: tuple[Any, ...]) -> Any:
        raise RenderFailed(RENDER_STOPPED)


@pytest.fixture
def failing_renders() -> Iterator[None]:
    with render_pool_swapped(StoppingPool(workers=1)):
        yield


async def test_minutes_render_failure_answers_503_and_stores_nothing(
    client: httpx.AsyncClient, failing_renders: None
) -> None:
    case = await load_case()
    before = await Meeting.select(Meeting.version, Meeting.minutes_status).where(
        Meeting.id == case.meeting_id
    )
    response = await case.finalize(client)
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["detail"] == RENDER_STOPPED
    assert int(response.headers["Retry-After"]) > 0
    assert await MinutesVersion.count().where(MinutesVersion.meeting == case.meeting_id) == 0
    after = await Meeting.select(Meeting.version, Meeting.minutes_status).where(
        Meeting.id == case.meeting_id
    )
    assert after == before and after[0]["minutes_status"] == "draft"
    # New content, so no earlier draft of it can be served instead of a render.
    point = {"text": "Catatan tambahan"}
    url = f"/api/v1/meetings/{case.meeting_id}/points"
    assert (await client.post(url, json=point, headers=case.headers["ilyas"])).status_code == 201
    assert (await case.download(client)).status_code == 503
