"""Tables of rows as CSV or XLSX bytes, streamed: memory stays flat however many rows come.

Rows arrive as an async iterator of batches (lists of rows), so a feature reads its records
in batches and nothing here holds more than one batch. CSV is written batch by batch.
An XLSX file is a zip that can only be finished at the end: openpyxl's write-only workbook
keeps rows on disk as they are appended, the zip is built into a temporary file in a worker
thread (never on the event loop), and the file is then streamed out in chunks and deleted.

Every text cell is made safe for spreadsheets first (``cell_defused``): a cell beginning with
``=``, ``+``, ``-`` or ``@`` would run as a formula when opened.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import AsyncIterator, Sequence
from typing import Any, Literal

import anyio
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

Format = Literal["csv", "xlsx"]
MEDIA_TYPES: dict[str, str] = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
#: Bytes read from the finished XLSX file per chunk sent.
CHUNK_BYTES = 64 * 1024
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Row = Sequence[Any]
Batches = AsyncIterator[list[Row]]


def cell_defused(value: Any) -> Any:
    """``value`` with a leading apostrophe when it is text a spreadsheet would run as a formula
    (OWASP "CSV injection"); other values unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def _row_defused(row: Row) -> list[Any]:
    return [cell_defused(value) for value in row]


def _xlsx_cell(value: Any) -> Any:
    """``cell_defused``, and without the control characters XML (so XLSX) cannot hold: text
    may contain them, and openpyxl refuses them mid-stream."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    return cell_defused(value)


async def csv_stream(headers: Row, batches: Batches) -> AsyncIterator[bytes]:
    """The header line, then each batch of rows, as UTF-8 CSV with a BOM (so Excel reads it as
    UTF-8) and CRLF line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    yield ("\ufeff" + buffer.getvalue()).encode()
    async for batch in batches:
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(_row_defused(row) for row in batch)
        yield buffer.getvalue().encode()


async def xlsx_stream(headers: Row, batches: Batches, *, sheet: str) -> AsyncIterator[bytes]:
    """One worksheet named ``sheet`` with the header row and every row, as XLSX bytes."""
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(title=sheet[:31])
    worksheet.append(list(headers))

    def append(batch: list[Row]) -> None:
        for row in batch:
            worksheet.append([_xlsx_cell(value) for value in row])

    handle, name = tempfile.mkstemp(prefix="mou-export-", suffix=".xlsx")
    os.close(handle)
    try:
        async for batch in batches:
            await anyio.to_thread.run_sync(append, batch)
        await anyio.to_thread.run_sync(workbook.save, name)
        async with await anyio.open_file(name, "rb") as finished:
            while chunk := await finished.read(CHUNK_BYTES):
                yield chunk
    finally:
        os.unlink(name)


def table_stream(
    fmt: Format, headers: Row, batches: Batches, *, sheet: str
) -> AsyncIterator[bytes]:
    """``csv_stream`` or ``xlsx_stream`` by ``fmt``."""
    if fmt == "xlsx":
        return xlsx_stream(headers, batches, sheet=sheet)
    return csv_stream(headers, batches)
