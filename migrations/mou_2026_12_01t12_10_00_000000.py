"""Rendered draft minutes, cached in the database so every app process reuses one render."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Bytea, Integer, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-01T12:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Cache of rendered draft minutes, by meeting, version, language and content."


def _params(**extra: object) -> dict[str, object]:
    return {
        "null": False,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
        **extra,
    }


COLUMNS = (
    # Declared as the table declares it, so Piccolo's snapshot agrees with the table class.
    ("id", Serial, _params(primary_key=True)),
    ("meeting", Integer, _params(default=0, index=True)),
    ("meeting_version", Integer, _params(default=0)),
    ("language", Varchar, _params(length=5, default="")),
    ("digest", Varchar, _params(length=64, default="")),
    ("pdf", Bytea, _params(default=b"")),
    ("rendered_at", Timestamptz, _params(default=TimestamptzNow())),
)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="mou", description=DESCRIPTION)
    manager.add_table(
        class_name="MinutesDraft", tablename="minutes_draft", schema=None, columns=None
    )
    for name, column_class, params in COLUMNS:
        manager.add_column(
            table_class_name="MinutesDraft",
            tablename="minutes_draft",
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=params,
            schema=None,
        )
    return manager
