"""requirements.lock pins every dependency pyproject.toml declares (``./dev lock`` rewrites it)."""

from __future__ import annotations

import re
import tomllib

from tests.integration.processes import PROJECT


def _name(requirement: str) -> str:
    """PEP 503 normal form of a requirement's project name."""
    match = re.match(r"[A-Za-z0-9._-]+", requirement)
    assert match, requirement
    return re.sub(r"[-_.]+", "-", match.group(0)).lower()


def test_lock_pins_an_exact_version_of_every_declared_dependency() -> None:
    project = tomllib.loads((PROJECT / "pyproject.toml").read_text())["project"]
    declared = {_name(r) for r in project["dependencies"] + project["optional-dependencies"]["dev"]}
    pinned = {
        _name(line): line
        for line in (PROJECT / "requirements.lock").read_text().splitlines()
        if line and not line.startswith("#")
    }
    assert all(re.fullmatch(r"[A-Za-z0-9._-]+==[^=\s]+", line) for line in pinned.values())
    assert declared <= pinned.keys(), declared - pinned.keys()
