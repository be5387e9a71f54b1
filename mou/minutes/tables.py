from piccolo.columns import (
    JSON,
    Bytea,
    ForeignKey,
    Integer,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from mou.accounts.tables import User
from mou.db import DB
from mou.meetings.tables import Meeting


class MinutesVersion(Table, db=DB):
    """Immutable once written: the application never updates or deletes a row."""

    id = Serial(primary_key=True)
    meeting = ForeignKey(Meeting, on_delete=OnDelete.restrict)
    version = Integer()
    #: id or en.
    language = Varchar(length=5)
    #: SHA-256 of ``pdf``, the bytes a party downloads.
    sha256 = Varchar(length=64, unique=True)
    #: The verification code printed in the PDF's footer and QR code: SHA-256 of the document's
    #: canonical content (a PDF cannot print the hash of its own bytes).
    #: Unique (an index of the migration: SQLite cannot add a UNIQUE column).
    code = Varchar(length=64, null=True, default=None)
    pdf = Bytea()
    #: Why this version corrects the previous one; empty for version 1.
    reason = Text(default="")
    rendered_at = Timestamptz()
    rendered_by = ForeignKey(User, on_delete=OnDelete.restrict)
    #: The meeting's title and local date and the parties' names as this version printed them
    #: (``schemas.IssuedNames``): ``/verify`` shows these, so a later rename cannot make it
    #: disagree with the document. ``{}`` for versions issued before it was kept.
    issued = JSON(default={})


class MinutesDraft(Table, db=DB):
    """A rendered draft PDF, reused while the draft would print the same: a cache shared by
    every app process. Rows are replaced, never trusted beyond their key; losing them costs
    renders only."""

    id = Serial(primary_key=True)
    #: The meeting's id (no foreign key: a cache row must never block a meeting's deletion).
    meeting = Integer(index=True)
    #: The meeting's version when rendered.
    meeting_version = Integer()
    language = Varchar(length=5)
    #: ``content_digest`` of what the draft prints: names outside the meeting (parties,
    #: owners) change it without changing the meeting's version.
    digest = Varchar(length=64)
    pdf = Bytea()
    rendered_at = Timestamptz()
