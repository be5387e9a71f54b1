"""The verification code printed on each minutes version, looked up by ``/verify/<code>``."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-26T06:05:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "minutes_version.code: the verification code printed in the PDF footer."


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="mou", description=DESCRIPTION)
    manager.add_column(
        table_class_name="MinutesVersion",
        tablename="minutes_version",
        column_name="code",
        db_column_name="code",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 64,
            "default": None,
            "null": True,
            "primary_key": False,
            # SQLite cannot add a UNIQUE column: the next migration adds a unique index.
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
