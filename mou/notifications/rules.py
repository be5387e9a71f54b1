"""Which audited writes tell whom: (entity, action, after) -> notifications.

Called for every audit event, inside its transaction (``mou.audit.services.audit_record``), so
a notification exists exactly when the write that causes it commits, and no service has to
remember a second call.
"""

from __future__ import annotations

from typing import Any

from mou.meetings.tables import Meeting
from mou.notifications.messages import REASON, VERIFY, line_translate
from mou.notifications.outbox import notifications_write, page_link
from mou.notifications.recipients import (
    LIAISONS_AND_MANAGERS,
    MANAGERS,
    owner_users,
    party_users,
)

#: Stage actions that tell the parties, and the kind each becomes.
AGREEMENT_KINDS = {
    "submit": "agreement_submitted",
    "return": "agreement_returned",
    "sign": "agreement_signed",
    "activate": "agreement_activated",
    "expire": "agreement_expired",
    "terminate": "agreement_terminated",
}


async def notifications_for_event(
    *,
    actor_id: int | None,
    action: str,
    entity: str,
    entity_id: int | None,
    before: Any,
    after: Any,
) -> None:
    """Write the notifications the audited write (entity, action, after) causes, if any."""
    if entity_id is None or not isinstance(after, dict):
        return
    if entity == "agreement" and (action in AGREEMENT_KINDS or action == "approve"):
        await _agreement_event(actor_id, action, entity_id, after)
    elif entity == "minutes" and action == "finalize":
        await _minutes_finalized(actor_id, entity_id, after)
    elif entity == "action_item" and action == "create":
        await _action_item_assigned(actor_id, entity_id, after)


async def _agreement_event(
    actor_id: int | None, action: str, agreement_id: int, after: dict[str, Any]
) -> None:
    if action == "approve":
        kind = (
            "agreement_approved_all"
            if after.get("stage") == "approved"
            else ("agreement_approved_party")
        )
    else:
        kind = AGREEMENT_KINDS[action]
    if kind == "agreement_submitted":
        recipients = await party_users(
            agreement_id=agreement_id, roles=MANAGERS, principal_only=True
        )
    else:
        recipients = await party_users(agreement_id=agreement_id, roles=LIAISONS_AND_MANAGERS)
    reason = str((after.get("stage_change") or {}).get("comment") or "")
    await notifications_write(
        kind=kind,
        # The version moves with every action: one notification per occurrence.
        key=f"agreement:{agreement_id}:v{after.get('version')}:{kind}",
        recipients=recipients,
        link=page_link(f"/agreements/{agreement_id}"),
        details={"title": after.get("title", "")},
        extra=(lambda language: [line_translate(REASON, language, reason=reason)])
        if kind == "agreement_returned" and reason
        else None,
        exclude=actor_id,
    )


async def _minutes_finalized(actor_id: int | None, meeting_id: int, after: dict[str, Any]) -> None:
    meeting = (
        await Meeting.select(Meeting.title, Meeting.agreement)
        .where(Meeting.id == meeting_id)
        .first()
    )
    documents = after.get("documents") or []
    if meeting is None or not documents:
        return
    verify_url = page_link(f"/verify/{documents[0]['sha256']}")
    await notifications_write(
        kind="minutes_finalized",
        key=f"minutes:{meeting_id}:v{after.get('version')}",
        recipients=await party_users(
            agreement_id=meeting["agreement"], roles=LIAISONS_AND_MANAGERS
        ),
        link=verify_url,
        details={"title": meeting["title"]},
        extra=lambda language: [line_translate(VERIFY, language, url=verify_url)],
        exclude=actor_id,
    )


async def _action_item_assigned(
    actor_id: int | None, action_item_id: int, after: dict[str, Any]
) -> None:
    recipients = await owner_users(
        person_id=after.get("owner_person_id"), organisation_id=after.get("owner_organisation_id")
    )
    if not recipients:
        return
    await notifications_write(
        kind="action_item_assigned",
        key=f"action_item:{action_item_id}:assigned",
        recipients=recipients,
        link=page_link(f"/action-items/{action_item_id}"),
        details={"title": after.get("title", "")},
        exclude=actor_id,
    )
