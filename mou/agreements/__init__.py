"""Agreements, their parties and scope, and the stages they pass through.

The public surface for other features (see ``mou.surface``); ``tables`` and ``schemas`` too.
"""

from typing import TYPE_CHECKING

from mou.surface import surface_loader

if TYPE_CHECKING:
    from mou.agreements.selectors import parties_of
    from mou.agreements.services import agreement_require_alive

__all__ = ["agreement_require_alive", "parties_of"]
__getattr__ = surface_loader(
    __name__, {"agreement_require_alive": "services", "parties_of": "selectors"}
)
