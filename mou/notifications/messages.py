"""What each kind of notification says, in the recipient's language.

Message ids are English (``N_``); ``mou/locale/id`` translates them, like the minutes. A
notification is written out in its recipient's language when it is created, so the list and
the mail say the same thing even if the wording changes later.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mou.i18n import N_, translations

SUBJECTS: dict[str, str] = {
    "agreement_submitted": N_("Agreement submitted for approval: {title}"),
    "agreement_approved_party": N_("Agreement approved by one party: {title}"),
    "agreement_approved_all": N_("Agreement approved by all parties: {title}"),
    "agreement_returned": N_("Agreement returned: {title}"),
    "agreement_signed": N_("Agreement signed: {title}"),
    "agreement_activated": N_("Agreement in force: {title}"),
    "agreement_expired": N_("Agreement expired: {title}"),
    "agreement_terminated": N_("Agreement terminated: {title}"),
    "minutes_finalized": N_("Minutes finalized: {title}"),
    "action_item_assigned": N_("Action item assigned to you: {title}"),
    "reminder_agreement_ending": N_("Agreement ends within {days} days: {title}"),
    "reminder_action_item_due": N_("Action item due tomorrow: {title}"),
    "reminder_action_item_overdue": N_("Action item overdue since {due}: {title}"),
    "reminder_minutes_draft": N_("Minutes still in draft: {title}"),
    "reminder_approval_waiting": N_("Approval waiting for more than {days} days: {title}"),
}
#: Every kind a notification may have (users mute kinds by these names).
KINDS = tuple(SUBJECTS)
REASON = N_("Reason: {reason}")
VERIFY = N_("Verify the minutes: {url}")
OPEN = N_("Open: {link}")


@dataclass(frozen=True, slots=True)
class Message:
    subject: str
    body: str


def message_compose(
    *, kind: str, language: str, link: str, details: dict[str, Any], extra: list[str]
) -> Message:
    """The subject and body of a ``kind`` notification in ``language``.

    ``details`` fill the subject's placeholders; ``extra`` are lines (already translated)
    between the subject and the link.
    """
    gettext = translations(language).gettext
    subject = gettext(SUBJECTS[kind]).format(**details)
    lines = [subject, "", *extra]
    if link:
        lines += ["", gettext(OPEN).format(link=link)]
    return Message(subject=subject[:300], body="\n".join(lines).strip() + "\n")


def line_translate(message: str, language: str, **values: Any) -> str:
    """One extra line (``REASON``, ``VERIFY``) in ``language``."""
    return translations(language).gettext(message).format(**values)
