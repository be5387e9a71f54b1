"""Reads that do not grow with the archive: the indexes the query plans asked for, and a search
table over each agreement's title, reference number, party names and scope item titles.

``agreement_search`` holds one row per agreement (``agreement_id``, ``body``: the texts joined
by newlines), kept by triggers on ``agreement``, ``agreement_party``, ``scope_item`` and
``organisation``, so every writer (API, CLI, plain SQL) keeps it true. SQLite: an FTS5 table
with the trigram tokenizer (``rowid`` is the agreement id). PostgreSQL: a plain table with a
``pg_trgm`` GIN index. Both find case-insensitive substrings; ``mou.db.search_sql`` queries
them. Frozen as written on 2026-12-01: a later change of the document comes with a migration.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-01T18:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Indexes for flat reads; agreement_search (FTS5 trigram / pg_trgm) and triggers."

INDEXES = [
    # The visibility rule walks the organisation tree down by parent.
    "CREATE INDEX organisation_parent ON organisation (parent)",
    # Stage filter newest first (PostgreSQL cannot order a one-column stage index by id).
    "CREATE INDEX agreement_stage_id ON agreement (stage, id)",
    # A meeting list pages by (starts_at, id) within one agreement.
    "CREATE INDEX meeting_agreement_starts ON meeting (agreement, starts_at, id)",
]
DROP_INDEXES = ["organisation_parent", "agreement_stage_id", "meeting_agreement_starts"]

SQLITE_BODY = """a.title || char(10) || a.reference_number || char(10) || coalesce((
    SELECT group_concat(o.name || char(10) || o.short_name, char(10))
    FROM agreement_party p JOIN organisation o ON o.id = p.organisation
    WHERE p.agreement = a.id), '') || char(10) || coalesce((
    SELECT group_concat(s.title, char(10)) FROM scope_item s WHERE s.agreement = a.id), '')"""

POSTGRES_BODY = (
    SQLITE_BODY.replace("char(10)", "chr(10)")
    .replace("group_concat(o.name", "string_agg(o.name")
    .replace("group_concat(s.title", "string_agg(s.title")
)


def sqlite_refresh(ids: str) -> str:
    """Statements that rewrite the search rows of the agreements whose ids ``ids`` selects."""
    return (
        f"DELETE FROM agreement_search WHERE rowid IN ({ids});\n"
        f"INSERT INTO agreement_search (rowid, body) "
        f"SELECT a.id, {SQLITE_BODY} FROM agreement a WHERE a.id IN ({ids});"
    )


def sqlite_statements() -> list[str]:
    triggers = {
        "agreement_insert": ("AFTER INSERT ON agreement", ["NEW.id"]),
        "agreement_update": (
            "AFTER UPDATE OF title, reference_number ON agreement",
            ["NEW.id"],
        ),
        "party_insert": ("AFTER INSERT ON agreement_party", ["NEW.agreement"]),
        "party_update": (
            "AFTER UPDATE OF agreement, organisation ON agreement_party",
            ["OLD.agreement", "NEW.agreement"],
        ),
        "party_delete": ("AFTER DELETE ON agreement_party", ["OLD.agreement"]),
        "scope_insert": ("AFTER INSERT ON scope_item", ["NEW.agreement"]),
        "scope_update": (
            "AFTER UPDATE OF agreement, title ON scope_item",
            ["OLD.agreement", "NEW.agreement"],
        ),
        "scope_delete": ("AFTER DELETE ON scope_item", ["OLD.agreement"]),
        "organisation_update": (
            "AFTER UPDATE OF name, short_name ON organisation",
            ["SELECT agreement FROM agreement_party WHERE organisation = NEW.id"],
        ),
    }
    statements = [
        "CREATE VIRTUAL TABLE agreement_search USING fts5(body, tokenize='trigram')",
        f"INSERT INTO agreement_search (rowid, body) SELECT a.id, {SQLITE_BODY} FROM agreement a",
    ]
    for name, (event, ids) in triggers.items():
        body = "\n".join(sqlite_refresh(i) for i in ids)
        statements.append(f"CREATE TRIGGER agreement_search_{name} {event} BEGIN\n{body}\nEND")
    return statements


POSTGRES_STATEMENTS = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE TABLE agreement_search (agreement_id integer PRIMARY KEY, body text NOT NULL)",
    "CREATE INDEX agreement_search_body ON agreement_search USING gin (body gin_trgm_ops)",
    f"""CREATE FUNCTION agreement_search_refresh(agreement_ids integer[]) RETURNS void AS $$
        DELETE FROM agreement_search WHERE agreement_id = ANY(agreement_ids);
        INSERT INTO agreement_search (agreement_id, body)
        SELECT a.id, {POSTGRES_BODY} FROM agreement a WHERE a.id = ANY(agreement_ids);
    $$ LANGUAGE sql""",
    """CREATE FUNCTION agreement_search_on_write() RETURNS trigger AS $$
    BEGIN
        IF TG_TABLE_NAME = 'agreement' THEN
            PERFORM agreement_search_refresh(ARRAY[NEW.id]);
        ELSIF TG_TABLE_NAME = 'organisation' THEN
            PERFORM agreement_search_refresh(ARRAY(
                SELECT agreement FROM agreement_party WHERE organisation = NEW.id));
        ELSIF TG_OP = 'INSERT' THEN
            PERFORM agreement_search_refresh(ARRAY[NEW.agreement]);
        ELSIF TG_OP = 'DELETE' THEN
            PERFORM agreement_search_refresh(ARRAY[OLD.agreement]);
        ELSE
            PERFORM agreement_search_refresh(ARRAY[OLD.agreement, NEW.agreement]);
        END IF;
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    "CREATE TRIGGER agreement_search_agreement AFTER INSERT OR UPDATE OF title, "
    "reference_number ON agreement FOR EACH ROW EXECUTE FUNCTION agreement_search_on_write()",
    "CREATE TRIGGER agreement_search_party AFTER INSERT OR DELETE OR UPDATE OF agreement, "
    "organisation ON agreement_party FOR EACH ROW EXECUTE FUNCTION agreement_search_on_write()",
    "CREATE TRIGGER agreement_search_scope AFTER INSERT OR DELETE OR UPDATE OF agreement, "
    "title ON scope_item FOR EACH ROW EXECUTE FUNCTION agreement_search_on_write()",
    "CREATE TRIGGER agreement_search_organisation AFTER UPDATE OF name, short_name "
    "ON organisation FOR EACH ROW EXECUTE FUNCTION agreement_search_on_write()",
    "INSERT INTO agreement_search (agreement_id, body) "
    f"SELECT a.id, {POSTGRES_BODY} FROM agreement a",
]

