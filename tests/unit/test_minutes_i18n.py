"""Dates, times and words of the minutes in Indonesian and English."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file

from mou.i18n import day_and_date, time_span, translations, zone_label
from mou.minutes.document import verification_code
from mou.settings import PROJECT_ROOT

MEETING = dt.datetime(2023, 10, 23, 10, 0, tzinfo=ZoneInfo("Asia/Jakarta"))


def test_minutes_dates_are_written_out_in_each_language() -> None:
    assert day_and_date(MEETING.date(), "id") == "Senin, 23 Oktober 2023"
    assert day_and_date(MEETING.date(), "en") == "Monday, 23 October 2023"
    ends = MEETING + dt.timedelta(hours=2)
    assert time_span(MEETING, ends, "id") == "10.00\u201312.00 WIB"
    assert time_span(MEETING, ends, "en") == "10:00\u201312:00 WIB"
    assert time_span(MEETING, None, "id") == "10.00 WIB"


@pytest.mark.parametrize(
    ("zone", "label"),
    [
        ("Asia/Jakarta", "WIB"),
        ("Asia/Pontianak", "WIB"),
        ("Asia/Makassar", "WITA"),
        ("Asia/Jayapura", "WIT"),
        ("Europe/Amsterdam", "UTC+01:00"),
        ("America/St_Johns", "UTC-03:30"),
        ("UTC", "UTC"),
    ],
)
def test_minutes_time_zone_labels(zone: str, label: str) -> None:
    winter = dt.datetime(2024, 1, 15, 9, 0, tzinfo=ZoneInfo(zone))
    assert zone_label(winter) == label


def _singular(message: str | tuple[str, ...]) -> str:
    """Babel gives a plural message as a tuple of forms; the minutes use none."""
    assert isinstance(message, str), f"plural message {message!r}: not checked here"
    return message


def _message_ids() -> set[str]:
    keywords = {**DEFAULT_KEYWORDS, "N_": None}
    ids: set[str] = set()
    for path in ("templates/pdf/minutes.html", "templates/minutes/verify.html"):
        found = extract_from_file("jinja2.ext:babel_extract", PROJECT_ROOT / path)
        ids |= {_singular(message) for _, message, _, _ in found}
    for path in ("mou/minutes/document.py", "mou/minutes/pages.py", "mou/labels.py"):
        found = extract_from_file("python", PROJECT_ROOT / path, keywords=keywords)
        ids |= {_singular(message) for _, message, _, _ in found}
    return ids


def test_minutes_every_message_has_an_indonesian_translation() -> None:
    ids = _message_ids()
    assert {"MINUTES OF MEETING", "In person", "Indonesian"} <= ids
    indonesian = translations("id")
    missing = sorted(
        m for m in ids if indonesian.gettext(m) == m and m not in {"No.", "Administrator", "Final"}
    )
    assert missing == []
    assert indonesian.gettext("MINUTES OF MEETING") == "NOTULEN RAPAT"
    assert translations("en").gettext("MINUTES OF MEETING") == "MINUTES OF MEETING"


def test_minutes_verification_code_names_the_content() -> None:
    context = {"title": "Rapat", "version": 1, "verification": None}
    code = verification_code(context)
    assert len(code) == 64 and code == verification_code({**context, "verification": {"x": 1}})
    assert code != verification_code({**context, "version": 2})
    assert code != verification_code({**context, "title": "Rapat."})
