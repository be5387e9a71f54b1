"""The people of the workflow tests: three organisations party to an agreement, their staff.

Works inside a test's rolled-back transaction and outside it (the concurrency tests commit).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

from mou import clock
from mou.agreements.schemas import AgreementCreate, PartyIn, PartyRole
from mou.agreements.services import agreement_create
from mou.agreements.tables import Agreement, AgreementParty, Approval, ScopeItem, StageChange
from mou.audit.tables import AuditEvent
from mou.caller import CurrentUser, Role
from mou.parties.schemas import PersonCreate
from mou.parties.services import person_create
from tests.conftest import Actors

TODAY = clock.today()
#: Who plays which part; ``a``, ``b`` and ``c`` are principal parties, ``w`` a witness.
ROLES = {
    "admin": ("admin", None),
    "manager_a": ("manager", "a"),
    "manager_b": ("manager", "b"),
    "manager_c": ("manager", "c"),
    "manager_w": ("manager", "w"),
    "liaison_a": ("liaison", "a"),
    "viewer_a": ("viewer", "a"),
    "outsider": ("manager", "outsider"),
}


@dataclass
class Cast:
    organisations: dict[str, int] = field(default_factory=dict)
    signatories: dict[str, int] = field(default_factory=dict)
    users: dict[str, CurrentUser] = field(default_factory=dict)
    headers: dict[str, dict[str, str]] = field(default_factory=dict)

    async def agreement(
        self,
        stage: str = "draft",
        *,
        parties: str = "abw",
        start: dt.date | None = TODAY - dt.timedelta(days=30),
        end: dt.date | None = TODAY + dt.timedelta(days=365),
    ) -> int:
        """An agreement between ``parties``, put straight into ``stage``."""
        roles: Iterator[PartyRole] = iter(["first_party", "second_party", "party", "party"])
        created = await agreement_create(
            user=self.users["admin"],
            data=AgreementCreate(
                title="Uji alur kerja",
                kind="pks",
                start_date=start,
                end_date=end,
                parties=[
                    PartyIn(
                        organisation_id=self.organisations[key],
                        role="witness" if key == "w" else next(roles),
                        signatory_id=self.signatories[key],
                    )
                    for key in parties
                ],
            ),
        )
        if stage != "draft":
            signed = stage in {"signed", "active", "expired", "terminated"}
            await Agreement.update(
                {Agreement.stage: stage, Agreement.signed_on: start if signed else None}
            ).where(Agreement.id == created.id)
        return created.id


async def chain_end() -> int:
    """The id of the audit chain's last event (0: none), to undo committed events down to."""
    last = await AuditEvent.select(AuditEvent.id).order_by(AuditEvent.id, ascending=False).first()
    return int(last["id"]) if last else 0


async def cast_agreements_delete(cast: Cast, *, events_after: int) -> None:
    """Delete the committed agreements of ``cast`` (and renewals), so other tests' lists stay
    theirs, and the audit events after ``events_after`` (a ``chain_end()``), which recorded
    that evidence: what remains is a prefix of the chain, which ``mou audit verify`` passes."""
    ids = [
        row["agreement"]
        for row in await AgreementParty.select(AgreementParty.agreement).where(
            AgreementParty.organisation.is_in(list(cast.organisations.values()))
        )
    ]
    await AuditEvent.delete().where(AuditEvent.id > events_after)
    if not ids:
        return
    await Agreement.update({Agreement.renewal_of: None, Agreement.parent: None}).where(
        Agreement.id.is_in(ids)
    )
    for table in (Approval, StageChange, ScopeItem, AgreementParty):
        await table.delete().where(table.agreement.is_in(ids))
    await Agreement.delete().where(Agreement.id.is_in(ids))


async def make_cast(actors: Actors) -> Cast:
    cast = Cast()
    for key in ("a", "b", "c", "w", "outsider"):
        cast.organisations[key] = await actors.organisation()
        person = await person_create(
            user=CurrentUser.system(),
            data=PersonCreate(
                full_name=f"Kepala {key.upper()}",
                position="Kepala Dinas",
                organisation_id=cast.organisations[key],
            ),
        )
        cast.signatories[key] = person.id
    for name, (role, organisation) in ROLES.items():
        organisation_id = cast.organisations[organisation] if organisation else None
        user_id, headers = await actors.user(role, organisation_id)
        cast.users[name] = CurrentUser(
            id=user_id,
            username=name,
            role=Role(role),
            organisation_id=organisation_id or 0,
            person_id=None,
            locale="id",
        )
        cast.headers[name] = headers
    return cast
