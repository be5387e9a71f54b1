"""Apply the migrations in ``migrations/`` to the configured database, and check that they
still describe the tables."""

from __future__ import annotations

import contextlib
import functools
import io
import logging
import os

from piccolo.apps.migrations.commands.base import BaseMigrationManager

#: Piccolo finds its configuration (the engine, the app) by this variable, not by an argument;
#: set before Piccolo's migration table is imported, which binds to that engine.
PICCOLO_CONF = "mou.piccolo_conf"
os.environ.setdefault("PICCOLO_CONF", PICCOLO_CONF)

from piccolo.apps.migrations.tables import Migration  # noqa: E402

logger = logging.getLogger("mou.ready")


class MigrationFailed(RuntimeError):
    pass


async def migrate() -> str:
    """Run every migration not yet applied; raise ``MigrationFailed`` when one fails.

    Returns what Piccolo printed, for the caller to show or drop.
    """
    os.environ.setdefault("PICCOLO_CONF", PICCOLO_CONF)
    from piccolo.apps.migrations.commands.forwards import run_forwards

    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        try:
            result = await run_forwards(app_name="mou", migration_id="all")
        except Exception as exc:
            raise MigrationFailed(f"{exc.__class__.__name__}: {exc}") from exc
    if not result.success:
        raise MigrationFailed(result.message or "a migration failed")
    return output.getvalue()


async def migration_autogenerate() -> list[str]:
    """The statements ``piccolo migrations new mou --auto`` would write, without writing a file.

    Piccolo compares the tables in ``mou.piccolo_app`` with the snapshot it builds from the
    migration files (never from a database): an empty list means every table change has its
    migration, and auto-generation stays usable. Raw SQL (``add_raw``) is not in the snapshot.
    """
    os.environ.setdefault("PICCOLO_CONF", PICCOLO_CONF)
    from piccolo.apps.migrations.commands.new import AutoMigrationManager
    from piccolo.conf.apps import Finder

    app_config = Finder().get_app_config(app_name="mou")
    # "n" answers Piccolo's "was this column renamed?" prompts, so a check never waits for input.
    with contextlib.redirect_stdout(io.StringIO()):
        alter_statements = await AutoMigrationManager(auto_input="n").get_alter_statements(
            app_config=app_config
        )
    return [statement for alter in alter_statements for statement in alter.statements]


#: Why ``/ready`` answers 503. The driver's own words go to the log only: ``/ready`` is public,
#: and they may name hosts, users and databases.
DATABASE_UNREACHABLE = "the database does not answer (the log says why)"
MIGRATIONS_PENDING = "migrations not applied yet (run mou migrate): {ids}"


@functools.cache
def migration_ids() -> frozenset[str]:
    """The ids of the migration files in ``migrations/`` (what a current database has run);
    read once: the files do not change under a running process."""
    from mou.piccolo_app import APP_CONFIG

    return frozenset(
        BaseMigrationManager().get_migration_modules(str(APP_CONFIG.migrations_folder_path))
    )


async def database_readiness() -> str | None:
    """Why the database cannot serve this code yet, or None when it can: it answers, and it
    has run every migration file (no ``migration`` table at all counts as none run)."""
    try:
        ran = (
            await Migration.select(Migration.name).where(Migration.app_name == "mou")
            if await Migration.table_exists()
            else []
        )
    except Exception as exc:
        logger.warning("readiness: the database does not answer: %s: %s", type(exc).__name__, exc)
        return DATABASE_UNREACHABLE
    pending = migration_ids() - {row["name"] for row in ran}
    if pending:
        return MIGRATIONS_PENDING.format(ids=", ".join(sorted(pending)))
    return None
