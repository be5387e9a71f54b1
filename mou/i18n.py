"""Languages of the documents mou writes: message catalogs, dates and times, via Babel.

Templates carry English message ids (``{{ _("Agenda") }}``); ``mou/locale/<lang>`` holds the
translations as ``.po`` files, compiled in memory on first use, so there is no build step.
"""

from __future__ import annotations

import datetime as dt
import gettext
import io
from functools import cache
from typing import Literal

from babel.dates import format_date, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from mou.settings import PROJECT_ROOT

Language = Literal["id", "en"]
LANGUAGES: tuple[Language, ...] = ("id", "en")
LOCALE = PROJECT_ROOT / "mou" / "locale"
#: Indonesia's zones go by their own abbreviations, in either language.
INDONESIAN_ZONES = frozenset({"WIB", "WITA", "WIT"})
_TIME_PATTERN: dict[str, str] = {"id": "HH.mm", "en": "HH:mm"}


def N_(message: str) -> str:
    """Marks a message id for extraction where it is defined; translated where it is printed."""
    return message


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The message catalog of ``language``; English is the language of the message ids."""
    path = LOCALE / language / "LC_MESSAGES" / "messages.po"
    if language == "en" or not path.exists():
        return gettext.NullTranslations()
    with path.open("rb") as po:
        catalog = read_po(po, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


def day_and_date(value: dt.date, language: str) -> str:
    """The day and date written out: "Senin, 23 Oktober 2023" / "Monday, 23 October 2023"."""
    return format_date(value, "EEEE, d MMMM y", locale=language)


def long_date(value: dt.date, language: str) -> str:
    """The date written out: "23 Oktober 2023" / "23 October 2023"."""
    return format_date(value, "d MMMM y", locale=language)


def zone_label(value: dt.datetime) -> str:
    """WIB, WITA or WIT for Indonesia's zones; otherwise the offset, as "UTC+02:00"."""
    abbreviation = format_time(value, "z", locale="id")
    if abbreviation in INDONESIAN_ZONES:
        return abbreviation
    offset = value.utcoffset() or dt.timedelta(0)
    if not offset:
        return "UTC"
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def time_span(starts: dt.datetime, ends: dt.datetime | None, language: str) -> str:
    """Local start and end times with the zone, joined by an en dash: "10.00-12.00 WIB"."""
    pattern = _TIME_PATTERN.get(language, "HH:mm")
    text = format_time(starts, pattern, locale=language)
    if ends is not None:
        text += "\u2013" + format_time(ends, pattern, locale=language)
    return f"{text} {zone_label(starts)}"
