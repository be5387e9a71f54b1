"""Meeting records as tables (CSV or XLSX): the attendance list (daftar hadir) of a meeting,
and the open action items, optionally of one owning organisation.

Both answer only meetings the caller may see: the attendance list is checked before a byte
is sent (an invisible meeting is a 404 like a missing one), action items are filtered by the
same clause as every meeting read.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from zoneinfo import ZoneInfo

from mou.accounts.schemas import CurrentUser
from mou.i18n import N_, translations
from mou.meetings.labels import ACTION_ITEM_STATUSES, ATTENDANCE, ATTENDEE_ROLES
from mou.meetings.selectors import ATTENDEE_COLUMNS, meeting_get, visible_meetings_clause
from mou.meetings.tables import ActionItem, Attendee, Meeting
from mou.tabular import Format, Row, table_stream

#: Action items read per query; tests inject a small one to cross batch borders.
BATCH_SIZE = 500
ATTENDANCE_HEADERS = (
    N_("No."),
    N_("Name"),
    N_("Position"),
    N_("Organisation"),
    N_("Role"),
    N_("Attendance"),
)
ATTENDANCE_SHEET = N_("Attendance list")
ACTION_HEADERS = (
    N_("No."),
    N_("Action"),
    N_("Owner organisation"),
    N_("Owner"),
    N_("Due"),
    N_("Status"),
    N_("Meeting"),
    N_("Meeting date"),
    N_("Agreement"),
)
ACTION_SHEET = N_("Action items")
ACTION_COLUMNS = (
    ActionItem.id,
    ActionItem.title,
    ActionItem.owner_organisation.name.as_alias("organisation"),
    ActionItem.owner_person.full_name.as_alias("person"),
    ActionItem.due_date,
    ActionItem.status,
    ActionItem.meeting.title.as_alias("meeting"),
    ActionItem.meeting.starts_at.as_alias("starts_at"),
    ActionItem.meeting.timezone.as_alias("timezone"),
    ActionItem.meeting._.agreement._.title.as_alias("agreement"),
)


async def _attendance_rows(meeting_id: int, language: str) -> AsyncIterator[list[Row]]:
    gettext = translations(language).gettext
    attendees = (
        await Attendee.select(*ATTENDEE_COLUMNS)
        .where(Attendee.meeting == meeting_id)
        .order_by(Attendee.position)
        .order_by(Attendee.id)
    )
    yield [
        (
            number,
            a["full_name"],
            a["position"],
            a["organisation_name"],
            gettext(ATTENDEE_ROLES[a["role"]]),
            gettext(ATTENDANCE[a["attendance"]]),
        )
        for number, a in enumerate(attendees, start=1)
    ]


async def attendance_export(
    *, user: CurrentUser, meeting_id: int, fmt: Format, language: str
) -> AsyncIterator[bytes]:
    """The meeting's attendance list as file bytes; ``NotFound`` (raised here, before any byte)
    when the meeting is absent or not visible to ``user``."""
    await meeting_get(user=user, meeting_id=meeting_id)
    gettext = translations(language).gettext
    return table_stream(
        fmt,
        [gettext(h) for h in ATTENDANCE_HEADERS],
        _attendance_rows(meeting_id, language),
        sheet=gettext(ATTENDANCE_SHEET),
    )


def _action_row(number: int, item: dict[str, Any], gettext: Any) -> Row:
    starts = item["starts_at"].astimezone(ZoneInfo(item["timezone"]))
    return (
        number,
        item["title"],
        item["organisation"] or "",
        item["person"] or "",
        item["due_date"],
        gettext(ACTION_ITEM_STATUSES[item["status"]]),
        item["meeting"],
        starts.date(),
        item["agreement"],
    )


async def _action_rows(
    user: CurrentUser, organisation_id: int | None, language: str
) -> AsyncIterator[list[Row]]:
    gettext = translations(language).gettext
    where: Any = ActionItem.status == "open"
    if organisation_id is not None:
        where &= ActionItem.owner_organisation == organisation_id
    clause = await visible_meetings_clause(user)
    if clause is not None:
        where &= ActionItem.meeting.is_in(Meeting.select(Meeting.id).where(clause))
    after, number = 0, 0
    while (
        items := await ActionItem.select(*ACTION_COLUMNS)
        .where(where & (ActionItem.id > after))
        .order_by(ActionItem.id)
        .limit(BATCH_SIZE)
    ):
        rows = []
        for item in items:
            number += 1
            rows.append(_action_row(number, item, gettext))
        yield rows
        after = items[-1]["id"]


def action_items_export(
    *, user: CurrentUser, organisation_id: int | None, fmt: Format, language: str
) -> AsyncIterator[bytes]:
    """Open action items of meetings ``user`` sees (of ``organisation_id`` when given), oldest
    first, as file bytes."""
    gettext = translations(language).gettext
    return table_stream(
        fmt,
        [gettext(h) for h in ACTION_HEADERS],
        _action_rows(user, organisation_id, language),
        sheet=gettext(ACTION_SHEET),
    )
