"""Fail when ``piccolo migrations new mou --auto`` would write a migration: the tables and the
snapshot the migration files build disagree, so a schema change has no migration (or the
snapshot is wrong and auto-generation would write a bogus one)."""

import asyncio
import sys

from mou.db import runtime_bound
from mou.migrate import migration_autogenerate
from mou.settings import get_settings


def main() -> int:
    # Bound here, so Piccolo's configuration finds an engine and binds none of its own.
    with runtime_bound(get_settings()):
        statements = asyncio.run(migration_autogenerate())
    if statements:
        print("migrations: auto-generation finds changes no migration makes:", file=sys.stderr)
        for statement in statements:
            print(statement, file=sys.stderr)
        return 1
    print("migrations: auto-generation finds no change")
    return 0


if __name__ == "__main__":
    sys.exit(main())
