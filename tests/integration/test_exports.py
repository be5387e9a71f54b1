"""Exports as CSV and XLSX: the agreement register, attendance lists, open action items."""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx
import openpyxl
import pytest

from mou.agreements import export as register
from mou.meetings import exports
from tests.conftest import Actors
from tests.integration.builders import create_agreement, create_meeting


def _csv(response: httpx.Response) -> list[list[str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _xlsx(response: httpx.Response) -> list[list[Any]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    return [list(row) for row in book.active.iter_rows(values_only=True)]


async def _scope(
    client: httpx.AsyncClient, admin: dict[str, str], agreement: int, title: str
) -> None:
    response = await client.post(
        f"/api/v1/agreements/{agreement}/scope-items",
        json={"kind": "joint_event", "title": title},
        headers=admin,
    )
    assert response.status_code == 201, response.text


async def test_register_csv_and_xlsx_hold_the_visible_agreements_with_their_details(
    client: httpx.AsyncClient,
    actors: Actors,
    admin: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(register, "BATCH_SIZE", 2)  # three agreements: two batches
    home = await actors.organisation("Dinas Kominfo Sulawesi Selatan")
    partner = await actors.organisation("TVRI Sulawesi Selatan")
    titles = ["Kerja sama siaran", "Kerja sama data", "Kerja sama acara"]
    created = [
        await create_agreement(client, admin, [home, partner], title=t, start_date="2026-01-05")
        for t in titles
    ]
    await _scope(client, admin, created[0]["id"], "Dialog interaktif")
    await _scope(client, admin, created[0]["id"], "Iklan layanan masyarakat")
    await create_meeting(
        client,
        admin,
        created[0]["id"],
        starts_at="2026-03-02T23:30:00",
        ends_at=None,
        timezone="Asia/Makassar",
    )
    foreign = await create_agreement(
        client, admin, [await actors.organisation(), await actors.organisation()], title="Rahasia"
    )
    _, viewer = await actors.user("viewer", home)

    rows = _csv(await client.get("/api/v1/agreements/export.csv", headers=viewer))
    assert rows[0] == [
        "Nomor",
        "Judul",
        "Jenis",
        "Tahap",
        "Para pihak",
        "Tanggal mulai",
        "Tanggal berakhir",
        "Tanggal penandatanganan",
        "Ruang lingkup",
        "Rapat terakhir",
    ]
    assert [r[1] for r in rows[1:]] == list(reversed(titles))  # newest first, like the list
    first = rows[-1]
    assert first[2:5] == [
        "Perjanjian Kerja Sama (PKS)",
        "Draf",
        "Dinas Kominfo Sulawesi Selatan (Pihak Pertama); TVRI Sulawesi Selatan (Pihak Kedua)",
    ]
    assert first[5] == "2026-01-05"
    assert first[8] == "Dialog interaktif; Iklan layanan masyarakat"
    assert first[9] == "2026-03-02"  # the meeting's own date, in WITA
    assert "Rahasia" not in str(rows) and foreign["id"]

    sheet = _xlsx(await client.get("/api/v1/agreements/export.xlsx", headers=viewer))
    assert sheet[0] == rows[0]
    assert [r[1] for r in sheet[1:]] == list(reversed(titles))
    assert sheet[-1][3] == "Draf"


async def test_register_speaks_english_and_honours_the_list_filters(
    client: httpx.AsyncClient, actors: Actors, admin: dict[str, str]
) -> None:
    home, other = await actors.organisation(), await actors.organisation()
    await create_agreement(client, admin, [home, other], title="Siaran bersama")
    await create_agreement(client, admin, [other, await actors.organisation()], title="Data")
    response = await client.get(
        "/api/v1/agreements/export.csv",
        params={"lang": "en", "organisation_id": home, "q": "siaran", "stage": "draft"},
        headers=admin,
    )
    rows = _csv(response)
    assert rows[0][:4] == ["Reference number", "Title", "Kind", "Stage"]
    assert [r[1:4] for r in rows[1:]] == [["Siaran bersama", "Cooperation Agreement", "Draft"]]
    none = await client.get(
        "/api/v1/agreements/export.csv", params={"stage": "active", "q": "siaran"}, headers=admin
    )
    assert _csv(none)[1:] == []


async def test_register_export_defuses_formulas(
    client: httpx.AsyncClient, actors: Actors, admin: dict[str, str]
) -> None:
    organisations = [await actors.organisation(), await actors.organisation()]
    for title in ('=HYPERLINK("http://x")', "+1", "-1", "@SUM(A1)", "Biasa"):
        await create_agreement(client, admin, organisations, title=title)
    params = {"organisation_id": organisations[0]}
    rows = _csv(await client.get("/api/v1/agreements/export.csv", params=params, headers=admin))
    expected = ["Biasa", "'@SUM(A1)", "'-1", "'+1", '\'=HYPERLINK("http://x")']
    assert [r[1] for r in rows[1:]] == expected
    sheet = _xlsx(await client.get("/api/v1/agreements/export.xlsx", params=params, headers=admin))
    assert [r[1] for r in sheet[1:]] == expected


async def test_register_xlsx_holds_text_with_control_characters(
    client: httpx.AsyncClient, actors: Actors, admin: dict[str, str]
) -> None:
    # Found by schemathesis: a title with U+0001 broke the XLSX stream mid-way.
    organisations = [await actors.organisation(), await actors.organisation()]
    await create_agreement(client, admin, organisations, title="Kerja\x01sama")
    params = {"organisation_id": organisations[0]}
    sheet = _xlsx(await client.get("/api/v1/agreements/export.xlsx", params=params, headers=admin))
    assert [r[1] for r in sheet[1:]] == ["Kerja\ufffdsama"]
    rows = _csv(await client.get("/api/v1/agreements/export.csv", params=params, headers=admin))
    assert [r[1] for r in rows[1:]] == ["Kerja\x01sama"]


async def test_register_export_is_not_taken_for_an_agreement_id(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    response = await client.get("/api/v1/agreements/export.csv", headers=admin)
    assert response.status_code == 200
    assert response.headers["content-disposition"] == 'attachment; filename="agreements.csv"'
    bad = await client.get("/api/v1/agreements/export.csv?lang=fr", headers=admin)
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "lang"


async def _attendance_meeting(
    client: httpx.AsyncClient, actors: Actors, admin: dict[str, str]
) -> tuple[int, dict[str, Any]]:
    home = await actors.organisation("Biro Humas")
    agreement = await create_agreement(client, admin, [home, await actors.organisation()])
    meeting = await create_meeting(client, admin, agreement["id"])
    for name, role, attendance in [
        ("Ibu Ani", "chair", "present"),
        ("=Pak Budi", "participant", "excused"),
    ]:
        added = await client.post(
            f"/api/v1/meetings/{meeting['id']}/attendees",
            json={
                "full_name": name,
                "position": "Kepala Bagian",
                "organisation_id": home,
                "role": role,
                "attendance": attendance,
            },
            headers=admin,
        )
        assert added.status_code == 201, added.text
    return home, meeting


async def test_attendance_list_as_csv_and_xlsx(
    client: httpx.AsyncClient, actors: Actors, admin: dict[str, str]
) -> None:
    home, meeting = await _attendance_meeting(client, actors, admin)
    _, viewer = await actors.user("viewer", home)
    url = f"/api/v1/meetings/{meeting['id']}/attendance"
    rows = _csv(await client.get(url + ".csv", headers=viewer))
    assert rows == [
        ["No.", "Nama", "Jabatan", "Instansi", "Peran", "Kehadiran"],
        ["1", "Ibu Ani", "Kepala Bagian", "Biro Humas", "Pimpinan rapat", "Hadir"],
        ["2", "'=Pak Budi", "Kepala Bagian", "Biro Humas", "Peserta", "Izin"],
    ]
    sheet = _xlsx(await client.get(url + ".xlsx", params={"lang": "en"}, headers=viewer))
    assert sheet == [
        ["No.", "Name", "Position", "Organisation", "Role", "Attendance"],
        [1, "Ibu Ani", "Kepala Bagian", "Biro Humas", "Chair", "Present"],
        [2, "'=Pak Budi", "Kepala Bagian", "Biro Humas", "Participant", "Excused"],
    ]


async def test_attendance_list_of_a_foreign_meeting_is_missing(
    client: httpx.AsyncClient, actors: Actors, admin: dict[str, str]
) -> None:
    _, meeting = await _attendance_meeting(client, actors, admin)
    _, stranger = await actors.user("viewer")
    for suffix in ("csv", "xlsx"):
        foreign = await client.get(
            f"/api/v1/meetings/{meeting['id']}/attendance.{suffix}", headers=stranger
        )
        missing = await client.get(
            f"/api/v1/meetings/2000000000/attendance.{suffix}", headers=stranger
        )
        assert foreign.status_code == missing.status_code == 404
        assert foreign.content == missing.content


async def test_open_action_items_of_an_organisation_only_from_visible_meetings(
    client: httpx.AsyncClient,
    actors: Actors,
    admin: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(exports, "BATCH_SIZE", 1)
    home, partner = await actors.organisation(), await actors.organisation()
    mine = await create_agreement(client, admin, [home, partner])
    theirs = await create_agreement(client, admin, [partner, await actors.organisation()])
    visible = await create_meeting(client, admin, mine["id"], title="Rapat kami")
    hidden = await create_meeting(client, admin, theirs["id"], title="Rapat mereka")
    items = [
        (visible, "Kirim naskah", home, None),
        (visible, "Siapkan studio", home, None),
        (visible, "Tugas mitra", partner, None),
        (visible, "Sudah selesai", home, "done"),
        (hidden, "Rahasia", home, None),
    ]
    for meeting, title, owner, status in items:
        made = await client.post(
            f"/api/v1/meetings/{meeting['id']}/action-items",
            json={"title": title, "owner_organisation_id": owner, "due_date": "2026-12-24"},
            headers=admin,
        )
        assert made.status_code == 201, made.text
        if status:
            done = await client.patch(
                f"/api/v1/action-items/{made.json()['id']}", json={"status": status}, headers=admin
            )
            assert done.status_code == 200, done.text
    _, viewer = await actors.user("viewer", home)
    params: dict[str, str | int] = {"organisation_id": home, "lang": "en"}
    rows = _csv(await client.get("/api/v1/action-items/export.csv", params=params, headers=viewer))
    assert rows[0][:3] == ["No.", "Action", "Owner organisation"]
    assert [(r[0], r[1], r[4], r[5], r[6]) for r in rows[1:]] == [
        ("1", "Kirim naskah", "2026-12-24", "Open", "Rapat kami"),
        ("2", "Siapkan studio", "2026-12-24", "Open", "Rapat kami"),
    ]
    sheet = _xlsx(
        await client.get("/api/v1/action-items/export.xlsx", params=params, headers=viewer)
    )
    assert [r[1] for r in sheet[1:]] == ["Kirim naskah", "Siapkan studio"]
    everyone = _csv(await client.get("/api/v1/action-items/export.csv", headers=viewer))
    assert [r[1] for r in everyone[1:]] == ["Kirim naskah", "Siapkan studio", "Tugas mitra"]
