from typing import Any

from piccolo.columns import (
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
from mou.db import DB
from mou.parties.tables import Organisation, Person


class Agreement(Table, db=DB):
    id = Serial(primary_key=True)
    #: Official number, e.g. "B/123/HM.01/10/2023"; empty until one is issued.
    reference_number = Varchar(length=100, default="")
    title = Varchar(length=300)
    #: mou, pks, loi or implementing_arrangement.
    kind = Varchar(length=40)
    purpose = Text(default="")
    stage = Varchar(length=20, default="draft", index=True)
    start_date = Date(null=True, default=None)
    end_date = Date(null=True, default=None, index=True)
    signed_on = Date(null=True, default=None)
    #: A PKS implementing an MoU points at the MoU.
    parent: ForeignKey[Any] = ForeignKey("self", null=True, on_delete=OnDelete.restrict)
    renewal_of: ForeignKey[Any] = ForeignKey("self", null=True, on_delete=OnDelete.restrict)
    #: Optimistic lock: every write adds one; If-Match must name the current value.
    version = Integer(default=1)
    #: Approvals belong to a round; returning to draft starts the next one.
    approval_round = Integer(default=1)
    created_by = ForeignKey(User, on_delete=OnDelete.restrict)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class AgreementParty(Table, db=DB):
    id = Serial(primary_key=True)
    agreement = ForeignKey(Agreement, on_delete=OnDelete.restrict)
    organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict)
    #: first_party, second_party, party or witness.
    role = Varchar(length=20)
    signatory = ForeignKey(Person, null=True, on_delete=OnDelete.restrict)
    position = Integer(default=0)


class ScopeItem(Table, db=DB):
    id = Serial(primary_key=True)
    agreement = ForeignKey(Agreement, on_delete=OnDelete.restrict)
    kind = Varchar(length=40)
    title = Varchar(length=300)
    description = Text(default="")
    lead_organisation = ForeignKey(Organisation, null=True, on_delete=OnDelete.restrict)
    status = Varchar(length=20, default="planned")
    due_date = Date(null=True, default=None)
    position = Integer(default=0)


class StageChange(Table, db=DB):
    id = Serial(primary_key=True)
    agreement = ForeignKey(Agreement, on_delete=OnDelete.restrict)
    from_stage = Varchar(length=20)
    to_stage = Varchar(length=20)
    action = Varchar(length=20)
    #: None when the system acted (activation, expiry).
    actor = ForeignKey(User, null=True, on_delete=OnDelete.restrict)
    comment = Text(default="")
    at = Timestamptz()


class Approval(Table, db=DB):
    id = Serial(primary_key=True)
    agreement = ForeignKey(Agreement, on_delete=OnDelete.restrict)
    party = ForeignKey(AgreementParty, on_delete=OnDelete.restrict)
    approval_round = Integer(default=1)
    actor = ForeignKey(User, on_delete=OnDelete.restrict)
    comment = Text(default="")
    at = Timestamptz()
