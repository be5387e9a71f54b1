from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from mou.schemas import Email, Id, Input, LongText, OptionalShortText, Page, Phone, ShortText

OrganisationKind = Literal[
    "ministry",
    "commission",
    "provincial_agency",
    "regency_agency",
    "university",
    "company",
    "ngo",
    "other",
]
ShortName = Annotated[str, msgspec.Meta(min_length=1, max_length=60)]


class Organisation(msgspec.Struct):
    id: int
    name: str
    short_name: str
    kind: OrganisationKind
    address: str
    parent_id: int | None


class OrganisationCreate(Input):
    name: ShortText
    short_name: ShortName
    kind: OrganisationKind
    address: LongText = ""
    parent_id: Id | None = None


class OrganisationUpdate(Input):
    name: ShortText | msgspec.UnsetType = msgspec.UNSET
    short_name: ShortName | msgspec.UnsetType = msgspec.UNSET
    kind: OrganisationKind | msgspec.UnsetType = msgspec.UNSET
    address: LongText | msgspec.UnsetType = msgspec.UNSET
    parent_id: Id | msgspec.UnsetType | None = msgspec.UNSET


class OrganisationPage(Page):
    items: list[Organisation]


class Person(msgspec.Struct):
    id: int
    full_name: str
    position: str
    organisation_id: int
    email: str
    phone: str


class PersonCreate(Input):
    full_name: ShortText
    organisation_id: Id
    position: OptionalShortText = ""
    email: Email = ""
    phone: Phone = ""


class PersonUpdate(Input):
    full_name: ShortText | msgspec.UnsetType = msgspec.UNSET
    organisation_id: Id | msgspec.UnsetType = msgspec.UNSET
    position: OptionalShortText | msgspec.UnsetType = msgspec.UNSET
    email: Email | msgspec.UnsetType = msgspec.UNSET
    phone: Phone | msgspec.UnsetType = msgspec.UNSET


class PersonPage(Page):
    items: list[Person]
