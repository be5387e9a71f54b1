"""Stage actions, history and the approvals work list through the JSON API."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest

from mou import errors
from mou.agreements import workflow
from mou.agreements.actions import _approval_insert
from mou.agreements.tables import Agreement, AgreementParty, Approval, ScopeItem, StageChange
from mou.audit.tables import AuditEvent
from mou.db import atomic
from tests.conftest import Actors
from tests.integration.workflow_cast import TODAY, Cast, make_cast


@pytest.fixture
async def cast(actors: Actors) -> Cast:
    return await make_cast(actors)


class Api:
    def __init__(self, client: httpx.AsyncClient, cast: Cast) -> None:
        self.client, self.cast = client, cast

    async def act(
        self,
        who: str,
        agreement_id: int,
        action: str,
        version: int | None,
        **body: Any,
    ) -> httpx.Response:
        headers = dict(self.cast.headers[who])
        if version is not None:
            headers["If-Match"] = f'"{version}"'
        return await self.client.post(
            f"/api/v1/agreements/{agreement_id}/actions/{action}",
            headers=headers,
            json=body or None,
        )

    async def ok(self, who: str, agreement_id: int, action: str, **body: Any) -> dict[str, Any]:
        version = (await self.get("admin", agreement_id))["version"]
        response = await self.act(who, agreement_id, action, version, **body)
        assert response.status_code in (200, 201), response.text
        assert response.headers["etag"] == f'"{response.json()["version"]}"'
        return response.json()

    async def get(self, who: str, agreement_id: int) -> dict[str, Any]:
        response = await self.client.get(
            f"/api/v1/agreements/{agreement_id}", headers=self.cast.headers[who]
        )
        assert response.status_code == 200, response.text
        return response.json()

    async def history(self, who: str, agreement_id: int) -> list[dict[str, Any]]:
        response = await self.client.get(
            f"/api/v1/agreements/{agreement_id}/history", headers=self.cast.headers[who]
        )
        assert response.status_code == 200, response.text
        return response.json()["items"]

    async def waiting(self, who: str) -> list[dict[str, Any]]:
        response = await self.client.get(
            "/api/v1/approvals/waiting", headers=self.cast.headers[who]
        )
        assert response.status_code == 200, response.text
        return response.json()["items"]


@pytest.fixture
def api(client: httpx.AsyncClient, cast: Cast) -> Api:
    return Api(client, cast)


async def _rows(agreement_id: int) -> tuple[int, int, int, int]:
    """What an action writes: stage changes, approvals, audit events, the version."""
    version = await Agreement.select(Agreement.version).where(Agreement.id == agreement_id)
    return (
        await StageChange.count().where(StageChange.agreement == agreement_id),
        await Approval.count().where(Approval.agreement == agreement_id),
        await AuditEvent.count().where(
            (AuditEvent.entity == "agreement") & (AuditEvent.entity_id == agreement_id)
        ),
        version[0]["version"],
    )


async def test_agreement_goes_from_draft_to_terminated_with_every_step_recorded(
    api: Api, cast: Cast
) -> None:
    agreement_id = await cast.agreement(parties="abw")
    assert (await api.ok("liaison_a", agreement_id, "submit"))["stage"] == "review"
    waiting_b = await api.waiting("manager_b")
    assert [(w["agreement_id"], w["organisation_id"]) for w in waiting_b] == [
        (agreement_id, cast.organisations["b"])
    ]
    assert await api.waiting("manager_w") == []
    assert (await api.ok("manager_a", agreement_id, "approve"))["stage"] == "review"
    assert (await api.ok("manager_b", agreement_id, "approve", comment="Setuju"))[
        "stage"
    ] == "approved"
    assert await api.waiting("manager_b") == []
    signed = await api.ok("manager_a", agreement_id, "sign", signed_on=TODAY.isoformat())
    assert (signed["stage"], signed["signed_on"]) == ("signed", TODAY.isoformat())
    assert (await api.ok("manager_b", agreement_id, "activate"))["stage"] == "active"
    ended = await api.ok("manager_a", agreement_id, "terminate", comment="Anggaran dihentikan")
    assert (ended["stage"], ended["version"]) == ("terminated", 7)

    history = await api.history("viewer_a", agreement_id)
    assert [(h["kind"], h["action"], h["from_stage"], h["to_stage"]) for h in history] == [
        ("stage_change", "submit", "draft", "review"),
        ("approval", "approve", "review", "review"),
        ("approval", "approve", "review", "review"),
        ("stage_change", "approve", "review", "approved"),
        ("stage_change", "sign", "approved", "signed"),
        ("stage_change", "activate", "signed", "active"),
        ("stage_change", "terminate", "active", "terminated"),
    ]
    actors = ["liaison_a", "manager_a", "manager_b", "manager_b", "manager_a", "manager_b"]
    actors.append("manager_a")
    assert [h["actor_id"] for h in history] == [cast.users[name].id for name in actors]
    assert history[2]["comment"] == "Setuju"
    assert history[2]["organisation_id"] == cast.organisations["b"]
    assert history[-1]["comment"] == "Anggaran dihentikan"
    assert [h["at"] for h in history] == sorted(h["at"] for h in history)
    actions = await AuditEvent.select(AuditEvent.action).where(
        (AuditEvent.entity == "agreement") & (AuditEvent.entity_id == agreement_id)
    )
    assert [a["action"] for a in actions] == [
        "create",
        "submit",
        "approve",
        "approve",
        "sign",
        "activate",
        "terminate",
    ]


async def test_action_without_if_match_is_428_and_stale_is_412_writing_nothing(
    api: Api, cast: Cast
) -> None:
    agreement_id = await cast.agreement()
    before = await _rows(agreement_id)
    missing = await api.act("liaison_a", agreement_id, "submit", None)
    assert missing.status_code == 428
    stale = await api.act("liaison_a", agreement_id, "submit", 7)
    assert stale.status_code == 412
    assert stale.headers["content-type"].startswith("application/problem+json")
    assert await _rows(agreement_id) == before


@pytest.mark.parametrize(
    ("stage", "action", "who"),
    [
        ("draft", "approve", "manager_a"),
        ("review", "submit", "liaison_a"),
        ("approved", "terminate", "manager_a"),
        ("active", "sign", "manager_a"),
        ("cancelled", "renew", "liaison_a"),
        ("terminated", "activate", "manager_a"),
    ],
)
async def test_action_not_allowed_in_the_stage_is_409_writing_nothing(
    api: Api, cast: Cast, stage: str, action: str, who: str
) -> None:
    agreement_id = await cast.agreement(stage)
    before = await _rows(agreement_id)
    agreements = await Agreement.count()
    response = await api.act(
        who, agreement_id, action, before[3], comment="x", signed_on=TODAY.isoformat()
    )
    assert response.status_code == 409, response.text
    assert await _rows(agreement_id) == before
    assert await Agreement.count() == agreements


async def test_second_approval_by_the_same_party_is_409(api: Api, cast: Cast) -> None:
    agreement_id = await cast.agreement("review", parties="ab")
    await api.ok("manager_a", agreement_id, "approve")
    before = await _rows(agreement_id)
    again = await api.act("manager_a", agreement_id, "approve", before[3])
    assert again.status_code == 409
    assert again.json()["detail"] == workflow.ALREADY_APPROVED
    assert await _rows(agreement_id) == before


async def test_roles_that_may_not_act_are_refused_with_403(api: Api, cast: Cast) -> None:
    agreement_id = await cast.agreement("review", parties="ab")
    version = (await api.get("admin", agreement_id))["version"]
    viewer = await api.act("viewer_a", agreement_id, "submit", version)
    liaison = await api.act("liaison_a", agreement_id, "approve", version)
    assert [viewer.status_code, liaison.status_code] == [403, 403]
    waiting = await api.client.get("/api/v1/approvals/waiting", headers=cast.headers["liaison_a"])
    assert waiting.status_code == 403


async def test_witness_manager_neither_approves_nor_is_waited_for(api: Api, cast: Cast) -> None:
    agreement_id = await cast.agreement("review", parties="abw")
    version = (await api.get("admin", agreement_id))["version"]
    response = await api.act("manager_w", agreement_id, "approve", version)
    assert response.status_code == 403
    await api.ok("manager_a", agreement_id, "approve")
    assert (await api.ok("manager_b", agreement_id, "approve"))["stage"] == "approved"


async def test_invisible_agreement_answers_404_like_a_missing_one(api: Api, cast: Cast) -> None:
    agreement_id = await cast.agreement("review", parties="ab")
    before = await _rows(agreement_id)
    hidden = await api.act("outsider", agreement_id, "approve", before[3])
    missing = await api.act("outsider", 2_000_000_000, "approve", before[3])
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["detail"] == missing.json()["detail"]
    history = await api.client.get(
        f"/api/v1/agreements/{agreement_id}/history", headers=cast.headers["outsider"]
    )
    assert history.status_code == 404
    assert await _rows(agreement_id) == before


async def test_return_needs_a_comment_and_starts_a_new_round_keeping_approvals(
    api: Api, cast: Cast
) -> None:
    agreement_id = await cast.agreement("review", parties="ab")
    await api.ok("manager_a", agreement_id, "approve")
    version = (await api.get("admin", agreement_id))["version"]
    silent = await api.act("manager_b", agreement_id, "return", version)
    assert silent.status_code == 422
    assert silent.json()["errors"][0]["field"] == "comment"
    returned = await api.ok("manager_b", agreement_id, "return", comment="Pasal 3 kurang jelas")
    assert returned["stage"] == "draft"
    assert await Approval.count().where(Approval.agreement == agreement_id) == 1
    await api.ok("liaison_a", agreement_id, "submit")
    assert [w["organisation_id"] for w in await api.waiting("manager_a")] == [
        cast.organisations["a"]
    ]
    again = await api.ok("manager_a", agreement_id, "approve")
    assert again["stage"] == "review"
    rounds = await Approval.select(Approval.approval_round).where(
        Approval.agreement == agreement_id
    )
    assert sorted(r["approval_round"] for r in rounds) == [1, 2]


async def test_sign_needs_a_date_and_every_signatory(api: Api, cast: Cast) -> None:
    agreement_id = await cast.agreement("approved", parties="ab")
    version = (await api.get("admin", agreement_id))["version"]
    undated = await api.act("manager_a", agreement_id, "sign", version)
    assert undated.status_code == 422
    assert undated.json()["errors"][0]["field"] == "signed_on"
    future = (TODAY + dt.timedelta(days=2)).isoformat()
    early = await api.act("manager_a", agreement_id, "sign", version, signed_on=future)
    assert early.status_code == 422
    await Agreement.raw(
        "UPDATE agreement_party SET signatory = NULL WHERE agreement = {}", agreement_id
    )
    unsigned = await api.act(
        "manager_a", agreement_id, "sign", version, signed_on=TODAY.isoformat()
    )
    assert unsigned.status_code == 409
    assert "signatory" in unsigned.json()["detail"]


async def test_renew_answers_201_with_a_linked_draft_copying_parties_and_scope(
    api: Api, cast: Cast
) -> None:
    agreement_id = await cast.agreement(
        "expired", parties="abw", start=dt.date(2022, 1, 1), end=dt.date(2023, 12, 31)
    )
    await ScopeItem(
        agreement=agreement_id, kind="co_produced_content", title="Iklan layanan", status="done"
    ).save()
    version = (await api.get("admin", agreement_id))["version"]
    response = await api.act("liaison_a", agreement_id, "renew", version)
    assert response.status_code == 201, response.text
    draft = response.json()
    assert (draft["stage"], draft["renewal_of_id"], draft["version"]) == ("draft", agreement_id, 1)
    assert [(p["organisation_id"], p["role"]) for p in draft["parties"]] == [
        (cast.organisations["a"], "first_party"),
        (cast.organisations["b"], "second_party"),
        (cast.organisations["w"], "witness"),
    ]
    assert [(s["title"], s["status"]) for s in draft["scope_items"]] == [
        ("Iklan layanan", "planned")
    ]
    assert (draft["start_date"], draft["end_date"]) == ("2024-01-01", "2025-12-30")
    old = await api.get("admin", agreement_id)
    assert (old["stage"], old["version"]) == ("expired", version + 1)
    history = await api.history("admin", agreement_id)
    assert history[-1]["action"] == "renew"
    assert f"agreement {draft['id']}" in history[-1]["comment"]
    twice = await api.act("liaison_a", agreement_id, "renew", version + 1)
    assert twice.status_code == 409
    assert twice.json()["detail"] == workflow.ALREADY_RENEWED


async def test_closed_agreement_refuses_edits_but_renewal(
    api: Api, cast: Cast, client: httpx.AsyncClient
) -> None:
    agreement_id = await cast.agreement("terminated", parties="ab")
    headers = {**cast.headers["manager_a"], "If-Match": '"1"'}
    patch = await client.patch(f"/api/v1/agreements/{agreement_id}", headers=headers, json={})
    scope = await client.post(
        f"/api/v1/agreements/{agreement_id}/scope-items",
        headers=cast.headers["manager_a"],
        json={"kind": "other", "title": "Baru"},
    )
    meeting = await client.post(
        f"/api/v1/agreements/{agreement_id}/meetings",
        headers=cast.headers["liaison_a"],
        json={
            "title": "Rapat evaluasi",
            "kind": "review",
            "starts_at": "2024-01-10T10:00:00",
            "ends_at": "2024-01-10T12:00:00",
            "timezone": "Asia/Jakarta",
        },
    )
    renew = await api.act("liaison_a", agreement_id, "renew", 1)
    statuses = [patch.status_code, scope.status_code, meeting.status_code, renew.status_code]
    assert statuses == [409, 409, 409, 409]


async def test_alive_agreement_keeps_scope_open_but_fields_closed(
    api: Api, cast: Cast, client: httpx.AsyncClient
) -> None:
    agreement_id = await cast.agreement("active", parties="ab")
    headers = {**cast.headers["manager_a"], "If-Match": '"1"'}
    patch = await client.patch(
        f"/api/v1/agreements/{agreement_id}", headers=headers, json={"title": "Baru"}
    )
    scope = await client.post(
        f"/api/v1/agreements/{agreement_id}/scope-items",
        headers=cast.headers["manager_a"],
        json={"kind": "other", "title": "Baru"},
    )
    assert [patch.status_code, scope.status_code] == [409, 201]


async def test_agreement_list_filters_work_lists_by_stage_and_expiry(
    api: Api, cast: Cast, client: httpx.AsyncClient
) -> None:
    soon = await cast.agreement("active", parties="ab", end=TODAY + dt.timedelta(days=20))
    await cast.agreement("active", parties="ab", end=TODAY + dt.timedelta(days=200))
    response = await client.get(
        "/api/v1/agreements",
        params={"stage": "active", "expiring_within_days": 30},
        headers=cast.headers["manager_a"],
    )
    assert [item["id"] for item in response.json()["items"]] == [soon]


async def test_unknown_action_is_refused_as_bad_input(api: Api, cast: Cast) -> None:
    agreement_id = await cast.agreement()
    response = await api.act("admin", agreement_id, "expire", 1)
    assert response.status_code == 400
    assert await _rows(agreement_id) == (0, 0, 1, 1)


async def test_unique_index_refuses_a_twin_approval_as_conflict(cast: Cast) -> None:
    """The last line of defence, should two writers ever get past the lock and the version."""
    agreement_id = await cast.agreement("review", parties="ab")
    party = await AgreementParty.select(AgreementParty.id).where(
        AgreementParty.agreement == agreement_id
    )
    row = {"id": agreement_id, "approval_round": 1}
    at = dt.datetime.now(dt.UTC)
    async with atomic():
        await _approval_insert(cast.users["manager_a"], row, party[0]["id"], "", at)
    with pytest.raises(errors.Conflict):
        async with atomic():
            await _approval_insert(cast.users["manager_a"], row, party[0]["id"], "", at)
    assert await Approval.count().where(Approval.agreement == agreement_id) == 1
