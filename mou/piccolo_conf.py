"""Piccolo's configuration: the app registry, and ``DB``, the engine bound to the running app
or command (``mou migrate`` binds the one its settings name before Piccolo looks it up)."""

from piccolo.conf.apps import AppRegistry

from mou.db import DB

APP_REGISTRY = AppRegistry(apps=["mou.piccolo_app"])

__all__ = ["APP_REGISTRY", "DB"]
