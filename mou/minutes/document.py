"""What a minutes PDF says, as plain data: the record of a meeting turned into printed text.

Pure functions, no I/O. The context holds every value the template prints, already formatted
in the document's language, so its canonical JSON is a digest of the document's content.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import segno

from mou import errors
from mou.i18n import N_, day_and_date, long_date, time_span, translations
from mou.labels import MODES
from mou.meetings import schemas as meetings

#: Beyond these, minutes are refused (422) when written, and again before any rendering: they
#: keep a render inside the worker's time and memory limits (see ``bench/minutes.py``).
MAX_ATTENDEES = 2_000
MAX_POINTS = 1_000
MAX_DECISIONS = 500
MAX_ACTION_ITEMS = 500
#: Characters of agenda, discussion points, decisions and action item titles together.
MAX_TEXT_CHARS = 500_000
TOO_LARGE = (
    "The minutes are too large to print: {what} (at most {limit:,}). "
    "Move long material into an attachment of the agreement."
)
TEXT = "characters of agenda, discussion, decisions and action items"


#: The attendance list's remark column: who was not simply present ("Represented by" + name).
ATTENDANCE = {"absent": N_("Absent"), "excused": N_("Excused"), "represented": N_("Represented by")}


class MinutesTooLarge(errors.DomainError):
    status_code = 422
    title = "Minutes too large to print"


@dataclass(frozen=True, slots=True)
class Party:
    name: str
    short_name: str
    address: str


@dataclass(frozen=True, slots=True)
class MinutesRecord:
    """A meeting with what the minutes need from around it."""

    meeting: meetings.Meeting
    agreement_title: str
    parties: list[Party]
    #: Names of the organisations and people that own action items, by id.
    organisation_names: dict[int, str] = field(default_factory=dict)
    person_names: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class MinutesSize:
    """What the render limits count in a meeting's minutes (or in what a write adds to them)."""

    attendees: int = 0
    points: int = 0
    decisions: int = 0
    action_items: int = 0
    text_chars: int = 0

    def __add__(self, other: MinutesSize) -> MinutesSize:
        return MinutesSize(
            self.attendees + other.attendees,
            self.points + other.points,
            self.decisions + other.decisions,
            self.action_items + other.action_items,
            self.text_chars + other.text_chars,
        )


def size_check(size: MinutesSize) -> None:
    """``MinutesTooLarge`` naming the first limit ``size`` exceeds; the one rule for every check."""
    limits = (
        (size.attendees, MAX_ATTENDEES, "attendees"),
        (size.points, MAX_POINTS, "discussion points"),
        (size.decisions, MAX_DECISIONS, "decisions"),
        (size.action_items, MAX_ACTION_ITEMS, "action items"),
        (size.text_chars, MAX_TEXT_CHARS, TEXT),
    )
    for count, limit, what in limits:
        if count > limit:
            raise MinutesTooLarge(TOO_LARGE.format(what=f"{count:,} {what}", limit=limit))


def text_chars(*texts: str) -> int:
    """Characters the text limit counts."""
    return sum(map(len, texts))


def check_size(record: MinutesRecord) -> None:
    """``MinutesTooLarge`` when the record would not print within the render limits.

    Writes are checked already; this catches rows that reached the tables some other way.
    """
    meeting = record.meeting
    texts = [p.text for p in meeting.points] + [d.text for d in meeting.decisions]
    texts += [a.title for a in meeting.action_items] + meeting.agenda
    size_check(
        MinutesSize(
            attendees=len(meeting.attendees),
            points=len(meeting.points),
            decisions=len(meeting.decisions),
            action_items=len(meeting.action_items),
            text_chars=text_chars(*texts),
        )
    )


def _person(attendee: meetings.Attendee | None) -> dict[str, str] | None:
    if attendee is None:
        return None
    return {"name": attendee.full_name, "position": attendee.position}


def _with_role(meeting: meetings.Meeting, role: str) -> meetings.Attendee | None:
    return next((a for a in meeting.attendees if a.role == role), None)


def _attendees(meeting: meetings.Meeting, gettext: Any) -> list[dict[str, Any]]:
    rows = []
    for attendee in meeting.attendees:
        remark = ""
        if attendee.attendance in ATTENDANCE:
            remark = gettext(ATTENDANCE[attendee.attendance])
            if attendee.attendance == "represented" and attendee.represented_by:
                remark = f"{remark} {attendee.represented_by}"
        rows.append(
            {
                "name": attendee.full_name,
                "position": attendee.position,
                "organisation": attendee.organisation_name,
                "remark": remark,
                "signs": attendee.attendance in ("present", "represented"),
            }
        )
    return rows


def _action_items(record: MinutesRecord, language: str) -> list[dict[str, str]]:
    items = []
    for item in record.meeting.action_items:
        owners = [
            record.organisation_names.get(item.owner_organisation_id or 0, ""),
            record.person_names.get(item.owner_person_id or 0, ""),
        ]
        items.append(
            {
                "title": item.title,
                "owner": ", ".join(o for o in owners if o),
                "due": long_date(item.due_date, language) if item.due_date else "",
            }
        )
    return items


def minutes_context(
    record: MinutesRecord,
    *,
    language: str,
    version: int | None,
    reason: str = "",
    created: dt.datetime,
) -> dict[str, Any]:
    """Everything the template prints but the verification footer; ``version`` None: a draft."""
    meeting = record.meeting
    gettext = translations(language).gettext
    speakers = {a.id: a.full_name for a in meeting.attendees}
    chair = _with_role(meeting, "chair")
    return {
        "language": language,
        "draft": version is None,
        "version": version,
        "reason": reason,
        "meeting_id": meeting.id,
        "title": meeting.title,
        "number": meeting.number,
        "agreement_title": record.agreement_title,
        "author": ", ".join(p.short_name or p.name for p in record.parties),
        "subject": f"{gettext('Minutes of meeting')}: {meeting.title}",
        "created": created.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "parties": [{"name": p.name, "address": p.address} for p in record.parties],
        "day_date": day_and_date(meeting.starts_at.date(), language),
        "time": time_span(meeting.starts_at, meeting.ends_at, language),
        "venue": meeting.venue,
        "address": meeting.address,
        "mode": gettext(MODES[meeting.mode]),
        "chair": _person(chair),
        "minute_taker": _person(_with_role(meeting, "minute_taker")),
        "agenda": list(meeting.agenda),
        "points": [
            {"speaker": speakers.get(p.speaker_attendee_id or 0, ""), "text": p.text}
            for p in meeting.points
        ],
        "decisions": [d.text for d in meeting.decisions],
        "action_items": _action_items(record, language),
        "attendees": _attendees(meeting, gettext),
        "verification": None,
    }


def verification_code(context: dict[str, Any]) -> str:
    """SHA-256 of the document's canonical content: what the footer and the QR code carry.

    A PDF cannot print the SHA-256 of its own bytes; this code names the issued document
    instead, and the verification page it opens shows the SHA-256 of the file that was issued.
    """
    content = {k: v for k, v in context.items() if k != "verification"}
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def content_digest(context: dict[str, Any]) -> str:
    """SHA-256 of what a document says, whenever it was rendered (``created`` left out)."""
    return verification_code({k: v for k, v in context.items() if k != "created"})


def with_verification(context: dict[str, Any], *, base_url: str) -> dict[str, Any]:
    """The context of a final version, its footer filled in with the code, URL and QR code."""
    code = verification_code(context)
    url = f"{base_url}/verify/{code}"
    qr = segno.make(url, error="m").svg_data_uri(scale=4, border=0)
    return {**context, "verification": {"code": code, "url": url, "qr": qr}}
