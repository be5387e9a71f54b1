"""Apply the migrations in ``migrations/`` to the configured database."""

from __future__ import annotations

import contextlib
import io
import os


class MigrationFailed(RuntimeError):
    pass


async def migrate() -> str:
    """Run every migration not yet applied; raise ``MigrationFailed`` when one fails.

    Returns what Piccolo printed, for the caller to show or drop.
    """
    # Piccolo finds its configuration by this variable, not by an argument.
    os.environ.setdefault("PICCOLO_CONF", "mou.piccolo_conf")
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
