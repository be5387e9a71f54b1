"""Every migration module hands Piccolo a manager (one returning None is silently marked as run),
and the migrations describe the tables, so Piccolo's auto-generation stays usable."""

import importlib.util
from pathlib import Path

import pytest
from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from mou.migrate import migration_autogenerate

MIGRATIONS = sorted(p for p in (Path(__file__).parents[2] / "migrations").glob("mou_*.py"))


@pytest.mark.parametrize("path", MIGRATIONS, ids=[p.stem for p in MIGRATIONS])
async def test_migration_forwards_returns_a_manager(path: Path) -> None:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert isinstance(await module.forwards(), MigrationManager)


async def test_auto_generation_finds_no_change() -> None:
    # The tables and the snapshot the migrations build agree: `piccolo migrations new mou --auto`
    # writes nothing (it used to propose an `id` column for each of 18 tables).
    assert await migration_autogenerate() == []
