"""The meetings feature's plain SQL, under the policy stated in ``mou.agreements.queries``:
unchanged on both engines, every value an argument, run on both engines by
``tests/integration/test_queries.py``.
"""

from __future__ import annotations

from typing import Any

from mou.meetings.tables import Meeting

# Runs on every write to a meeting's minutes content (the render limits are checked when
# written): seven counts in one round trip instead of seven. No benchmark measures it yet;
# bench/minutes.py measures the renders it protects.
_SIZE_SQL = """
SELECT
  (SELECT COUNT(*) FROM attendee WHERE meeting = {}) AS attendees,
  (SELECT COUNT(*) FROM discussion_point WHERE meeting = {}) AS points,
  (SELECT COUNT(*) FROM decision WHERE meeting = {}) AS decisions,
  (SELECT COUNT(*) FROM action_item WHERE meeting = {}) AS action_items,
  (SELECT COALESCE(SUM(LENGTH(text)), 0) FROM discussion_point WHERE meeting = {})
  + (SELECT COALESCE(SUM(LENGTH(text)), 0) FROM decision WHERE meeting = {})
  + (SELECT COALESCE(SUM(LENGTH(title)), 0) FROM action_item WHERE meeting = {}) AS text_chars
"""


async def meeting_size_row(*, meeting_id: int) -> dict[str, int]:
    """Counts of a meeting's attendees, points, decisions and action items, and the characters
    of their texts (``text_chars``; the agenda not included)."""
    row: dict[str, Any] = (await Meeting.raw(_SIZE_SQL, *[meeting_id] * 7))[0]
    return {name: int(value) for name, value in row.items()}
