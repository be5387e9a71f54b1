"""Calendar feeds: a user's private, revocable iCalendar address (token stored hashed)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import ForeignKey, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-12-01T16:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Add the calendar_feed table."


class User(Table, tablename="mou_user", schema=None):
    id = Serial(null=False, primary_key=True, unique=False, index=False, schema=None)


def _params(**overrides: object) -> dict[str, object]:
    params: dict[str, object] = {
        "null": False,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
    }
    params.update(overrides)
    return params


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="mou", description=DESCRIPTION)
    manager.add_table(
        class_name="CalendarFeed", tablename="calendar_feed", schema=None, columns=None
    )
    columns: list[tuple[str, str, type, dict[str, object]]] = [
        # Declared as the table declares it, so Piccolo's snapshot agrees with the table class.
        ("id", "Serial", Serial, _params(primary_key=True)),
        (
            "user",
            "ForeignKey",
            ForeignKey,
            _params(
                references=User,
                on_delete=OnDelete.restrict,
                on_update=OnUpdate.cascade,
                target_column=None,
                null=True,
            ),
        ),
        ("name", "Varchar", Varchar, _params(length=100, default="")),
        ("token_hash", "Varchar", Varchar, _params(length=64, default="", unique=True)),
        ("created_at", "Timestamptz", Timestamptz, _params(default=TimestamptzNow())),
        ("revoked_at", "Timestamptz", Timestamptz, _params(default=None, null=True)),
    ]
    for name, class_name, column_class, params in columns:
        manager.add_column(
            table_class_name="CalendarFeed",
            tablename="calendar_feed",
            column_name=name,
            db_column_name=name,
            column_class_name=class_name,
            column_class=column_class,
            params=params,
            schema=None,
        )
    return manager
