"""The app does not start unless the policy names exactly its routes."""

from __future__ import annotations

import pytest

from mou import policy
from mou.app import create_app
from mou.caller import ADMIN
from mou.web import guard


def test_app_refuses_to_start_with_a_route_missing_from_the_policy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    roles = dict(policy.ROUTE_ROLES)
    del roles["agreement_history"]
    monkeypatch.setattr(policy, "ROUTE_ROLES", roles)
    with pytest.raises(RuntimeError) as refused:
        create_app()
    assert str(refused.value) == guard.UNLISTED_ROUTES.format(
        names="agreement_history (GET /api/v1/agreements/{agreement_id:int}/history)"
    )


def test_app_refuses_to_start_with_a_policy_entry_naming_no_route(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(policy, "ROUTE_ROLES", {**policy.ROUTE_ROLES, "agreement_purge": ADMIN})
    with pytest.raises(RuntimeError) as refused:
        create_app()
    assert str(refused.value) == guard.UNKNOWN_ENTRIES.format(names="agreement_purge")


def test_every_route_of_the_app_has_a_policy_entry() -> None:
    handlers = guard.policed_handlers(create_app())
    assert handlers.keys() == policy.ROUTE_ROLES.keys()
