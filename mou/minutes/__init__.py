"""Minutes of meetings: rendered PDFs, immutable versions, verification.

The public surface for other features (see ``mou.surface``); ``tables`` and ``schemas`` too.
Meetings measure their content with the minutes' own yardstick (``document``, pure).
"""

from typing import TYPE_CHECKING

from mou.surface import surface_loader

if TYPE_CHECKING:
    from mou.minutes.document import MinutesSize, size_check, text_chars

__all__ = ["MinutesSize", "size_check", "text_chars"]
__getattr__ = surface_loader(
    __name__, {"MinutesSize": "document", "size_check": "document", "text_chars": "document"}
)
