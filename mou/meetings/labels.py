"""What a person reads for a meeting's codes (attendee role, attendance, action item status):
English message ids, translated where printed; the words are the glossary's."""

from __future__ import annotations

from mou.i18n import N_

ATTENDEE_ROLES = {
    "chair": N_("Chair"),
    "speaker": N_("Speaker"),
    "minute_taker": N_("Minute taker"),
    "participant": N_("Participant"),
}
ATTENDANCE = {
    "present": N_("Present"),
    "absent": N_("Absent"),
    "excused": N_("Excused"),
    "represented": N_("Represented"),
}
ACTION_ITEM_STATUSES = {"open": N_("Open"), "done": N_("Done"), "dropped": N_("Dropped")}
