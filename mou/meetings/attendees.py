"""Linking a guest attendee to a person record, by the guest's own organisation.

An attendee row keeps the name, position and organisation as on the day; a guest of an
organisation the recorder did not manage has no person. Only that organisation's users (or
one above it) and admins may tie the row to one of their people: a recorder of another
organisation cannot reach into that directory, and the row's snapshot never changes, so the
minutes read the same before and after.
"""

from __future__ import annotations

from mou import errors
from mou.accounts.schemas import CurrentUser
from mou.audit import audited
from mou.meetings import schemas
from mou.meetings.selectors import attendee_get, visible_attendee_row
from mou.meetings.services import attendee_require_new
from mou.meetings.tables import Attendee
from mou.parties.tables import Person
from mou.policy import manages
from mou.references import NO_SUCH_ROW, require_visible_person

ATTENDEE_NOT_YOURS = (
    "only users of the attendee's organisation, or one above it, link it to a person"
)


async def _require_own_person(user: CurrentUser, person_id: int) -> None:
    """A person of the caller's directory whom the caller manages; else as if missing."""
    await require_visible_person(user, person_id, field="person_id")
    row = await Person.select(Person.organisation).where(Person.id == person_id).first()
    if row is None or not await manages(user, row["organisation"]):
        raise errors.InvalidInput("person_id", NO_SUCH_ROW.format(entity="person"))


async def attendee_link(
    *, user: CurrentUser, attendee_id: int, data: schemas.AttendeeLink
) -> schemas.Attendee:
    """Point the attendee row at ``data.person_id``; the row's snapshot stays as recorded."""
    async with audited(
        actor_id=user.actor_id,
        action="update",
        entity="attendee",
        entity_id=attendee_id,
        read=lambda attendee_id: attendee_get(attendee_id=attendee_id),
    ) as write:
        row = await visible_attendee_row(user, attendee_id)
        if not await manages(user, row["organisation"]):
            raise errors.Forbidden(ATTENDEE_NOT_YOURS)
        await _require_own_person(user, data.person_id)
        if row["person"] != data.person_id:
            await attendee_require_new(row["meeting"], data.person_id)
        await Attendee.update({Attendee.person: data.person_id}).where(Attendee.id == attendee_id)
    return write.after
