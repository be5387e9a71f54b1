"""Verification codes are unique: ``/verify/<code>`` names one minutes version."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-26T06:06:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Unique index on minutes_version.code."


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="mou", description=DESCRIPTION)

    async def unique_code() -> None:
        # Plain SQL that runs unchanged on SQLite and PostgreSQL (NULLs never collide).
        from mou.db import DB

        await DB.run_ddl("CREATE UNIQUE INDEX minutes_version_code ON minutes_version (code)")

    manager.add_raw(unique_code)
    return manager
