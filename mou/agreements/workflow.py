"""The agreement stage machine, as pure data and functions (no I/O)."""

from __future__ import annotations

STAGES = ("draft", "review", "approved", "signed", "active", "expired", "terminated", "cancelled")
#: Stages after which nothing changes except through renewal.
CLOSED_STAGES = frozenset({"expired", "terminated", "cancelled"})
#: The only stage in which an agreement's own fields may change.
EDITABLE_STAGES = frozenset({"draft"})


def is_alive(stage: str) -> bool:
    """Scope progress, meetings and action items may still change."""
    return stage not in CLOSED_STAGES


def is_editable(stage: str) -> bool:
    return stage in EDITABLE_STAGES
