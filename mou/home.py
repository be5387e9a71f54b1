"""The home page: what needs the caller today, gathered from each feature's public surface
(``mou.agreements``, ``mou.meetings``)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Controller, get
from litestar.response import Template

from mou import clock
from mou.agreements import agreement_list, approvals_waiting
from mou.agreements.schemas import WaitingApprovalPage
from mou.caller import MANAGERS
from mou.meetings import meetings_upcoming
from mou.meetings.schemas import MeetingSummary
from mou.pages import page
from mou.settings import get_settings
from mou.web.params import Caller

#: Agreements whose end date falls within this many days are listed as ending soon.
ENDING_WITHIN_DAYS = 90
HOME_ROWS = 20


def meetings_by_when(meetings: list[MeetingSummary], today: dt.date) -> dict[str, list[Any]]:
    """Meetings split into today, the next seven days, and later (each in its own zone)."""
    groups: dict[str, list[Any]] = {"today": [], "week": [], "later": []}
    for meeting in meetings:
        day = meeting.starts_at.date()
        key = "today" if day <= today else "week" if day < today + dt.timedelta(days=7) else "later"
        groups[key].append(meeting)
    return groups


def days_waited(waiting: WaitingApprovalPage | None, today: dt.date) -> dict[int, int]:
    """Whole days each waiting party has waited (by party id), counted in the office's
    calendar: what went into review yesterday evening has waited one day this morning."""
    if waiting is None:
        return {}
    return {
        item.party_id: (today - clock.today(item.waiting_since)).days
        for item in waiting.items
        if item.waiting_since is not None
    }


class HomePage(Controller):
    include_in_schema = False

    @get("/")
    async def home_page(self, request: Caller) -> Template:
        user = request.user
        today = clock.today()
        midnight = dt.datetime.combine(today, dt.time(), ZoneInfo(get_settings().timezone))
        waiting = (
            await approvals_waiting(user=user, limit=HOME_ROWS, offset=0)
            if user.role in MANAGERS
            else None
        )
        meetings = await meetings_upcoming(user=user, since=midnight, limit=HOME_ROWS)
        ending = await agreement_list(
            user=user, limit=HOME_ROWS, offset=0, expiring_within_days=ENDING_WITHIN_DAYS
        )
        return page(
            request,
            "home.html",
            {
                "waiting": waiting,
                "waited": days_waited(waiting, today),
                "today": today,
                "meetings": meetings_by_when(meetings, today),
                "ending": ending,
                "ending_within": ENDING_WITHIN_DAYS,
            },
        )
