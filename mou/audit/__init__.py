"""The append-only, hash-chained audit trail.

The public surface for other features (see ``mou.surface``); ``tables`` too.
"""

from typing import TYPE_CHECKING

from mou.surface import surface_loader

if TYPE_CHECKING:
    from mou.audit.services import audit_record

__all__ = ["audit_record"]
__getattr__ = surface_loader(__name__, {"audit_record": "services"})
