from piccolo.columns import (
    JSON,
    Date,
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
from mou.agreements.tables import Agreement, ScopeItem
from mou.db import DB
from mou.parties.tables import Organisation, Person


class Meeting(Table, db=DB):
    id = Serial(primary_key=True)
    agreement = ForeignKey(Agreement, on_delete=OnDelete.restrict)
    title = Varchar(length=300)
    #: planning, coordination, signing or review.
    kind = Varchar(length=20)
    #: Stored in UTC; shown in ``timezone``.
    starts_at = Timestamptz()
    ends_at = Timestamptz(null=True, default=None)
    #: IANA zone name, e.g. Asia/Jakarta.
    timezone = Varchar(length=64, default="Asia/Jakarta")
    venue = Varchar(length=300, default="")
    address = Text(default="")
    mode = Varchar(length=20, default="in_person")
    #: A JSON list of agenda items, in order.
    agenda = JSON(default=[])
    #: Official minutes number, e.g. "005/NR/DKI/X/2023".
    number = Varchar(length=100, default="")
    minutes_status = Varchar(length=10, default="draft")
    version = Integer(default=1)
    created_by = ForeignKey(User, on_delete=OnDelete.restrict)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class Attendee(Table, db=DB):
    id = Serial(primary_key=True)
    meeting = ForeignKey(Meeting, on_delete=OnDelete.restrict)
    #: None for a guest whose organisation has not linked the row to one of its people.
    person = ForeignKey(Person, null=True, on_delete=OnDelete.restrict)
    #: Snapshots: name, position and organisation as they were on the day.
    full_name = Varchar(length=200)
    position_title = Varchar(length=200, default="")
    organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict)
    #: chair, speaker, minute_taker or participant.
    role = Varchar(length=20, default="participant")
    #: present, absent, excused or represented.
    attendance = Varchar(length=20, default="present")
    represented_by = Varchar(length=200, default="")
    position = Integer(default=0)


class DiscussionPoint(Table, db=DB):
    id = Serial(primary_key=True)
    meeting = ForeignKey(Meeting, on_delete=OnDelete.restrict)
    position = Integer(default=0)
    text = Text()
    speaker = ForeignKey(Attendee, null=True, on_delete=OnDelete.restrict)


class Decision(Table, db=DB):
    id = Serial(primary_key=True)
    meeting = ForeignKey(Meeting, on_delete=OnDelete.restrict)
    position = Integer(default=0)
    text = Text()


class ActionItem(Table, db=DB):
    id = Serial(primary_key=True)
    meeting = ForeignKey(Meeting, on_delete=OnDelete.restrict)
    position = Integer(default=0)
    title = Varchar(length=500)
    owner_organisation = ForeignKey(Organisation, null=True, on_delete=OnDelete.restrict)
    owner_person = ForeignKey(Person, null=True, on_delete=OnDelete.restrict)
    due_date = Date(null=True, default=None)
    status = Varchar(length=10, default="open")
    scope_item = ForeignKey(ScopeItem, null=True, on_delete=OnDelete.restrict)


class CalendarFeed(Table, db=DB):
    """A private iCalendar address of the meetings its user may see, named and revocable."""

    id = Serial(primary_key=True)
    user = ForeignKey(User, on_delete=OnDelete.restrict)
    name = Varchar(length=100)
    #: SHA-256 of the token in the address; the token is shown once and never stored.
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)
