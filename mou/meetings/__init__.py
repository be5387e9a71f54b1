"""Meetings of an agreement: attendees, discussion, decisions and action items.

The public surface for other features (see ``mou.surface``); ``tables`` and ``schemas`` too.
"""

from typing import TYPE_CHECKING

from mou.surface import surface_loader

if TYPE_CHECKING:
    from mou.meetings.selectors import (
        meeting_get,
        meeting_list,
        meetings_upcoming,
        visible_meetings_clause,
    )

__all__ = ["meeting_get", "meeting_list", "meetings_upcoming", "visible_meetings_clause"]
__getattr__ = surface_loader(
    __name__,
    {
        "meeting_get": "selectors",
        "meeting_list": "selectors",
        "meetings_upcoming": "selectors",
        "visible_meetings_clause": "selectors",
    },
)
