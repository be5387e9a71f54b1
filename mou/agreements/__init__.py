"""Agreements, their parties and scope, and the stages they pass through.

The public surface for other features (see ``mou.surface``); ``tables`` and ``schemas`` too.
"""

from typing import TYPE_CHECKING

from mou.surface import surface_loader

if TYPE_CHECKING:
    from mou.agreements.listing import agreement_list
    from mou.agreements.selectors import approvals_waiting, parties_of
    from mou.agreements.services import agreement_require_alive
    from mou.agreements.tick import agreements_tick
    from mou.agreements.workflow import ACTIONS, Decision

__all__ = [
    "ACTIONS",
    "Decision",
    "agreement_list",
    "agreement_require_alive",
    "agreements_tick",
    "approvals_waiting",
    "parties_of",
]
__getattr__ = surface_loader(
    __name__,
    {
        "ACTIONS": "workflow",
        "Decision": "workflow",
        "agreement_list": "listing",
        "agreement_require_alive": "services",
        "agreements_tick": "tick",
        "approvals_waiting": "selectors",
        "parties_of": "selectors",
    },
)
