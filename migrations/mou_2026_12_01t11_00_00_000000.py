"""Login attempts reserved before the password check; where each API token came from."""

from typing import Any

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Boolean, Integer, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-01T11:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = (
    "login_attempt.pending (an attempt reserved and not yet decided); "
    "api_token.created_via and api_token.parent_id."
)


def _params(**overrides: Any) -> dict[str, Any]:
    return {
        "null": False,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
        **overrides,
    }


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="mou", description=DESCRIPTION)
    manager.add_column(
        table_class_name="LoginAttempt",
        tablename="login_attempt",
        column_name="pending",
        db_column_name="pending",
        column_class_name="Boolean",
        column_class=Boolean,
        params=_params(default=False),
        schema=None,
    )
    manager.add_column(
        table_class_name="ApiToken",
        tablename="api_token",
        column_name="created_via",
        db_column_name="created_via",
        column_class_name="Varchar",
        column_class=Varchar,
        params=_params(length=20, default="password"),
        schema=None,
    )
    manager.add_column(
        table_class_name="ApiToken",
        tablename="api_token",
        column_name="parent_id",
        db_column_name="parent_id",
        column_class_name="Integer",
        column_class=Integer,
        params=_params(default=None, null=True, index=True),
        schema=None,
    )
    return manager
