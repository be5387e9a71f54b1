"""Multi-column uniqueness and indexes on foreign keys, which Piccolo columns cannot declare."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-26T05:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Composite unique constraints and foreign-key indexes."

COMPOSITE_INDEXES = [
    "CREATE UNIQUE INDEX agreement_party_unique_org ON agreement_party (agreement, organisation)",
    "CREATE UNIQUE INDEX approval_unique_party_round ON approval (agreement, party, approval_round)",
    "CREATE UNIQUE INDEX minutes_version_unique ON minutes_version (meeting, version, language)",
    "CREATE INDEX agreement_party_agreement ON agreement_party (agreement)",
    "CREATE INDEX agreement_party_organisation ON agreement_party (organisation)",
    "CREATE INDEX scope_item_agreement ON scope_item (agreement)",
    "CREATE INDEX stage_change_agreement ON stage_change (agreement)",
    "CREATE INDEX meeting_agreement ON meeting (agreement)",
    "CREATE INDEX attendee_meeting ON attendee (meeting)",
    "CREATE INDEX discussion_point_meeting ON discussion_point (meeting)",
    "CREATE INDEX decision_meeting ON decision (meeting)",
    "CREATE INDEX action_item_meeting ON action_item (meeting)",
    'CREATE INDEX api_token_user ON api_token ("user")',
    "CREATE INDEX person_organisation ON person (organisation)",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="mou", description=DESCRIPTION)

    async def create_indexes() -> None:
        # Plain SQL that runs unchanged on SQLite and PostgreSQL.
        from mou.db import DB

        for statement in COMPOSITE_INDEXES:
            await DB.run_ddl(statement)

    manager.add_raw(create_indexes)
    return manager
