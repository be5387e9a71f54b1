"""Piccolo's configuration: the engine named by ``MOU_DATABASE_URL`` and the app registry."""

from piccolo.conf.apps import AppRegistry

from mou.db import DB

APP_REGISTRY = AppRegistry(apps=["mou.piccolo_app"])

__all__ = ["APP_REGISTRY", "DB"]
