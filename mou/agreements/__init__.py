"""Agreements, their parties and scope, and the stages they pass through.

The public surface for other features (see ``mou.surface``); ``tables`` and ``schemas`` too.
"""

from typing import TYPE_CHECKING

from mou.surface import surface_loader

if TYPE_CHECKING:
    from mou.agreements.selectors import parties_of
    from mou.agreements.services import agreement_require_alive
    from mou.agreements.tick import agreements_tick
    from mou.agreements.workflow import ACTIONS, Decision

__all__ = ["ACTIONS", "Decision", "agreement_require_alive", "agreements_tick", "parties_of"]
__getattr__ = surface_loader(
    __name__,
    {
        "ACTIONS": "workflow",
        "Decision": "workflow",
        "agreement_require_alive": "services",
        "agreements_tick": "tick",
        "parties_of": "selectors",
    },
)
