"""Every route of the app, called by every kind of caller, answers as the policy says.

Routes come from the router itself, so a route added later is covered without editing this
test; a route whose path parameter this test does not know fails loudly instead of passing.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from litestar.routes import HTTPRoute

from mou.accounts.sessions import SESSION_COOKIE, session_start
from mou.accounts.tables import ApiToken
from mou.caller import PUBLIC
from mou.meetings.tables import CalendarFeed
from mou.notifications.tables import Notification
from mou.policy import ROUTE_ROLES
from mou.web.guard import roles_for
from tests.conftest import REPORT, Actors
from tests.integration.builders import create_agreement, create_meeting

ROLES = ("manager", "liaison", "viewer")
MISSING_ID = 2_000_000_000
INPUT_REFUSALS = {400, 412, 422, 428}
#: How a path parameter is filled; "scoped" ids are hidden from callers outside the agreement.
SCOPED = {
    "agreement_id",
    "party_id",
    "meeting_id",
    "attendee_id",
    "scope_item_id",
    "action_item_id",
    "person_id",
    "token_id",
    "feed_id",
    "notification_id",
}
#: Ids of records that belong to one user: hidden from every other caller, admins included.
PERSONAL = {"notification_id"}
UNSCOPED = {"organisation_id", "user_id"}
LITERALS = {
    "action": "submit",
    "file_path": "css/mou.css",
    "path": "nothing",
    "sha256": "0" * 64,
    "digest": "0" * 64,
    "feed_token": "not-a-feed-token.ics",
}


@dataclass
class Caller:
    name: str
    role: str | None
    client: httpx.AsyncClient
    headers: dict[str, str] = field(default_factory=dict)
    csrf: str = ""
    own: dict[str, int] = field(default_factory=dict)
    foreign: dict[str, int] = field(default_factory=dict)


async def _objects(
    client: httpx.AsyncClient, admin: dict[str, str], actors: Actors, home: int
) -> dict[str, int]:
    partner = await actors.organisation()
    agreement = await create_agreement(client, admin, [home, partner])
    meeting = await create_meeting(client, admin, agreement["id"])
    scope = await client.post(
        f"/api/v1/agreements/{agreement['id']}/scope-items",
        headers=admin,
        json={"kind": "other", "title": "Lingkup"},
    )
    action = await client.post(
        f"/api/v1/meetings/{meeting['id']}/action-items",
        headers=admin,
        json={"title": "Tindak lanjut"},
    )
    person = await client.post(
        "/api/v1/people", headers=admin, json={"full_name": "Pegawai", "organisation_id": home}
    )
    attendee = await client.post(
        f"/api/v1/meetings/{meeting['id']}/attendees",
        headers=admin,
        json={"person_id": person.json()["id"]},
    )
    return {
        "agreement_id": agreement["id"],
        "party_id": agreement["parties"][0]["id"],
        "attendee_id": attendee.json()["id"],
        "meeting_id": meeting["id"],
        "scope_item_id": scope.json()["id"],
        "action_item_id": action.json()["id"],
        "person_id": person.json()["id"],
        "organisation_id": home,
    }


async def _spare_token(user_id: int) -> int:
    row = ApiToken(
        user=user_id,
        name="spare",
        token_hash=secrets.token_hex(32),
        expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1),
    )
    await row.save()
    return int(row.id)


async def _spare_feed(user_id: int) -> int:
    row = CalendarFeed(
        user=user_id,
        name="spare",
        token_hash=secrets.token_hex(32),
        created_at=dt.datetime.now(dt.UTC),
    )
    await row.save()
    return int(row.id)


async def _notification(user_id: int) -> int:
    row = Notification(
        user=user_id,
        kind="agreement_signed",
        key=f"matrix:{secrets.token_hex(8)}",
        subject="Kerja sama ditandatangani",
        created_at=dt.datetime.now(dt.UTC),
    )
    await row.save()
    return int(row.id)


async def _browser_session(app_client: httpx.AsyncClient, user_id: int | None) -> tuple[str, str]:
    """A session cookie (for a user) and a CSRF form token, as a browser would hold them."""
    if user_id is not None:
        session = await session_start(user_id=user_id, replacing=None)
        app_client.cookies.set(SESSION_COOKIE, session, domain="mou.test")
    page = await app_client.get("/login", headers={"Accept": "text/html"})
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
    assert token, page.text
    return app_client.cookies.get(SESSION_COOKIE) or "", token.group(1)


@pytest.fixture
async def callers(
    app: Any, client: httpx.AsyncClient, actors: Actors, admin: dict[str, str]
) -> AsyncIterator[list[Caller]]:
    owner_org, stranger_org = await actors.organisation(), await actors.organisation()
    owner_objects = await _objects(client, admin, actors, owner_org)
    stranger_objects = await _objects(client, admin, actors, stranger_org)
    transport = httpx.ASGITransport(app=app)
    opened: list[httpx.AsyncClient] = []

    def new_client() -> httpx.AsyncClient:
        http = httpx.AsyncClient(transport=transport, base_url="https://mou.test")
        opened.append(http)
        return http

    result: list[Caller] = []
    anonymous = Caller("anonymous", None, new_client())
    _, anonymous.csrf = await _browser_session(anonymous.client, None)
    result.append(anonymous)
    admin_id, admin_headers = await actors.user("admin")
    groups: list[tuple[str, str | None, dict[str, int], dict[str, int], int, dict[str, str]]] = [
        ("admin", None, owner_objects, stranger_objects, admin_id, admin_headers)
    ]
    for org, mine, theirs, label in [
        (owner_org, owner_objects, stranger_objects, "owner"),
        (stranger_org, stranger_objects, owner_objects, "stranger"),
    ]:
        for role_name in ROLES:
            user_id, headers = await actors.user(role_name, org)
            groups.append((f"{label} {role_name}", role_name, mine, theirs, user_id, headers))
    tokens = {name: await _spare_token(user_id) for name, *_, user_id, _h in groups}
    feeds = {name: await _spare_feed(user_id) for name, *_, user_id, _h in groups}
    notifications = {name: await _notification(user_id) for name, *_, user_id, _h in groups}
    names = [g[0] for g in groups]
    for index, (name, role, mine, theirs, user_id, headers) in enumerate(groups):
        caller = Caller(name, role or "admin", new_client(), headers)
        _, caller.csrf = await _browser_session(caller.client, user_id)
        other = names[(index + 1) % len(names)]
        caller.own = {
            **mine,
            "token_id": tokens[name],
            "feed_id": feeds[name],
            "notification_id": notifications[name],
            "user_id": user_id,
        }
        caller.foreign = {
            **theirs,
            "token_id": tokens[other],
            "feed_id": feeds[other],
            "notification_id": notifications[other],
            "user_id": user_id,
        }
        result.append(caller)
    try:
        yield result
    finally:
        for http in opened:
            await http.aclose()


def _routes(app: Any) -> list[tuple[str, str, Any]]:
    found = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for method, entry in route.route_handler_map.items():
            handler = entry[0] if isinstance(entry, tuple) else entry
            if method not in ("OPTIONS", "HEAD"):
                found.append((method, route.path, handler))
    # Logging out ends the caller's session: do it last.
    return sorted(found, key=lambda r: (r[2].handler_name == "logout", r[1], r[0]))


def _fill(path: str, ids: dict[str, int]) -> tuple[str, set[str]]:
    params = set(re.findall(r"{(\w+)(?::\w+)?}", path))
    unknown = params - SCOPED - UNSCOPED - set(LITERALS)
    assert not unknown, f"route matrix: teach the test the path parameter(s) {unknown} of {path}"

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        return LITERALS[name] if name in LITERALS else str(ids[name])

    return re.sub(r"{(\w+)(?::\w+)?}", value, path), params


async def _call(caller: Caller, method: str, url: str) -> httpx.Response:
    page = not url.startswith("/api/")
    headers = {
        **caller.headers,
        "Accept": "text/html" if page else "application/json",
        "If-Match": '"1"',
    }
    if method in ("GET", "DELETE"):
        return await caller.client.request(method, url, headers=headers)
    if page:
        return await caller.client.request(
            method, url, headers=headers, data={"_csrf_token": caller.csrf}
        )
    return await caller.client.request(method, url, headers=headers, json={})


async def test_route_matrix_matches_the_policy(
    app: Any, callers: list[Caller], database: Any
) -> None:
    calls = 0
    unexpected: list[str] = []
    for method, path, handler in _routes(app):
        roles = roles_for(handler, path, route_roles=ROUTE_ROLES)
        for caller in callers:
            targets = ["own", "foreign", "missing"] if re.search(r"{\w+_id", path) else ["own"]
            answers: dict[str, httpx.Response] = {}
            for target in targets:
                ids = {"own": caller.own, "foreign": caller.foreign}.get(target) or {
                    k: MISSING_ID for k in SCOPED | UNSCOPED
                }
                url, params = _fill(path, ids)
                response = await _call(caller, method, url)
                answers[target] = response
                calls += 1
                problem = _judge(caller, roles, target, params, url, response)
                if problem:
                    unexpected.append(f"{caller.name} {method} {url} ({target}): {problem}")
            if "foreign" in answers and _hidden(caller, roles, set(re.findall(r"{(\w+)", path))):
                foreign, missing = answers["foreign"], answers["missing"]
                if (foreign.status_code, foreign.content) != (missing.status_code, missing.content):
                    unexpected.append(
                        f"{caller.name} {method} {path}: foreign and missing differ: "
                        f"{foreign.status_code} {foreign.text[:120]} vs "
                        f"{missing.status_code} {missing.text[:120]}"
                    )
    REPORT.append(f"route matrix[{database.kind}]: {calls} calls, {len(unexpected)} unexpected")
    assert not unexpected, "\n".join(unexpected[:40])


def _hidden(caller: Caller, roles: frozenset[str] | None, params: set[str]) -> bool:
    """The foreign object must look missing: a non-admin allowed on the route, scoped ids;
    or anyone allowed on the route, another user's personal record."""
    if caller.role is not None and roles and caller.role in roles and params & PERSONAL:
        return True
    return (
        caller.role not in (None, "admin")
        and roles is not None
        and roles != PUBLIC
        and caller.role in roles
        and bool(params & SCOPED)
    )


