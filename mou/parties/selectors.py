"""Reads of organisations and people."""

from __future__ import annotations

from typing import Any

import msgspec

from mou import errors
from mou.caller import CurrentUser
from mou.paging import page_of
from mou.parties import schemas
from mou.parties.tables import Organisation, Person
from mou.policy import visible_people_clause
from mou.search import contains

ORGANISATION_COLUMNS = (
    Organisation.id,
    Organisation.name,
    Organisation.short_name,
    Organisation.kind,
    Organisation.address,
    Organisation.parent.as_alias("parent_id"),
)
PERSON_COLUMNS = (
    Person.id,
    Person.full_name,
    Person.position,
    Person.organisation.as_alias("organisation_id"),
    Person.email,
    Person.phone,
)


async def organisation_get(*, organisation_id: int) -> schemas.Organisation:
    row = (
        await Organisation.select(*ORGANISATION_COLUMNS)
        .where(Organisation.id == organisation_id)
        .first()
    )
    if row is None:
        raise errors.NotFound(errors.NOT_FOUND.format(entity="organisation"))
    return msgspec.convert(row, schemas.Organisation)


async def organisation_list(
    *,
    limit: int,
    offset: int,
    cursor: str | None = None,
    q: str | None = None,
    kind: str | None = None,
) -> schemas.OrganisationPage:
    where: list[Any] = []
    if q:
        where.append(contains(Organisation.name, q) | contains(Organisation.short_name, q))
    if kind:
        where.append(Organisation.kind == kind)
    return await page_of(
        schemas.OrganisationPage,
        Organisation,
        ORGANISATION_COLUMNS,
        where,
        limit=limit,
        offset=offset,
        cursor=cursor,
    )


async def person_get(*, user: CurrentUser, person_id: int) -> schemas.Person:
    query = Person.select(*PERSON_COLUMNS).where(Person.id == person_id)
    clause = await visible_people_clause(user)
    row = await (query.where(clause) if clause is not None else query).first()
    if row is None:
        raise errors.NotFound(errors.NOT_FOUND.format(entity="person"))
    return msgspec.convert(row, schemas.Person)


async def person_list(
    *,
    user: CurrentUser,
    limit: int,
    offset: int,
    cursor: str | None = None,
    q: str | None = None,
    organisation_id: int | None = None,
) -> schemas.PersonPage:
    visible = await visible_people_clause(user)
    where: list[Any] = [] if visible is None else [visible]
    if q:
        where.append(contains(Person.full_name, q) | contains(Person.position, q))
    if organisation_id is not None:
        where.append(Person.organisation == organisation_id)
    return await page_of(
        schemas.PersonPage, Person, PERSON_COLUMNS, where, limit=limit, offset=offset, cursor=cursor
    )
