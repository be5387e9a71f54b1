from typing import Any

from piccolo.columns import ForeignKey, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from mou.db import DB


class Organisation(Table, db=DB):
    id = Serial(primary_key=True)
    #: Full official name, e.g. "Dinas Komunikasi dan Informatika Provinsi Sumatera Utara".
    name = Varchar(length=200, unique=True)
    #: The name people use: "Diskominfo Sumut", "KPK RI".
    short_name = Varchar(length=60)
    #: One of ``parties.schemas.OrganisationKind``.
    kind = Varchar(length=30)
    address = Text(default="")
    #: A bureau inside a commission points at the commission.
    parent: ForeignKey[Any] = ForeignKey("self", null=True, on_delete=OnDelete.restrict)
    created_at = Timestamptz()


class Person(Table, db=DB):
    id = Serial(primary_key=True)
    full_name = Varchar(length=200)
    #: Jabatan, e.g. "Kepala Dinas".
    position = Varchar(length=200, default="")
    organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict)
    email = Varchar(length=254, default="")
    phone = Varchar(length=40, default="")
    created_at = Timestamptz()
