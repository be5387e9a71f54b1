"""Piccolo's configuration: the app registry, and ``DB``, the engine bound to the running app
or command (``mou migrate`` binds the one its settings name).

Imported by Piccolo's own command line (``piccolo migrations ...``), where nothing is bound:
then it binds the environment's settings for the rest of that process.
"""

import contextlib

from piccolo.conf.apps import AppRegistry

from mou.db import DB, engine_current, runtime_bound
from mou.settings import get_settings

APP_REGISTRY = AppRegistry(apps=["mou.piccolo_app"])

_COMMAND_LINE = contextlib.ExitStack()
try:
    engine_current()
except RuntimeError:
    _COMMAND_LINE.enter_context(runtime_bound(get_settings()))

__all__ = ["APP_REGISTRY", "DB"]
