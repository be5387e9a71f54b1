"""The job queue of procrastinate (PostgreSQL only; SQLite runs jobs inside the app).

Applies the schema of the procrastinate version ``requirements.lock`` pins, once: a database
that already has ``procrastinate_jobs`` is left alone. Upgrading procrastinate later means a
new migration running its own SQL migrations (``procrastinate.sql.migrations``).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-01T17:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "procrastinate's job tables and functions (PostgreSQL only)."


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="mou", description=DESCRIPTION)

    async def job_schema() -> None:
        engine = engine_finder()
        if engine.engine_type != "postgres":
            return
        present = await engine.run_ddl("SELECT to_regclass('procrastinate_jobs') AS name")
        if present and present[0]["name"]:
            return
        from procrastinate.schema import SchemaManager

        # A script of many statements: asyncpg runs it with the simple protocol, on the
        # connection of the migration's transaction when there is one.
        transaction = engine.current_transaction.get()
        if transaction is not None:
            await transaction.connection.execute(SchemaManager.get_schema())
            return
        connection = await engine.get_new_connection()
        try:
            await connection.execute(SchemaManager.get_schema())
        finally:
            await connection.close()

    manager.add_raw(job_schema)
    return manager
