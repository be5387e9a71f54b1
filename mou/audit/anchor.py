"""The chain's head, kept where the database cannot rewrite it.

Whoever can write the database can recompute every hash in the chain, so the chain alone proves
only that it is consistent. A head (the hash of event number ``count``) written down outside the
database fixes everything up to that event: ``mou audit verify`` prints one on every run, appends
it to an anchor file when asked, and fails when the chain no longer reaches an anchored head.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

BAD_EXPECTED_HEAD = (
    "give HASH:COUNT, the 64 hex digits and the event count of a head printed by an earlier verify"
)
BAD_ANCHOR_FILE = "{path}: its last line names no head (expected '... head: HASH count: N')"

_LINE = re.compile(r"head: ([0-9a-f]{64}) count: (\d+)\s*$")
_EXPECTED = re.compile(r"([0-9a-f]{64}):(\d+)")


@dataclass(frozen=True, slots=True)
class Anchor:
    """The chain had ``count`` events and the last one's hash was ``hash``."""

    count: int
    hash: str

    def line(self) -> str:
        return f"head: {self.hash} count: {self.count}"


def anchor_parse(text: str) -> Anchor:
    """``HASH:COUNT`` as given to ``--expect-head``; ``ValueError`` otherwise."""
    match = _EXPECTED.fullmatch(text.strip().lower())
    if match is None:
        raise ValueError(BAD_EXPECTED_HEAD)
    return Anchor(count=int(match[2]), hash=match[1])


def anchor_read(path: Path) -> Anchor | None:
    """The last head written to ``path``; None when the file is missing or empty."""
    if not path.exists():
        return None
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if not lines:
        return None
    match = _LINE.search(lines[-1])
    if match is None:
        raise ValueError(BAD_ANCHOR_FILE.format(path=path))
    return Anchor(count=int(match[2]), hash=match[1])


def anchor_append(path: Path, anchor: Anchor) -> None:
    """Add ``anchor`` to ``path`` with the time, as one line; never rewrites what is there."""
    at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    with path.open("a", encoding="utf-8") as file:
        file.write(f"{at} {anchor.line()}\n")
