from piccolo.columns import ForeignKey, Integer, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from mou.accounts.tables import User
from mou.db import DB


class AuditEvent(Table, db=DB):
    """Append-only. ``prev_hash`` is unique, so two events can never follow the same one."""

    id = Serial(primary_key=True)
    #: None when the system acted.
    actor = ForeignKey(User, null=True, on_delete=OnDelete.restrict)
    action = Varchar(length=50)
    entity = Varchar(length=50)
    entity_id = Integer(null=True, default=None)
    #: Canonical JSON of the record before and after the write ("null" when none).
    before = Text(default="null")
    after = Text(default="null")
    at = Timestamptz()
    prev_hash = Varchar(length=64, unique=True)
    hash = Varchar(length=64, unique=True)
