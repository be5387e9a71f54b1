"""Apply the migrations in ``migrations/`` to the configured database, and check that they
still describe the tables."""

from __future__ import annotations

import contextlib
import io
import os

#: Piccolo finds its configuration by this variable, not by an argument.
PICCOLO_CONF = "mou.piccolo_conf"


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
