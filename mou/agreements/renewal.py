"""Renewal: a new draft linked to the agreement it renews, with its parties and scope."""

from __future__ import annotations

import datetime as dt

from mou.accounts.schemas import CurrentUser
from mou.agreements import schemas
from mou.agreements.selectors import agreement_get
from mou.agreements.tables import Agreement, AgreementParty, ScopeItem
from mou.audit import audited


def next_period(
    start: dt.date | None, end: dt.date | None
) -> tuple[dt.date | None, dt.date | None]:
    """The period after ``start``..``end``, as long as it; open when the old one was."""
    if end is None:
        return None, None
    if start is None:
        return end + dt.timedelta(days=1), None
    return end + dt.timedelta(days=1), end + (end - start) + dt.timedelta(days=1)


async def renewal_create(*, user: CurrentUser, agreement_id: int) -> schemas.Agreement:
    """Create the renewal's draft; call inside the ``renew`` action's transaction.

    Copies title, kind, purpose, parent, parties with their signatories, and scope items
    (planned again, without due dates); proposes the next period of the same length and
    leaves the reference number to be issued. Everything stays editable in draft.
    """
    async with audited(
        actor_id=user.actor_id,
        action="create",
        entity="agreement",
        read=lambda renewal_id: agreement_get(user=user, agreement_id=renewal_id),
    ) as write:
        old = await Agreement.select(
            Agreement.title,
            Agreement.kind,
            Agreement.purpose,
            Agreement.parent,
            Agreement.start_date,
            Agreement.end_date,
        ).where(Agreement.id == agreement_id)
        start, end = next_period(old[0]["start_date"], old[0]["end_date"])
        row = Agreement(
            title=old[0]["title"],
            kind=old[0]["kind"],
            purpose=old[0]["purpose"],
            parent=old[0]["parent"],
            renewal_of=agreement_id,
            stage="draft",
            start_date=start,
            end_date=end,
            created_by=user.actor_id,
        )
        await row.save()
        write.entity_id = row.id
        parties = await AgreementParty.select().where(AgreementParty.agreement == agreement_id)
        if parties:
            await AgreementParty.insert(
                *(
                    AgreementParty(
                        agreement=row.id,
                        organisation=p["organisation"],
                        role=p["role"],
                        signatory=p["signatory"],
                        position=p["position"],
                    )
                    for p in parties
                )
            )
        items = await ScopeItem.select().where(ScopeItem.agreement == agreement_id)
        if items:
            await ScopeItem.insert(
                *(
                    ScopeItem(
                        agreement=row.id,
                        kind=s["kind"],
                        title=s["title"],
                        description=s["description"],
                        lead_organisation=s["lead_organisation"],
                        status="planned",
                        position=s["position"],
                    )
                    for s in items
                )
            )
    return write.after