def _judge(
    caller: Caller,
    roles: frozenset[str] | None,
    target: str,
    params: set[str],
    url: str,
    response: httpx.Response,
) -> str:
    status = response.status_code
    if status >= 500:
        return f"server error {status}: {response.text[:200]}"
    page = not url.startswith("/api/")
    if roles is None:
        # The app refuses to start without it; a route reaching here unnamed is a defect.
        return "route missing from mou.policy.ROUTE_ROLES"
    if roles == PUBLIC:
        return f"public route refused with {status}" if status == 403 else ""
    if caller.role is None:
        expected = 303 if page else 401
        return "" if status == expected else f"anonymous got {status}, expected {expected}"
    if caller.role not in roles:
        return "" if status == 403 else f"role {caller.role} got {status}, expected 403"
    # Input is checked before the object is looked up: an empty body may be refused first,
    # identically for foreign and missing objects (compared by the caller of this function).
    absent = {404, *INPUT_REFUSALS}
    if target == "missing":
        return "" if status in absent else f"missing object got {status}, expected 404"
    if target == "foreign" and _hidden(caller, roles, params):
        return "" if status in absent else f"foreign object got {status}, expected 404"
    return (
        f"allowed call refused with {status}: {response.text[:160]}"
        if status in (401, 403, 404)
        else ""
    )


