"""A feature's public surface: the names its ``__init__`` exports to other features.

Other features import a feature only through its package (``from mou.agreements import
agreement_require_alive``), its ``tables`` (foreign keys) and its ``schemas`` (types); the
rest of the package is internal, and import-linter holds every feature to it (pyproject.toml).

The exports load on first use, not when the package is imported: importing
``mou.agreements.tables`` or ``mou.meetings.schemas`` runs the package's ``__init__``, and
loading the services there would pull the database layer into the minutes render workers and
import ``mou.policy`` while it is still importing those very tables.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any


def surface_loader(package: str, exports: dict[str, str]) -> Callable[[str], Any]:
    """The module ``__getattr__`` of ``package``: each name in ``exports`` comes from the
    package's module named beside it (``{"parties_of": "selectors"}``)."""

    def load(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(import_module(f"{package}.{module}"), name)

    return load
