"""Enumerated columns accept only their values, whatever writes the row (API, CLI, plain SQL).

PostgreSQL: one CHECK constraint per column, ``<table>_<column>_allowed``. SQLite cannot add a
CHECK to an existing table: two triggers per column (``..._allowed_insert``,
``..._allowed_update``) abort the statement with a message naming the same constraint.

The values are frozen here as the code defined them on 2026-12-01 (``Literal`` types in the
features' ``schemas.py``): a migration must not change when the code does later.
``tests/unit/test_enumeration_constraints.py`` fails when the code's values and these differ,
so a new value comes with a new migration that replaces the constraint.

Rows already in the database must hold allowed values: otherwise the migration fails on both
databases (PostgreSQL validates existing rows when adding a CHECK; on SQLite this migration
looks for them first), naming the table and column.
"""

from typing import Any

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.base import Engine
from piccolo.engine.finder import engine_finder

ID = "2026-12-01T20:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Enumerated columns: CHECK constraints (PostgreSQL), abort triggers (SQLite)."

STAGES = ("draft", "review", "approved", "signed", "active", "expired", "terminated", "cancelled")

#: (table, column) -> the values it accepts.
ENUMERATIONS: dict[tuple[str, str], tuple[str, ...]] = {
    ("agreement", "stage"): STAGES,
    ("stage_change", "from_stage"): STAGES,
    ("stage_change", "to_stage"): STAGES,
    ("mou_user", "role"): ("admin", "manager", "liaison", "viewer"),
    ("organisation", "kind"): (
        "ministry",
        "commission",
        "provincial_agency",
        "regency_agency",
        "university",
        "company",
        "ngo",
        "other",
    ),
    ("agreement", "kind"): ("mou", "pks", "loi", "implementing_arrangement"),
    ("agreement_party", "role"): ("first_party", "second_party", "party", "witness"),
    ("scope_item", "kind"): (
        "information_sharing",
        "media_channel_sharing",
        "co_produced_content",
        "joint_event",
        "capacity_building",
        "data_exchange",
        "other",
    ),
    ("scope_item", "status"): ("planned", "in_progress", "done", "dropped"),
    ("meeting", "kind"): ("planning", "coordination", "signing", "review"),
    ("meeting", "mode"): ("in_person", "online", "hybrid"),
    ("meeting", "minutes_status"): ("draft", "final"),
    ("attendee", "role"): ("chair", "speaker", "minute_taker", "participant"),
    ("attendee", "attendance"): ("present", "absent", "excused", "represented"),
    ("action_item", "status"): ("open", "done", "dropped"),
}


def constraint_name(table: str, column: str) -> str:
    return f"{table}_{column}_allowed"


def listed(values: tuple[str, ...]) -> str:
    # The values are the literals above (lowercase words): quoting them is enough.
    return ", ".join(f"'{value}'" for value in values)


def postgres_add(table: str, column: str, values: tuple[str, ...]) -> list[str]:
    return [
        f'ALTER TABLE "{table}" ADD CONSTRAINT {constraint_name(table, column)} '
        f'CHECK ("{column}" IN ({listed(values)}))'
    ]


def postgres_drop(table: str, column: str) -> list[str]:
    return [f'ALTER TABLE "{table}" DROP CONSTRAINT {constraint_name(table, column)}']


def sqlite_add(table: str, column: str, values: tuple[str, ...]) -> list[str]:
    name = constraint_name(table, column)
    abort = f"SELECT RAISE(ABORT, 'CHECK constraint failed: {name}')"
    when = f'WHEN NEW."{column}" NOT IN ({listed(values)})'
    return [
        f'CREATE TRIGGER {name}_insert BEFORE INSERT ON "{table}" FOR EACH ROW {when} '
        f"BEGIN {abort}; END",
        f'CREATE TRIGGER {name}_update BEFORE UPDATE OF "{column}" ON "{table}" FOR EACH ROW '
        f"{when} BEGIN {abort}; END",
    ]


def sqlite_drop(table: str, column: str) -> list[str]:
    name = constraint_name(table, column)
    return [f"DROP TRIGGER {name}_insert", f"DROP TRIGGER {name}_update"]


async def sqlite_require_valid_rows(
    engine: Engine[Any], table: str, column: str, values: tuple[str, ...]
) -> None:
    """Triggers do not look at rows already there: refuse them, as PostgreSQL's CHECK does."""
    rows = await engine.run_ddl(
        f'SELECT 1 FROM "{table}" WHERE "{column}" NOT IN ({listed(values)}) LIMIT 1'
    )
    if rows:
        raise ValueError(
            f"{constraint_name(table, column)}: {table}.{column} holds a value outside "
            f"{values}; correct those rows, then migrate again"
        )


def running_engine() -> Engine[Any]:
    engine = engine_finder()
    if engine is None:
        raise RuntimeError("no Piccolo engine configured to run this migration on")
    return engine


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="mou", description=DESCRIPTION)

    async def constrain() -> None:
        # The engine Piccolo runs this migration on (inside its transaction); asked through
        # Piccolo rather than mou's database module, which may change after this is frozen.
        engine = running_engine()
        for (table, column), values in ENUMERATIONS.items():
            if engine.engine_type == "sqlite":
                await sqlite_require_valid_rows(engine, table, column, values)
                statements = sqlite_add(table, column, values)
            else:
                statements = postgres_add(table, column, values)
            for statement in statements:
                await engine.run_ddl(statement)

    async def unconstrain() -> None:
        engine = running_engine()
        for table, column in ENUMERATIONS:
            drop = sqlite_drop if engine.engine_type == "sqlite" else postgres_drop
            for statement in drop(table, column):
                await engine.run_ddl(statement)

    manager.add_raw(constrain)
    manager.add_raw_backwards(unconstrain)
    return manager
