"""What a person reads for an agreement's codes (stage, kind, party role): English message ids,
translated where printed (``mou.i18n.translations``); the words are the glossary's."""

from __future__ import annotations

from mou.i18n import N_

STAGES = {
    "draft": N_("Draft"),
    "review": N_("In review"),
    "approved": N_("Approved"),
    "signed": N_("Signed"),
    "active": N_("Active"),
    "expired": N_("Expired"),
    "terminated": N_("Terminated"),
    "cancelled": N_("Cancelled"),
}
KINDS = {
    "mou": N_("Memorandum of Understanding"),
    "pks": N_("Cooperation Agreement"),
    "loi": N_("Letter of Intent"),
    "implementing_arrangement": N_("Implementing Arrangement"),
}
PARTY_ROLES = {
    "first_party": N_("First party"),
    "second_party": N_("Second party"),
    "party": N_("Party"),
    "witness": N_("Witness"),
}
