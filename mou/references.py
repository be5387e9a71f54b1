"""Checks that ids named in input point at rows that exist, reported against the field."""

from __future__ import annotations

from piccolo.table import Table

from mou import errors
from mou.caller import CurrentUser
from mou.parties.tables import Organisation, Person
from mou.policy import agreement_visible, manages, visible_people_clause

NO_SUCH_ROW = "no {entity} has this id"
NOT_YOUR_ORGANISATION = "only your organisation, or one below it, may hold its people"


async def require_row(table: type[Table], row_id: int | None, *, field: str) -> None:
    """Raise ``InvalidInput`` naming ``field`` when ``row_id`` is set but no such row exists."""
    if row_id is None:
        return
    if not await table.exists().where(table._meta.primary_key == row_id):
        entity = table._meta.tablename.replace("_", " ")
        raise errors.InvalidInput(field, NO_SUCH_ROW.format(entity=entity))


async def require_visible_person(user: CurrentUser, person_id: int | None, *, field: str) -> None:
    """Like ``require_row``, but a person the caller may not see is reported as missing."""
    if person_id is None:
        return
    query = Person.exists().where(Person.id == person_id)
    clause = await visible_people_clause(user)
    if not await (query.where(clause) if clause is not None else query):
        raise errors.InvalidInput(field, NO_SUCH_ROW.format(entity="person"))


async def require_visible_agreement(
    user: CurrentUser, agreement_id: int | None, *, field: str
) -> None:
    """Like ``require_row``, but an agreement the caller may not see is reported as missing."""
    if agreement_id is not None and not await agreement_visible(user, agreement_id):
        raise errors.InvalidInput(field, NO_SUCH_ROW.format(entity="agreement"))


async def require_managed_organisation(
    user: CurrentUser, organisation_id: int | None, *, field: str
) -> None:
    """Like ``require_row``, and the organisation must be the caller's or one below it: people
    are added to, or moved into, only a directory the caller keeps (admins: any)."""
    await require_row(Organisation, organisation_id, field=field)
    if organisation_id is not None and not await manages(user, organisation_id):
        raise errors.InvalidInput(field, NOT_YOUR_ORGANISATION)
