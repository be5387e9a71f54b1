"""Organisations and the people who work for them.

The public surface for other features (see ``mou.surface``); ``tables`` and ``schemas`` too.
"""

from typing import TYPE_CHECKING

from mou.surface import surface_loader

if TYPE_CHECKING:
    from mou.parties.services import organisation_create

__all__ = ["organisation_create"]
__getattr__ = surface_loader(__name__, {"organisation_create": "services"})
