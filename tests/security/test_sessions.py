"""Web sessions: login, rotation, logout, deactivation, CSRF, and the headers on every answer."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from mou.accounts.tables import User
from tests.conftest import KNOWN_PASSWORD, Actors


@pytest.fixture
async def browser(app: Any, rollback: None) -> AsyncIterator[httpx.AsyncClient]:
    """A client over https, so Secure cookies come back as a browser would send them."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="https://mou.test", headers={"Accept": "text/html"}
    ) as client:
        yield client


def form_token(html: str) -> str:
    match = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert match, html
    return match.group(1)


async def login(
    browser: httpx.AsyncClient, username: str, password: str = KNOWN_PASSWORD
) -> httpx.Response:
    page = await browser.get("/login")
    return await browser.post(
        "/login",
        data={
            "username": username,
            "password": password,
            "next": "/",
            "_csrf_token": form_token(page.text),
        },
    )


async def username_of(user_id: int) -> str:
    row = await User.select(User.username).where(User.id == user_id).first()
    assert row is not None
    return str(row["username"])


async def test_logged_out_page_redirects_to_login_and_api_answers_401(
    browser: httpx.AsyncClient,
) -> None:
    page = await browser.get("/")
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=/"
    api = await browser.get("/api/v1/agreements")
    assert api.status_code == 401
    assert api.headers["content-type"].startswith("application/problem+json")


async def test_login_sets_a_strict_cookie_and_shows_the_page(
    browser: httpx.AsyncClient, actors: Actors
) -> None:
    user_id, _ = await actors.user("viewer")
    response = await login(browser, await username_of(user_id))
    assert response.status_code == 303, response.text
    cookie = next(
        v
        for k, v in response.headers.multi_items()
        if k == "set-cookie" and v.startswith("mou_session=")
    )
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "SameSite=Lax" in cookie
    assert "Secure" in cookie
    home = await browser.get("/")
    assert home.status_code == 200
    assert "Kerja sama" in home.text


async def test_wrong_password_on_the_login_page_is_refused(
    browser: httpx.AsyncClient, actors: Actors
) -> None:
    user_id, _ = await actors.user("viewer")
    response = await login(browser, await username_of(user_id), password="wrong")
    assert response.status_code == 401
    assert "mou_session" not in response.headers.get("set-cookie", "")


async def test_login_rotates_a_planted_session_id(
    browser: httpx.AsyncClient, actors: Actors
) -> None:
    user_id, _ = await actors.user("viewer")
    name = await username_of(user_id)
    browser.cookies.set("mou_session", "planted-by-attacker", domain="mou.test")
    await login(browser, name)
    issued = browser.cookies.get("mou_session")
    assert issued and issued != "planted-by-attacker"
    # The first real session is void once the browser logs in again with it.
    await login(browser, name)
    second = browser.cookies.get("mou_session")
    assert second != issued
    browser.cookies.set("mou_session", issued, domain="mou.test")
    assert (await browser.get("/")).status_code == 303


async def test_logout_voids_the_session(browser: httpx.AsyncClient, actors: Actors) -> None:
    user_id, _ = await actors.user("viewer")
    await login(browser, await username_of(user_id))
    session = browser.cookies.get("mou_session")
    assert session is not None
    home = await browser.get("/")
    out = await browser.post("/logout", data={"_csrf_token": form_token(home.text)})
    assert out.status_code == 303
    browser.cookies.set("mou_session", session, domain="mou.test")
    assert (await browser.get("/")).status_code == 303


async def test_deactivation_voids_live_sessions(
    browser: httpx.AsyncClient, client: httpx.AsyncClient, actors: Actors, admin: dict[str, str]
) -> None:
    user_id, _ = await actors.user("liaison")
    await login(browser, await username_of(user_id))
    assert (await browser.get("/")).status_code == 200
    response = await client.patch(f"/api/v1/users/{user_id}", headers=admin, json={"active": False})
    assert response.status_code == 200, response.text
    assert (await browser.get("/")).status_code == 303


async def test_forms_without_the_csrf_token_are_refused(
    browser: httpx.AsyncClient, actors: Actors
) -> None:
    user_id, _ = await actors.user("viewer")
    name = await username_of(user_id)
    await browser.get("/login")
    forged_login = await browser.post("/login", data={"username": name, "password": KNOWN_PASSWORD})
    assert forged_login.status_code == 403
    await login(browser, name)
    forged_logout = await browser.post("/logout", data={})
    assert forged_logout.status_code == 403
    assert (await browser.get("/")).status_code == 200


async def test_login_next_never_leaves_the_site(browser: httpx.AsyncClient, actors: Actors) -> None:
    user_id, _ = await actors.user("viewer")
    page = await browser.get("/login", params={"next": "//evil.example/x"})
    response = await browser.post(
        "/login",
        data={
            "username": await username_of(user_id),
            "password": KNOWN_PASSWORD,
            "next": "//evil.example/x",
            "_csrf_token": form_token(page.text),
        },
    )
    assert response.headers["location"] == "/"


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/login",
        "/api/v1/me",
        "/api/v1/agreements/999999",
        "/no-such-page",
        "/health",
        "/schema/openapi.json",
    ],
)
async def test_security_headers_on_every_answer(
    browser: httpx.AsyncClient, admin: dict[str, str], path: str
) -> None:
    response = await browser.get(path, headers=admin if path.startswith("/api/") else {})
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["cache-control"] == "no-store"


async def _signed_in_everywhere(
    browser: httpx.AsyncClient, actors: Actors
) -> tuple[int, dict[str, str]]:
    """A user with a live web session in ``browser`` and a live API token."""
    user_id, token = await actors.user("liaison")
    await login(browser, await username_of(user_id))
    assert (await browser.get("/")).status_code == 200
    return user_id, token


async def test_a_password_change_ends_every_token_and_session(
    browser: httpx.AsyncClient, client: httpx.AsyncClient, actors: Actors, admin: dict[str, str]
) -> None:
    user_id, token = await _signed_in_everywhere(browser, actors)
    changed = await client.patch(
        f"/api/v1/users/{user_id}", headers=admin, json={"password": "a brand new secret"}
    )
    assert changed.status_code == 200, changed.text
    assert (await client.get("/api/v1/me", headers=token)).status_code == 401
    assert (await browser.get("/")).status_code == 303
    assert (
        await login(browser, await username_of(user_id), "a brand new secret")
    ).status_code == 303


async def test_reactivation_revives_no_token_or_session(
    browser: httpx.AsyncClient, client: httpx.AsyncClient, actors: Actors, admin: dict[str, str]
) -> None:
    user_id, token = await _signed_in_everywhere(browser, actors)
    for active in (False, True):
        response = await client.patch(
            f"/api/v1/users/{user_id}", headers=admin, json={"active": active}
        )
        assert response.status_code == 200, response.text
    assert (await client.get("/api/v1/me", headers=token)).status_code == 401
    assert (await browser.get("/")).status_code == 303