async def test_lists_and_nested_data_hold_only_what_the_caller_sees(
    client: httpx.AsyncClient, actors: Actors, admin: dict[str, str]
) -> None:
    owner_org, stranger_org = await actors.organisation(), await actors.organisation()
    mine = await _objects(client, admin, actors, owner_org)
    theirs = await _objects(client, admin, actors, stranger_org)
    _, viewer = await actors.user("viewer", owner_org)
    agreements = (await client.get("/api/v1/agreements", headers=viewer)).json()
    assert [a["id"] for a in agreements["items"]] == [mine["agreement_id"]]
    assert agreements["total"] == 1
    people = (await client.get("/api/v1/people", headers=viewer)).json()
    assert mine["person_id"] in [p["id"] for p in people["items"]]
    assert theirs["person_id"] not in [p["id"] for p in people["items"]]
    filtered = await client.get(
        "/api/v1/agreements", params={"organisation_id": stranger_org}, headers=viewer
    )
    assert filtered.json()["total"] == 0
    meetings = await client.get(
        f"/api/v1/agreements/{theirs['agreement_id']}/meetings", headers=viewer
    )
    assert meetings.status_code == 404


async def test_a_bureau_sees_its_commission_and_siblings_see_nothing(
    client: httpx.AsyncClient, actors: Actors, admin: dict[str, str]
) -> None:
    commission = await actors.organisation()
    bureau = await actors.organisation(parent_id=commission)
    sibling = await actors.organisation(parent_id=commission)
    of_commission = await create_agreement(client, admin, [commission, await actors.organisation()])
    of_bureau = await create_agreement(client, admin, [bureau, await actors.organisation()])
    _, bureau_viewer = await actors.user("viewer", bureau)
    _, commission_manager = await actors.user("manager", commission)
    _, sibling_viewer = await actors.user("viewer", sibling)

    async def visible(headers: dict[str, str]) -> set[int]:
        body = (await client.get("/api/v1/agreements", headers=headers)).json()
        return {a["id"] for a in body["items"]}

    assert await visible(bureau_viewer) == {of_commission["id"], of_bureau["id"]}
    assert await visible(commission_manager) == {of_commission["id"], of_bureau["id"]}
    assert await visible(sibling_viewer) == {of_commission["id"]}


