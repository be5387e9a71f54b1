"""Writes of organisations and people, each in one transaction with its audit event."""

from __future__ import annotations

from mou import errors
from mou.accounts.schemas import CurrentUser
from mou.audit import audited
from mou.parties import schemas
from mou.parties.selectors import organisation_get, person_get
from mou.parties.tables import Organisation, Person
from mou.policy import manages
from mou.references import require_managed_organisation, require_row
from mou.schemas import changed_fields

NAME_TAKEN = "an organisation with this name exists"
PARENT_CYCLE = "an organisation cannot sit below itself"
PERSON_NOT_YOURS = (
    "only users of this person's organisation, or one above it, may change this person"
)


async def _check_organisation(name: str | None, parent_id: int | None, own_id: int | None) -> None:
    await require_row(Organisation, parent_id, field="parent_id")
    if name is not None:
        same = Organisation.exists().where(Organisation.name == name)
        if own_id is not None:
            same = same.where(Organisation.id != own_id)
        if await same:
            raise errors.InvalidInput("name", NAME_TAKEN)
    ancestor = parent_id
    while ancestor is not None and own_id is not None:
        if ancestor == own_id:
            raise errors.InvalidInput("parent_id", PARENT_CYCLE)
        row = (
            await Organisation.select(Organisation.parent)
            .where(Organisation.id == ancestor)
            .first()
        )
        ancestor = row["parent"] if row else None


async def organisation_create(
    *, user: CurrentUser, data: schemas.OrganisationCreate
) -> schemas.Organisation:
    async with audited(
        actor_id=user.actor_id, action="create", entity="organisation", read=_organisation
    ) as write:
        await _check_organisation(data.name, data.parent_id, None)
        row = Organisation(
            name=data.name,
            short_name=data.short_name,
            kind=data.kind,
            address=data.address,
            parent=data.parent_id,
        )
        await row.save()
        write.entity_id = row.id
    return write.after


async def _organisation(organisation_id: int) -> schemas.Organisation:
    return await organisation_get(organisation_id=organisation_id)


async def organisation_update(
    *, user: CurrentUser, organisation_id: int, data: schemas.OrganisationUpdate
) -> schemas.Organisation:
    values = changed_fields(data, {"parent_id": "parent"})
    async with audited(
        actor_id=user.actor_id,
        action="update",
        entity="organisation",
        entity_id=organisation_id,
        read=_organisation,
    ) as write:
        await _check_organisation(values.get("name"), values.get("parent"), organisation_id)
        if values:
            await Organisation.update(values).where(Organisation.id == organisation_id)
    return write.after


async def person_create(*, user: CurrentUser, data: schemas.PersonCreate) -> schemas.Person:
    async with audited(
        actor_id=user.actor_id,
        action="create",
        entity="person",
        read=lambda person_id: person_get(user=user, person_id=person_id),
    ) as write:
        await require_managed_organisation(user, data.organisation_id, field="organisation_id")
        row = Person(
            full_name=data.full_name,
            position=data.position,
            organisation=data.organisation_id,
            email=data.email,
            phone=data.phone,
        )
        await row.save()
        write.entity_id = row.id
    return write.after


async def person_update(
    *, user: CurrentUser, person_id: int, data: schemas.PersonUpdate
) -> schemas.Person:
    values = changed_fields(data, {"organisation_id": "organisation"})
    async with audited(
        actor_id=user.actor_id,
        action="update",
        entity="person",
        entity_id=person_id,
        read=lambda person_id: person_get(user=user, person_id=person_id),
    ) as write:
        if not await manages(user, write.before.organisation_id):
            raise errors.Forbidden(PERSON_NOT_YOURS)
        await require_managed_organisation(
            user, values.get("organisation"), field="organisation_id"
        )
        if values:
            await Person.update(values).where(Person.id == person_id)
    return write.after
