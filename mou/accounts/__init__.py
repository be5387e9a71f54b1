"""Users, their API tokens and web sessions.

The public surface for other features (see ``mou.surface``); ``tables`` and ``schemas`` too.
The caller is ``mou.caller``'s.
"""

from typing import TYPE_CHECKING

from mou.surface import surface_loader

if TYPE_CHECKING:
    from mou.accounts.selectors import current_user, token_digest

__all__ = ["current_user", "token_digest"]
__getattr__ = surface_loader(__name__, {"current_user": "selectors", "token_digest": "selectors"})
