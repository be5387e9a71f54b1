"""Who is told: users by role in the parties of an agreement, or by the person they are.

Only active users; the actor of an event is never told about their own act.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from piccolo.custom_types import Combinable

from mou.accounts.tables import User
from mou.agreements.tables import AgreementParty

#: Parties that bind themselves; a witness does not approve.
PRINCIPAL_ROLES = ("first_party", "second_party", "party")
LIAISONS_AND_MANAGERS = ("liaison", "manager")
MANAGERS = ("manager",)


@dataclass(frozen=True, slots=True)
class Recipient:
    id: int
    locale: str
    email: str
    email_muted: frozenset[str]


async def _users(where: Combinable) -> list[Recipient]:
    rows = (
        await User.select(User.id, User.locale, User.email, User.email_muted)
        .where(
            where & (User.active == True)  # noqa: E712  (Piccolo builds SQL from ==)
        )
        .order_by(User.id)
    )
    return [
        Recipient(
            id=row["id"],
            locale=row["locale"],
            email=row["email"] or "",
            email_muted=frozenset(kind for kind in (row["email_muted"] or "").split(",") if kind),
        )
        for row in rows
    ]


async def party_users(
    *, agreement_id: int, roles: Iterable[str], principal_only: bool = False
) -> list[Recipient]:
    """Users with one of ``roles`` in the organisations of the agreement's parties."""
    query = AgreementParty.select(AgreementParty.organisation).where(
        AgreementParty.agreement == agreement_id
    )
    if principal_only:
        query = query.where(AgreementParty.role.is_in(list(PRINCIPAL_ROLES)))
    organisations = sorted({row["organisation"] for row in await query})
    if not organisations:
        return []
    return await _users(User.organisation.is_in(organisations) & User.role.is_in(list(roles)))


async def owner_users(*, person_id: int | None, organisation_id: int | None) -> list[Recipient]:
    """The users an action item's owner is: the owner person's accounts, or else (an
    organisation owns it) that organisation's liaisons."""
    if person_id is not None:
        return await _users(User.person == person_id)
    if organisation_id is not None:
        return await _users((User.organisation == organisation_id) & (User.role == "liaison"))
    return []


async def user_recipients(user_ids: Iterable[int]) -> list[Recipient]:
    ids = sorted(set(user_ids))
    return await _users(User.id.is_in(ids)) if ids else []