POSTGRES_DROP = [
    "DROP TRIGGER agreement_search_agreement ON agreement",
    "DROP TRIGGER agreement_search_party ON agreement_party",
    "DROP TRIGGER agreement_search_scope ON scope_item",
    "DROP TRIGGER agreement_search_organisation ON organisation",
    "DROP FUNCTION agreement_search_on_write()",
    "DROP FUNCTION agreement_search_refresh(integer[])",
    "DROP TABLE agreement_search",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="mou", description=DESCRIPTION)

    async def create() -> None:
        # Asked through Piccolo rather than mou's database module, which may change later.
        engine = engine_finder()
        sqlite = engine.engine_type == "sqlite"
        for statement in INDEXES + (sqlite_statements() if sqlite else POSTGRES_STATEMENTS):
            await engine.run_ddl(statement)

    async def drop() -> None:
        engine = engine_finder()
        if engine.engine_type == "sqlite":
            names = [s.split()[2] for s in sqlite_statements() if s.startswith("CREATE TRIGGER")]
            statements = [f"DROP TRIGGER {name}" for name in names]
            statements.append("DROP TABLE agreement_search")
        else:
            statements = POSTGRES_DROP
        for statement in statements + [f"DROP INDEX {name}" for name in DROP_INDEXES]:
            await engine.run_ddl(statement)

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
