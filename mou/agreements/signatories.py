"""Who signs for a party: chosen by that party's own users (or one above it) and admins.

Naming an organisation as a party grants nothing over it, so a caller chooses a signatory
only for parties they manage (``policy.managed_organisations``), among that organisation's
people. Every refusal of a signatory id reads like a missing id: a person id reveals nothing
about where the person works.
"""

from __future__ import annotations

from mou import errors
from mou.accounts.schemas import CurrentUser
from mou.agreements import schemas, workflow
from mou.agreements.selectors import agreement_get
from mou.agreements.tables import Agreement, AgreementParty
from mou.audit import audited
from mou.parties.tables import Person
from mou.policy import manages
from mou.versions import write_if_version

SIGNATORY_ELSEWHERE = "no person of this party's organisation has this id"
PARTY_NOT_YOURS = "only users of this party's organisation, or one above it, choose its signatory"
SIGNATORY_FIXED = "the agreement is {stage}; its signatories no longer change"


async def signatory_check(
    user: CurrentUser, *, organisation_id: int, signatory_id: int | None, field: str
) -> None:
    """``InvalidInput`` unless ``user`` manages the party and the person works there."""
    if signatory_id is None:
        return
    if await manages(user, organisation_id):
        works_there = await Person.exists().where(
            (Person.id == signatory_id) & (Person.organisation == organisation_id)
        )
        if works_there:
            return
    raise errors.InvalidInput(field, SIGNATORY_ELSEWHERE)


async def signatories_chosen(
    user: CurrentUser, parties: list[schemas.PartyIn], stored: dict[int, int | None]
) -> list[int | None]:
    """The signatory to store for each party of a parties list (``POST``/``PATCH`` agreement).

    A party keeps its stored signatory unless the caller chooses for it: a caller who does not
    manage a party may resend its signatory or leave it null, and both keep it; any other id
    goes through ``signatory_check``.
    """
    chosen: list[int | None] = []
    for index, party in enumerate(parties):
        kept = stored.get(party.organisation_id)
        if party.signatory_id == kept or (
            party.signatory_id is None and not await manages(user, party.organisation_id)
        ):
            chosen.append(kept)
            continue
        await signatory_check(
            user,
            organisation_id=party.organisation_id,
            signatory_id=party.signatory_id,
            field=f"parties[{index}].signatory_id",
        )
        chosen.append(party.signatory_id)
    return chosen


async def party_update(
    *,
    user: CurrentUser,
    agreement_id: int,
    party_id: int,
    expected_version: int,
    data: schemas.PartyUpdate,
) -> tuple[schemas.Party, int]:
    """Set (or clear, with null) one party's signatory; returns the party and the agreement's
    new version (the party is part of the agreement: ``If-Match`` names its version)."""
    # The party is read from its agreement, whose stage decides: before/after set here.
    async with audited(
        actor_id=user.actor_id, action="update", entity="agreement_party", entity_id=party_id
    ) as write:
        before = await agreement_get(user=user, agreement_id=agreement_id)
        party = next((p for p in before.parties if p.id == party_id), None)
        if party is None:
            raise errors.NotFound(errors.NOT_FOUND.format(entity="party"))
        write.before = party
        if before.stage not in workflow.SIGNATORY_STAGES:
            raise errors.Conflict(SIGNATORY_FIXED.format(stage=before.stage))
        if not await manages(user, party.organisation_id):
            raise errors.Forbidden(PARTY_NOT_YOURS)
        await signatory_check(
            user,
            organisation_id=party.organisation_id,
            signatory_id=data.signatory_id,
            field="signatory_id",
        )
        version = await write_if_version(
            Agreement, agreement_id, expected=expected_version, values={}, entity="agreement"
        )
        await AgreementParty.update({AgreementParty.signatory: data.signatory_id}).where(
            AgreementParty.id == party_id
        )
        write.after = next(
            p
            for p in (await agreement_get(user=user, agreement_id=agreement_id)).parties
            if p.id == party_id
        )
    return write.after, version
