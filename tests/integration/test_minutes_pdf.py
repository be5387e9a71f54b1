"""The minutes PDF of the reference case: what it says, in both languages, and how it is built."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from tests.integration.minutes_case import decompressed, load_case, pdf_text, run_tool

ATTENDEES = [
    ("Ilyas Sitorus", "Kepala Dinas Komunikasi dan Informatika"),
    ("Chrystelina", "Kepala Bagian Pelayanan Informasi dan Komunikasi Publik"),
    ("Birgita Yulianti Simbolon", "Spesialis Humas Muda"),
    ("Shantika Embundini Akbari", "Spesialis Humas Muda"),
    ("Faza Agnia", "Data Entry"),
]


async def test_minutes_pdf_says_what_the_meeting_recorded_in_indonesian_and_english(
    client: httpx.AsyncClient, tmp_path: Path
) -> None:
    case = await load_case()
    finalized = await case.finalize(client)
    assert finalized.status_code == 201, finalized.text

    indonesian = await case.download(client, lang="id")
    assert indonesian.status_code == 200, indonesian.text
    text = pdf_text(indonesian.content, tmp_path)
    for expected in (
        "NOTULEN RAPAT",
        "Senin, 23 Oktober 2023",
        "10.00\u201312.00 WIB",
        "Aula Transparansi, Diskominfo Sumut",
        "Jalan HM Said No. 27, Medan",
        "DINAS KOMUNIKASI DAN INFORMATIKA PROVINSI SUMATERA UTARA",
        "KOMISI PEMBERANTASAN KORUPSI REPUBLIK INDONESIA",
        "Pimpinan Rapat",
        "Notulis",
        "Daftar hadir",
        "Tanda tangan",
        "Menyusun draf naskah perjanjian kerja sama",
        "30 November 2023",
    ):
        assert expected in text, expected
    for name, position in ATTENDEES:
        assert name in text and position in text, (name, position)
    assert re.search(r"Halaman 1 dari \d+", text)
    assert f"/verify/{finalized.json()['documents'][0]['code']}" in text

    english = await case.download(client, lang="en")
    text = pdf_text(english.content, tmp_path)
    for expected in ("MINUTES OF MEETING", "Monday, 23 October 2023", "10:00\u201312:00 WIB"):
        assert expected in text, expected
    assert "NOTULEN RAPAT" not in text


async def test_minutes_pdf_is_pdfa_3b_with_every_font_embedded(
    client: httpx.AsyncClient, tmp_path: Path
) -> None:
    case = await load_case()
    assert (await case.finalize(client)).status_code == 201
    for language in ("id", "en"):
        pdf = (await case.download(client, lang=language)).content
        path = tmp_path / f"{language}.pdf"
        path.write_bytes(pdf)
        check = run_tool("qpdf", "--check", str(path))
        assert check.returncode == 0, check.stdout + check.stderr
        xmp = decompressed(pdf, tmp_path)
        # XMP writes properties as attributes or as elements; either declares PDF/A-3b.
        assert re.search(rb'pdfaid:part(="|>)3', xmp), "no PDF/A part in the XMP metadata"
        assert re.search(rb'pdfaid:conformance(="|>)B', xmp), "no PDF/A conformance level"
        fonts = run_tool("pdffonts", str(path)).stdout.splitlines()[2:]
        assert fonts, "the PDF names no fonts"
        # Columns: name, type, encoding, emb, sub, uni, object id.
        assert all(line.split()[-5] == "yes" for line in fonts), fonts
        info = run_tool("pdfinfo", str(path)).stdout
        assert "Title:" in info and "Rapat Perencanaan" in info
        assert re.search(r"Author:\s+Diskominfo Sumut, KPK RI", info)
        assert "Subject:" in info and "CreationDate:" in info


async def test_minutes_draft_carries_a_watermark_and_no_verification(
    client: httpx.AsyncClient, tmp_path: Path
) -> None:
    case = await load_case()
    response = await case.download(client, lang="id")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    disposition = response.headers["content-disposition"]
    assert disposition == (
        f'attachment; filename="notulen-{case.meeting_id}-2023-10-23-draf-id.pdf"'
    )
    text = pdf_text(response.content, tmp_path)
    assert "DRAF · Belum final: dokumen ini tidak dapat diverifikasi." in text
    assert "/verify/" not in text
    pages = watermark_letters(response.content, tmp_path)
    assert pages and all(letters == "ADFR" for letters in pages), pages

    # An unchanged draft is not rendered again; a changed one is.
    assert (await case.download(client, lang="id")).content == response.content
    point = {"text": "Catatan susulan dari notulis"}
    added = await client.post(
        f"/api/v1/meetings/{case.meeting_id}/points", json=point, headers=case.headers["ilyas"]
    )
    assert added.status_code == 201, added.text
    changed = await case.download(client, lang="id")
    assert "Catatan susulan dari notulis" in pdf_text(changed.content, tmp_path)

    english = await case.download(client, lang="en")
    assert "DRAFT · Not final" in pdf_text(english.content, tmp_path)
    assert english.headers["content-disposition"].endswith('-draft-en.pdf"')


def watermark_letters(pdf: bytes, folder: Path) -> list[str]:
    """Per page, the letters set far larger than any text: the watermark, sorted."""
    path = folder / "bbox.pdf"
    path.write_bytes(pdf)
    boxes = run_tool("pdftotext", "-bbox", str(path), "-").stdout
    pages = []
    for page in boxes.split("<page ")[1:]:
        words = re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]+)<', page)
        pages.append("".join(sorted(w for lo, hi, w in words if float(hi) - float(lo) > 60)))
    return pages
