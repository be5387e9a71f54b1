"""What a person reads for each code: one mapping from code to message id, for every surface.

Each feature keeps the labels of its own codes (``agreements.labels``, ``meetings.labels``);
this module gathers them with the rest into ``LABELS``, the one table pages look codes up in.

Pages, the minutes PDF and exports print ``label(kind, code, gettext)``, never the code itself
(``draft`` reads "Draf" / "Draft"). The message ids are English and translated through the
catalogues in ``mou/locale``; the words follow the shared glossary.
"""

from __future__ import annotations

from collections.abc import Callable

from mou.agreements.labels import KINDS as AGREEMENT_KINDS
from mou.agreements.labels import PARTY_ROLES, STAGES
from mou.i18n import N_
from mou.meetings.labels import ACTION_ITEM_STATUSES, ATTENDANCE, ATTENDEE_ROLES

#: The buttons of the agreement workflow (``expire`` is the system's own and has none).
ACTIONS = {
    "submit": N_("Submit"),
    "return": N_("Return"),
    "approve": N_("Approve"),
    "sign": N_("Sign"),
    "activate": N_("Activate"),
    "expire": N_("Expire"),
    "terminate": N_("Terminate"),
    "cancel": N_("Cancel"),
    "renew": N_("Renew"),
}
SCOPE_KINDS = {
    "information_sharing": N_("Information sharing"),
    "media_channel_sharing": N_("Media channel sharing"),
    "co_produced_content": N_("Co-produced content (PSA)"),
    "joint_event": N_("Joint event"),
    "capacity_building": N_("Capacity building"),
    "data_exchange": N_("Data exchange"),
    "other": N_("Other"),
}
SCOPE_STATUSES = {
    "planned": N_("Planned"),
    "in_progress": N_("In progress"),
    "done": N_("Done"),
    "dropped": N_("Dropped"),
}
ROLES = {
    "admin": N_("Administrator"),
    "manager": N_("Manager"),
    "liaison": N_("Liaison officer"),
    "viewer": N_("Partner representative"),
}
MEETING_KINDS = {
    "planning": N_("Planning"),
    "coordination": N_("Coordination"),
    "signing": N_("Signing"),
    "review": N_("Review"),
}
#: The minutes PDF prints these too; "hybrid" says what it means there.
MODES = {
    "in_person": N_("In person"),
    "online": N_("Online"),
    "hybrid": N_("Hybrid (in person and online)"),
}
MINUTES_STATUSES = {"draft": N_("Draft"), "final": N_("Final")}
LANGUAGES = {"id": N_("Indonesian"), "en": N_("English")}

LABELS: dict[str, dict[str, str]] = {
    "stage": STAGES,
    "agreement_kind": AGREEMENT_KINDS,
    "action": ACTIONS,
    "party_role": PARTY_ROLES,
    "scope_kind": SCOPE_KINDS,
    "scope_status": SCOPE_STATUSES,
    "role": ROLES,
    "meeting_kind": MEETING_KINDS,
    "mode": MODES,
    "attendance": ATTENDANCE,
    "attendee_role": ATTENDEE_ROLES,
    "action_item_status": ACTION_ITEM_STATUSES,
    "minutes_status": MINUTES_STATUSES,
    "language": LANGUAGES,
}


def label(kind: str, code: str, gettext: Callable[[str], str]) -> str:
    """The translated label of ``code``; an unknown code is printed as it is (never a 500)."""
    message = LABELS[kind].get(code)
    return gettext(message) if message is not None else code