@pytest.mark.parametrize("status", [200, 403, 404])
async def test_route_matrix_fails_a_route_missing_from_the_policy(status: int) -> None:
    # Before the policy was checked at start-up, an unnamed route answered 403 to everyone and
    # the matrix counted that as correct; now it is a failure whatever the route answers.
    async with httpx.AsyncClient() as http:
        caller = Caller("owner manager", "manager", http)
        response = httpx.Response(status, request=httpx.Request("GET", "https://mou.test/x"))
        assert _judge(caller, None, "own", set(), "/api/v1/x", response) == (
            "route missing from mou.policy.ROUTE_ROLES"
        )


#: What each people route is asked about the foreign party's person (issue 8, item 1).
PEOPLE_CALLS: dict[str, dict[str, Any]] = {
    "person_list": {"params": {"organisation_id": "{organisation_id}"}},
    "person_get": {},
    "person_update": {"json": {"full_name": "Diganti", "email": "penyusup@a.go.id"}},
    "person_create": {"json": {"full_name": "Ditanam", "organisation_id": "{organisation_id}"}},
}


def _people_request(handler_name: str, ids: dict[str, int]) -> dict[str, Any]:
    assert handler_name in PEOPLE_CALLS, (
        f"teach the test how to call the people route {handler_name}"
    )

    def filled(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: filled(v) for k, v in value.items()}
        return int(ids["organisation_id"]) if value == "{organisation_id}" else value

    return {k: filled(v) for k, v in PEOPLE_CALLS[handler_name].items()}


async def test_naming_a_foreign_party_leaves_every_people_route_as_it_was(
    app: Any, client: httpx.AsyncClient, actors: Actors, admin: dict[str, str]
) -> None:
    """Multi-step: each people route, asked about a foreign organisation's person by a liaison,
    answers byte for byte the same before and after the liaison's draft names that party."""
    own, foreign = await actors.organisation(), await actors.organisation()
    person = await client.post(
        "/api/v1/people",
        headers=admin,
        json={"full_name": "Pejabat", "organisation_id": foreign, "email": "p@x.go.id"},
    )
    ids = {"person_id": person.json()["id"], "organisation_id": foreign}
    _, liaison = await actors.user("liaison", own)
    routes = [r for r in _routes(app) if r[1].startswith("/api/v1/people")]
    assert {r[2].handler_name for r in routes} == set(PEOPLE_CALLS)

    async def answers() -> list[tuple[str, int, bytes]]:
        found = []
        for method, path, handler in routes:
            url, _ = _fill(path, ids)
            request = _people_request(handler.handler_name, ids)
            response = await client.request(method, url, headers=liaison, **request)
            found.append((f"{method} {url}", response.status_code, response.content))
        return found

    before = await answers()
    draft = await create_agreement(client, liaison, [own, foreign])
    after = await answers()

    assert draft["stage"] == "draft"
    assert after == before
    assert all(status in (403, 404, 422) or b'"total":0' in body for _, status, body in before)
