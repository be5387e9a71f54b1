""" "Today" turns over at midnight in the configured zone, not on the server's clock."""

from __future__ import annotations

import datetime as dt

from mou import clock
from mou.settings import Settings


def test_today_is_jakarta_date_while_utc_is_still_yesterday() -> None:
    # 18:30 UTC on 31 December is 01:30 WIB on 1 January.
    late_utc = dt.datetime(2026, 12, 31, 18, 30, tzinfo=dt.UTC)
    assert Settings().timezone == "Asia/Jakarta"
    assert clock.today(late_utc) == dt.date(2027, 1, 1)


def test_today_follows_the_configured_zone() -> None:
    settings = Settings.from_env({"MOU_TIMEZONE": "Asia/Jayapura"})
    assert settings.timezone == "Asia/Jayapura"
    # 15:30 UTC is 00:30 WIT the next day but still 22:30 WIB.
    moment = dt.datetime(2026, 12, 31, 15, 30, tzinfo=dt.UTC)
    assert clock.today(moment, zone=settings.timezone) == dt.date(2027, 1, 1)
    assert clock.today(moment) == dt.date(2026, 12, 31)
