"""Tokens are named, listable, revocable; password logins are throttled and constant-work."""

from __future__ import annotations

import dataclasses
from typing import Any, Literal

import httpx
import pytest
import uvicorn
from argon2 import PasswordHasher

from mou.accounts import passwords, services
from mou.accounts.tables import ApiToken
from mou.app import create_app
from mou.cli import SERVER_APP, SERVER_OPTIONS
from mou.settings import get_settings
from tests.asgi import asgi
from tests.conftest import KNOWN_PASSWORD, Actors


async def _username(user_id: int) -> str:
    from mou.accounts.tables import User

    row = await User.select(User.username).where(User.id == user_id).first()
    assert row is not None
    return str(row["username"])


async def test_token_exchange_gives_a_working_token_stored_only_as_hash(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    user_id, _ = await actors.user("viewer")
    response = await client.post(
        "/api/v1/auth/token",
        json={
            "username": await _username(user_id),
            "password": KNOWN_PASSWORD,
            "name": "laptop",
        },
    )
    assert response.status_code == 200, response.text
    token = response.json()["access_token"]
    assert response.json()["token_type"] == "bearer"
    assert not await ApiToken.exists().where(ApiToken.token_hash == token)
    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["id"] == user_id


async def test_tokens_are_listed_and_revoked_by_their_owner_only(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    owner_id, owner = await actors.user("liaison")
    _, stranger = await actors.user("manager")
    created = await client.post(
        "/api/v1/tokens",
        headers=owner,
        json={"name": "script", "expires_in_days": 7, "password": KNOWN_PASSWORD},
    )
    assert created.status_code == 201, created.text
    script = {"Authorization": f"Bearer {created.json()['access_token']}"}
    listing = await client.get("/api/v1/tokens", headers=owner)
    assert sorted(t["name"] for t in listing.json()["items"]) == ["script", "test"]
    assert {t["user_id"] for t in listing.json()["items"]} == {owner_id}
    token_id = created.json()["id"]
    foreign = await client.delete(f"/api/v1/tokens/{token_id}", headers=stranger)
    missing = await client.delete("/api/v1/tokens/999999", headers=stranger)
    assert (
        (foreign.status_code, foreign.json())
        == (missing.status_code, missing.json())
        == (404, missing.json())
    )
    assert (await client.get("/api/v1/me", headers=script)).status_code == 200
    revoked = await client.delete(f"/api/v1/tokens/{token_id}", headers=owner)
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["revoked_at"] is not None
    assert (await client.get("/api/v1/me", headers=script)).status_code == 401


async def test_admin_revokes_anyones_token(
    client: httpx.AsyncClient, actors: Actors, admin: dict[str, str]
) -> None:
    user_id, headers = await actors.user("viewer")
    listing = await client.get("/api/v1/tokens", params={"user_id": user_id}, headers=admin)
    [token] = listing.json()["items"]
    assert (await client.delete(f"/api/v1/tokens/{token['id']}", headers=admin)).status_code == 200
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 401


def client_from(app: Any, address: str) -> httpx.AsyncClient:
    """A client the server sees at ``address`` (inside the test's transaction, like ``client``)."""
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://mou.test")


async def _login(client: httpx.AsyncClient, username: str, password: str) -> int:
    response = await client.post(
        "/api/v1/auth/token", json={"username": username, "password": password}
    )
    return response.status_code


async def test_login_is_throttled_per_username_and_address_with_retry_after(
    client: httpx.AsyncClient, actors: Actors, app: Any
) -> None:
    user_id, _ = await actors.user("viewer")
    username = await _username(user_id)
    limit = get_settings().login_failures_per_user_address
    assert [await _login(client, username, "wrong") for _ in range(limit)] == [401] * limit
    blocked = await client.post(
        "/api/v1/auth/token", json={"username": username, "password": KNOWN_PASSWORD}
    )
    assert blocked.status_code == 429
    assert blocked.headers["content-type"].startswith("application/problem+json")
    assert 0 < int(blocked.headers["retry-after"]) <= get_settings().login_window_seconds
    # A stranger's failures from one address do not lock the user out elsewhere.
    async with client_from(app, "192.0.2.77") as elsewhere:
        assert await _login(elsewhere, username, KNOWN_PASSWORD) == 200


async def test_strangers_lock_a_user_out_of_new_addresses_only(
    client: httpx.AsyncClient, actors: Actors, app: Any
) -> None:
    """Strangers spread over addresses stop at the per-username limit; from then on the user is
    refused at a new address but still gets in where they signed in before."""
    user_id, _ = await actors.user("viewer")
    username = await _username(user_id)
    async with client_from(app, "203.0.113.1") as home:
        assert await _login(home, username, KNOWN_PASSWORD) == 200
    settings = get_settings()
    per_address = settings.login_failures_per_user_address
    addresses = -(-settings.login_failures_per_user // per_address)
    statuses: list[int] = []
    for n in range(addresses):
        async with client_from(app, f"198.51.100.{n + 1}") as stranger:
            for _ in range(per_address):
                statuses.append(await _login(stranger, username, "wrong"))
    assert statuses.count(401) == settings.login_failures_per_user
    async with client_from(app, "203.0.113.9") as fresh:
        assert await _login(fresh, username, KNOWN_PASSWORD) == 429
    async with client_from(app, "203.0.113.1") as home:
        assert await _login(home, username, KNOWN_PASSWORD) == 200


async def test_login_is_throttled_per_client_address(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    user_id, _ = await actors.user("viewer")
    for n in range(get_settings().login_failures_per_address):
        response = await client.post(
            "/api/v1/auth/token", json={"username": f"nobody{n}", "password": "x"}
        )
        assert response.status_code == 401
    blocked = await client.post(
        "/api/v1/auth/token",
        json={"username": await _username(user_id), "password": KNOWN_PASSWORD},
    )
    assert blocked.status_code == 429


async def test_unknown_user_costs_one_password_check_like_a_known_one(
    client: httpx.AsyncClient, actors: Actors, monkeypatch: pytest.MonkeyPatch
) -> None:
    user_id, _ = await actors.user("viewer")
    checks: list[str] = []

    class CountingHasher(PasswordHasher):
        def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
            checks.append(str(hash))
            return super().verify(hash, password)

    monkeypatch.setattr(passwords, "_hasher", CountingHasher())
    known = await client.post(
        "/api/v1/auth/token", json={"username": await _username(user_id), "password": "nope"}
    )
    unknown = await client.post(
        "/api/v1/auth/token", json={"username": "no-such-user", "password": "nope"}
    )
    assert known.status_code == unknown.status_code == 401
    assert known.json() == unknown.json()
    assert len(checks) == 2  # one argon2 verification each, the unknown one against a dummy hash


def _bearer(token: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {token['access_token']}"}


async def test_a_long_lived_token_needs_the_password_and_a_bounded_life(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    _, owner = await actors.user("liaison")
    days = get_settings().token_max_days
    long = {"name": "ci", "expires_in_days": days}
    unconfirmed = await client.post("/api/v1/tokens", headers=owner, json=long)
    assert unconfirmed.status_code == 422
    assert unconfirmed.json()["errors"][0]["field"] == "password"
    assert unconfirmed.json()["errors"][0]["message"] == services.TOKEN_NEEDS_PASSWORD.format(
        hours=get_settings().token_ttl_hours
    )
    wrong = await client.post("/api/v1/tokens", headers=owner, json={**long, "password": "nope"})
    assert (wrong.status_code, wrong.json()["errors"][0]["message"]) == (
        422,
        services.WRONG_PASSWORD,
    )
    too_long = await client.post(
        "/api/v1/tokens",
        headers=owner,
        json={**long, "expires_in_days": days + 1, "password": KNOWN_PASSWORD},
    )
    assert too_long.status_code == 422
    assert too_long.json()["errors"][0]["field"] == "expires_in_days"
    confirmed = await client.post(
        "/api/v1/tokens", headers=owner, json={**long, "password": KNOWN_PASSWORD}
    )
    assert confirmed.status_code == 201, confirmed.text
    assert (confirmed.json()["created_via"], confirmed.json()["parent_id"]) == ("password", None)


async def test_a_token_minted_by_a_token_dies_with_it(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    _, owner = await actors.user("liaison")
    parent = (await client.post("/api/v1/tokens", headers=owner, json={"name": "p"})).json()
    child = (
        await client.post("/api/v1/tokens", headers=_bearer(parent), json={"name": "c"})
    ).json()
    grandchild = (
        await client.post("/api/v1/tokens", headers=_bearer(child), json={"name": "g"})
    ).json()
    assert (child["created_via"], child["parent_id"]) == ("token", parent["id"])
    assert grandchild["expires_at"] <= child["expires_at"] <= parent["expires_at"]
    listing = await client.get("/api/v1/tokens", headers=owner)
    origin = {t["name"]: (t["created_via"], t["parent_id"]) for t in listing.json()["items"]}
    assert origin["g"] == ("token", child["id"])
    revoked = await client.delete(f"/api/v1/tokens/{parent['id']}", headers=owner)
    assert revoked.status_code == 200, revoked.text
    for token in (parent, child, grandchild):
        assert (await client.get("/api/v1/me", headers=_bearer(token))).status_code == 401
    assert (await client.get("/api/v1/me", headers=owner)).status_code == 200


async def _wrong_logins_from(http: httpx.AsyncClient, forwarded_for: list[str]) -> list[int]:
    statuses = []
    for n, address in enumerate(forwarded_for):
        response = await http.post(
            "/api/v1/auth/token",
            json={"username": f"nobody{n}", "password": "x"},
            headers={"X-Forwarded-For": address},
        )
        statuses.append(response.status_code)
    return statuses


async def test_forwarded_for_from_an_untrusted_peer_does_not_pick_the_address(
    rollback: None, actors: Actors
) -> None:
    """Served as ``mou serve`` serves it, a loopback client rotating X-Forwarded-For is still
    one address: with no trusted proxies configured (the default) the header is ignored."""
    config = uvicorn.Config(SERVER_APP, **{**SERVER_OPTIONS, "log_config": None})  # type: ignore[arg-type]
    config.load()
    limit = get_settings().login_failures_per_address
    transport = httpx.ASGITransport(app=config.loaded_app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://mou.test") as http:
        rotated = [f"203.0.113.{n}" for n in range(limit + 1)]
        statuses = await _wrong_logins_from(http, rotated)
    assert statuses == [401] * limit + [429]


async def test_forwarded_for_is_believed_from_a_trusted_proxy_only_for_its_own_hop(
    rollback: None, actors: Actors
) -> None:
    """Behind a proxy named in MOU_TRUSTED_PROXIES each client is counted on its own address,
    the one the proxy saw (hops further left are the client's to invent)."""
    settings = dataclasses.replace(get_settings(), trusted_proxies=("127.0.0.0/8",))
    limit = settings.login_failures_per_address
    transport = httpx.ASGITransport(app=asgi(create_app(settings)), client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://mou.test") as http:
        # The client invents a new left hop each time; the proxy appends what it saw.
        invented = [f"198.51.100.{n}, 203.0.113.7" for n in range(limit + 1)]
        attacker = await _wrong_logins_from(http, invented)
        bystander = await _wrong_logins_from(http, ["203.0.113.8"])
    assert attacker == [401] * limit + [429]
    assert bystander == [401]
