"""The agreement register as a table (CSV or XLSX), streamed in batches.

The rows are exactly the list's (``listing.agreement_filters``: the caller's visibility and the
same filters), newest first, read ``BATCH_SIZE`` at a time by keyset on the id, so memory does
not grow with the register (``bench/export.py`` measures it).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any
from zoneinfo import ZoneInfo

from mou.accounts.schemas import CurrentUser
from mou.agreements.labels import KINDS, PARTY_ROLES, STAGES
from mou.agreements.listing import agreement_filters
from mou.agreements.selectors import parties_of
from mou.agreements.tables import Agreement
from mou.i18n import N_, translations
from mou.schemas import MAX_ID
from mou.tabular import Format, Row, table_stream

#: Agreements read per query; tests inject a small one to cross batch borders.
BATCH_SIZE = 500
HEADERS = (
    N_("Reference number"),
    N_("Title"),
    N_("Kind"),
    N_("Stage"),
    N_("Parties"),
    N_("Start date"),
    N_("End date"),
    N_("Signed on"),
    N_("Scope"),
    N_("Last meeting"),
)
SHEET = N_("Agreements")
_BATCH_SQL = """
SELECT a.id, a.reference_number, a.title, a.kind, a.stage, a.start_date, a.end_date, a.signed_on
FROM agreement a
WHERE {where} AND a.id <= {{}}
ORDER BY a.id DESC
LIMIT {{}}
"""
_SCOPE_SQL = (
    "SELECT agreement, title FROM scope_item WHERE agreement IN ({ids}) "
    "ORDER BY agreement, position, id"
)
_MEETINGS_SQL = "SELECT agreement, starts_at, timezone FROM meeting WHERE agreement IN ({ids})"


def _marks(ids: list[int]) -> str:
    return ", ".join(["{}"] * len(ids))


async def _scope_titles(ids: list[int]) -> dict[int, list[str]]:
    titles: dict[int, list[str]] = defaultdict(list)
    for row in await Agreement.raw(_SCOPE_SQL.format(ids=_marks(ids)), *ids):
        titles[row["agreement"]].append(row["title"])
    return titles


async def _last_meetings(ids: list[int]) -> dict[int, dt.date]:
    """The date (in its own zone) of each agreement's latest meeting."""
    latest: dict[int, dt.datetime] = {}
    for row in await Agreement.raw(_MEETINGS_SQL.format(ids=_marks(ids)), *ids):
        starts = row["starts_at"].astimezone(ZoneInfo(row["timezone"]))
        if row["agreement"] not in latest or starts > latest[row["agreement"]]:
            latest[row["agreement"]] = starts
    return {agreement: starts.date() for agreement, starts in latest.items()}


async def _register_batches(
    user: CurrentUser, filters: dict[str, Any], language: str
) -> AsyncIterator[list[Row]]:
    gettext = translations(language).gettext
    where, args = await agreement_filters(user, **filters)
    # The ids are 32-bit on PostgreSQL: the cursor starts at the largest, not past it.
    sql, at_most = _BATCH_SQL.format(where=where), MAX_ID
    while rows := await Agreement.raw(sql, *args, at_most, BATCH_SIZE):
        ids = [row["id"] for row in rows]
        parties, scope, meetings = (
            await parties_of(ids),
            await _scope_titles(ids),
            await _last_meetings(ids),
        )
        yield [
            (
                row["reference_number"],
                row["title"],
                gettext(KINDS[row["kind"]]),
                gettext(STAGES[row["stage"]]),
                "; ".join(
                    f"{p['organisation_name']} ({gettext(PARTY_ROLES[p['role']])})"
                    for p in parties[row["id"]]
                ),
                row["start_date"],
                row["end_date"],
                row["signed_on"],
                "; ".join(scope[row["id"]]),
                meetings.get(row["id"]),
            )
            for row in rows
        ]
        at_most = ids[-1] - 1


def agreement_register_export(
    *,
    user: CurrentUser,
    fmt: Format,
    language: str,
    stage: str | None = None,
    organisation_id: int | None = None,
    q: str | None = None,
    expiring_within_days: int | None = None,
) -> AsyncIterator[bytes]:
    """The register of the agreements ``user`` sees, filtered like the list, as file bytes.
    Headers and codes are written in ``language``."""
    filters = {
        "stage": stage,
        "organisation_id": organisation_id,
        "q": q,
        "expiring_within_days": expiring_within_days,
    }
    gettext = translations(language).gettext
    return table_stream(
        fmt,
        [gettext(h) for h in HEADERS],
        _register_batches(user, filters, language),
        sheet=gettext(SHEET),
    )
