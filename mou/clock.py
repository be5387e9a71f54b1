"""What day it is, for rules written in dates (agreement start, end, expiry, reminders).

An office in Medan turns the page at midnight WIB, not at midnight on the server's clock:
on a UTC host that would be seven hours late. Every "today" in the code comes from here.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from mou.settings import get_settings


def today(now: dt.datetime | None = None, *, zone: str | None = None) -> dt.date:
    """The calendar date at ``now`` (default: this instant) in ``zone`` (default: the
    configured ``MOU_TIMEZONE``)."""
    moment = now or dt.datetime.now(dt.UTC)
    return moment.astimezone(ZoneInfo(zone or get_settings().timezone)).date()
