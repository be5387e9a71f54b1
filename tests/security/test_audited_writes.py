"""Every write route of the app, called with a request that succeeds, appends exactly one audit
event (issue 9, item 4).

Routes come from the router, like the route matrix: every POST/PATCH/PUT/DELETE, under /api/v1
and the page forms alike. ``WRITES`` holds, per handler, how to make a request that succeeds;
a write route without an entry fails the test, so a new write cannot ship unchecked.

Login, token issue and logout are audited like every other write (``login``, ``create
api_token``, ``logout``), so none is exempt. A failed login writes a throttling row and no
event: it is not a successful write. Two writes append a second event for a second entity they
touch, by design, and are driven here in their one-event form: ``renew`` also records the new
draft's ``create``, and a user change that deactivates or sets a password also records
``credentials_end``.
"""

from __future__ import annotations

import ast
import datetime as dt
import re
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar.routes import HTTPRoute

import mou
from mou.accounts.tables import User
from mou.audit import NothingWritten, audited
from mou.audit.tables import AuditEvent
from mou.audit.writes import CREATE_WITHOUT_ID
from mou.notifications.tables import Notification
from mou.parties.tables import Organisation
from mou.web.guard import LITESTAR_PUBLIC_PREFIXES
from tests.conftest import KNOWN_PASSWORD, REPORT, Actors
from tests.integration.builders import create_agreement, create_meeting

WRITE_METHODS = ("POST", "PATCH", "PUT", "DELETE")


@dataclass
class Call:
    """One request: the route's path parameters, what httpx sends, and from which client."""

    params: dict[str, Any] = field(default_factory=dict)
    send: dict[str, Any] = field(default_factory=dict)
    browser: bool = False


@dataclass
class Scene:
    client: httpx.AsyncClient
    browser: httpx.AsyncClient
    actors: Actors
    admin: dict[str, str]
    admin_id: int

    async def agreement(self) -> dict[str, Any]:
        home, partner = await self.actors.organisation(), await self.actors.organisation()
        return await create_agreement(self.client, self.admin, [home, partner])

    async def meeting(self) -> dict[str, Any]:
        return await create_meeting(self.client, self.admin, (await self.agreement())["id"])

    async def post(self, url: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await self.client.post(url, headers=self.admin, json=body)
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    async def if_match(self, url: str) -> dict[str, str]:
        return {
            **self.admin,
            "If-Match": (await self.client.get(url, headers=self.admin)).headers["etag"],
        }

    async def form_token(self) -> str:
        page = await self.browser.get("/login")
        match = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
        assert match, page.text
        return match.group(1)

    async def username(self) -> str:
        user_id, _ = await self.actors.user("viewer")
        row = await User.select(User.username).where(User.id == user_id).first()
        assert row is not None
        return str(row["username"])


def _json(scene: Scene, body: dict[str, Any], **params: Any) -> Call:
    return Call(params=params, send={"headers": scene.admin, "json": body})


async def _auth_token(s: Scene) -> Call:
    body = {"username": await s.username(), "password": KNOWN_PASSWORD}
    return Call(send={"json": body})


async def _token_create(s: Scene) -> Call:
    return _json(s, {"name": "skrip"})


async def _token_revoke(s: Scene) -> Call:
    token = await s.post("/api/v1/tokens", {"name": "sekali pakai"})
    return Call(params={"token_id": token["id"]}, send={"headers": s.admin})


async def _notification_read(s: Scene) -> Call:
    row = Notification(
        user=s.admin_id,
        kind="agreement_signed",
        key=f"audited:{secrets.token_hex(8)}",
        subject="Kerja sama ditandatangani",
        created_at=dt.datetime.now(dt.UTC),
    )
    await row.save()
    return Call(params={"notification_id": row.id}, send={"headers": s.admin})


async def _email_preferences_update(s: Scene) -> Call:
    return Call(send={"headers": s.admin, "json": {"muted": ["agreement_signed"]}})


async def _user_create(s: Scene) -> Call:
    body = {
        "username": f"baru{await s.actors.organisation()}",
        "password": KNOWN_PASSWORD,
        "role": "viewer",
        "organisation_id": await s.actors.organisation(),
    }
    return _json(s, body)


async def _user_update(s: Scene) -> Call:
    user_id, _ = await s.actors.user("viewer")
    return _json(s, {"locale": "en"}, user_id=user_id)


async def _organisation_create(s: Scene) -> Call:
    body = {
        "name": f"Dinas {await s.actors.organisation()}",
        "short_name": "Dinas",
        "kind": "provincial_agency",
    }
    return _json(s, body)


async def _organisation_update(s: Scene) -> Call:
    return _json(s, {"short_name": "Baru"}, organisation_id=await s.actors.organisation())


async def _person_create(s: Scene) -> Call:
    return _json(s, {"full_name": "Pegawai", "organisation_id": await s.actors.organisation()})


async def _person_update(s: Scene) -> Call:
    body = {"full_name": "Pegawai", "organisation_id": await s.actors.organisation()}
    person = await s.post("/api/v1/people", body)
    return _json(s, {"position": "Kepala"}, person_id=person["id"])


async def _agreement_create(s: Scene) -> Call:
    home, partner = await s.actors.organisation(), await s.actors.organisation()
    body = {
        "title": "Kerja sama",
        "kind": "pks",
        "parties": [
            {"organisation_id": home, "role": "first_party"},
            {"organisation_id": partner, "role": "second_party"},
        ],
    }
    return _json(s, body)


async def _agreement_update(s: Scene) -> Call:
    agreement = await s.agreement()
    headers = await s.if_match(f"/api/v1/agreements/{agreement['id']}")
    return Call({"agreement_id": agreement["id"]}, {"headers": headers, "json": {"title": "Baru"}})


async def _agreement_act(s: Scene) -> Call:
    agreement = await s.agreement()
    headers = await s.if_match(f"/api/v1/agreements/{agreement['id']}")
    params = {"agreement_id": agreement["id"], "action": "submit"}
    return Call(params, {"headers": headers, "json": {}})


async def _party_update(s: Scene) -> Call:
    agreement = await s.agreement()
    headers = await s.if_match(f"/api/v1/agreements/{agreement['id']}")
    params = {"agreement_id": agreement["id"], "party_id": agreement["parties"][0]["id"]}
    return Call(params, {"headers": headers, "json": {"signatory_id": None}})


async def _scope_item_create(s: Scene) -> Call:
    body = {"kind": "other", "title": "Lingkup"}
    return _json(s, body, agreement_id=(await s.agreement())["id"])


async def _scope_item_update(s: Scene) -> Call:
    agreement = await s.agreement()
    url = f"/api/v1/agreements/{agreement['id']}/scope-items"
    item = await s.post(url, {"kind": "other", "title": "Lingkup"})
    return _json(s, {"status": "in_progress"}, scope_item_id=item["id"])


async def _meeting_create(s: Scene) -> Call:
    body = {"title": "Rapat", "kind": "planning", "starts_at": "2023-10-23T10:00:00"}
    return _json(s, body, agreement_id=(await s.agreement())["id"])


async def _meeting_update(s: Scene) -> Call:
    meeting = await s.meeting()
    headers = await s.if_match(f"/api/v1/meetings/{meeting['id']}")
    return Call({"meeting_id": meeting["id"]}, {"headers": headers, "json": {"title": "Baru"}})


async def _attendee_add(s: Scene) -> Call:
    meeting = await s.meeting()
    body = {"full_name": "Tamu", "organisation_id": await s.actors.organisation()}
    return _json(s, body, meeting_id=meeting["id"])


async def _attendee_link(s: Scene) -> Call:
    meeting, organisation = await s.meeting(), await s.actors.organisation()
    person = await s.post("/api/v1/people", {"full_name": "Tamu", "organisation_id": organisation})
    url = f"/api/v1/meetings/{meeting['id']}/attendees"
    attendee = await s.post(url, {"full_name": "Tamu", "organisation_id": organisation})
    return _json(s, {"person_id": person["id"]}, attendee_id=attendee["id"])


async def _point_add(s: Scene) -> Call:
    return _json(s, {"text": "Dibahas"}, meeting_id=(await s.meeting())["id"])


async def _decision_add(s: Scene) -> Call:
    return _json(s, {"text": "Disepakati"}, meeting_id=(await s.meeting())["id"])


async def _action_item_add(s: Scene) -> Call:
    return _json(s, {"title": "Tindak lanjut"}, meeting_id=(await s.meeting())["id"])


async def _action_item_update(s: Scene) -> Call:
    meeting = await s.meeting()
    url = f"/api/v1/meetings/{meeting['id']}/action-items"
    item = await s.post(url, {"title": "Tindak lanjut"})
    return _json(s, {"status": "done"}, action_item_id=item["id"])


async def _minutes_finalize(s: Scene) -> Call:
    meeting = await s.meeting()
    headers = await s.if_match(f"/api/v1/meetings/{meeting['id']}")
    return Call({"meeting_id": meeting["id"]}, {"headers": headers})


async def _calendar_feed_create(s: Scene) -> Call:
    return _json(s, {"name": "Telepon"})


async def _calendar_feed_revoke(s: Scene) -> Call:
    feed = await s.post("/api/v1/calendar-feeds", {"name": "Kantor"})
    return Call(params={"feed_id": feed["id"]}, send={"headers": s.admin})


async def _login(s: Scene) -> Call:
    form = {
        "username": await s.username(),
        "password": KNOWN_PASSWORD,
        "next": "/",
        "_csrf_token": await s.form_token(),
    }
    return Call(send={"data": form}, browser=True)


async def _admin_form(s: Scene) -> str:
    """Sign the browser in as the scene's admin; returns a CSRF token for the next form."""
    row = await User.select(User.username).where(User.id == s.admin_id).first()
    assert row is not None
    form = {"username": row["username"], "password": KNOWN_PASSWORD, "next": "/"}
    await s.browser.post("/login", data={**form, "_csrf_token": await s.form_token()})
    return await s.form_token()


async def _agreement_act_page(s: Scene) -> Call:
    agreement = await s.agreement()
    form = {"_csrf_token": await _admin_form(s), "version": agreement["version"]}
    params = {"agreement_id": agreement["id"], "action": "submit"}
    return Call(params, {"data": form}, browser=True)


async def _language_set(s: Scene) -> Call:
    form = {"_csrf_token": await _admin_form(s), "locale": "en", "next": "/"}
    return Call(send={"data": form}, browser=True)


async def _logout(s: Scene) -> Call:
    await s.browser.post("/login", data=(await _login(s)).send["data"])
    return Call(send={"data": {"_csrf_token": await s.form_token()}}, browser=True)


#: Per write handler, a request that succeeds (prepared with writes that are not counted).
WRITES: dict[str, Callable[[Scene], Awaitable[Call]]] = {
    "auth_token": _auth_token,
    "token_create": _token_create,
    "token_revoke": _token_revoke,
    "notification_read": _notification_read,
    "email_preferences_update": _email_preferences_update,
    "user_create": _user_create,
    "user_update": _user_update,
    "organisation_create": _organisation_create,
    "organisation_update": _organisation_update,
    "person_create": _person_create,
    "person_update": _person_update,
    "agreement_create": _agreement_create,
    "agreement_update": _agreement_update,
    "agreement_act": _agreement_act,
    "party_update": _party_update,
    "scope_item_create": _scope_item_create,
    "scope_item_update": _scope_item_update,
    "meeting_create": _meeting_create,
    "meeting_update": _meeting_update,
    "attendee_add": _attendee_add,
    "attendee_link": _attendee_link,
    "point_add": _point_add,
    "decision_add": _decision_add,
    "action_item_add": _action_item_add,
    "action_item_update": _action_item_update,
    "minutes_finalize": _minutes_finalize,
    "calendar_feed_create": _calendar_feed_create,
    "calendar_feed_revoke": _calendar_feed_revoke,
    "login": _login,
    "logout": _logout,
    "agreement_act_page": _agreement_act_page,
    "language_set": _language_set,
}


def write_routes(app: Any) -> list[tuple[str, str, str]]:
    """(method, path, handler name) of every route that may write, from the router."""
    found = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or route.path.startswith(LITESTAR_PUBLIC_PREFIXES):
            continue
        for method, entry in route.route_handler_map.items():
            handler = entry[0] if isinstance(entry, tuple) else entry
            if method in WRITE_METHODS:
                found.append((method, route.path, handler.handler_name))
    return sorted(found)


def _url(path: str, params: dict[str, Any]) -> str:
    names = set(re.findall(r"{(\w+)(?::\w+)?}", path))
    assert names == set(params), f"audited writes: {path} needs {names}, the table gives {params}"
    return re.sub(r"{(\w+)(?::\w+)?}", lambda m: str(params[m.group(1)]), path)


@pytest.fixture
async def scene(app: Any, client: httpx.AsyncClient, actors: Actors) -> AsyncIterator[Scene]:
    admin_id, admin = await actors.user("admin")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="https://mou.test", headers={"Accept": "text/html"}
    ) as browser:
        yield Scene(client, browser, actors, admin, admin_id)


async def test_every_successful_write_route_appends_exactly_one_audit_event(
    app: Any, scene: Scene, database: Any
) -> None:
    routes = write_routes(app)
    untaught = {name for *_, name in routes} - set(WRITES)
    assert not untaught, f"audited writes: teach WRITES a request that succeeds for {untaught}"
    assert set(WRITES) <= {name for *_, name in routes}, "WRITES names a route the app lacks"
    wrong: list[str] = []
    for method, path, name in routes:
        call = await WRITES[name](scene)
        http = scene.browser if call.browser else scene.client
        before = await AuditEvent.count()
        response = await http.request(method, _url(path, call.params), **call.send)
        appended = await AuditEvent.count() - before
        if response.status_code >= 400:
            wrong.append(f"{method} {path}: {response.status_code} {response.text[:160]}")
        elif appended != 1:
            wrong.append(f"{method} {path}: {appended} audit events appended, expected 1")
    assert not wrong, "\n".join(wrong)
    REPORT.append(
        f"audited writes[{database.kind}]: {len(routes)} write routes covered, "
        "each appended exactly one audit event"
    )


async def test_an_audited_block_that_raises_appends_nothing_and_writes_nothing(
    rollback: None, actors: Actors
) -> None:
    organisation = await actors.organisation()
    before = await AuditEvent.count()
    with pytest.raises(LookupError):
        async with audited(
            actor_id=None, action="update", entity="organisation", entity_id=organisation
        ):
            await Organisation.update({Organisation.short_name: "Diubah"}).where(
                Organisation.id == organisation
            )
            raise LookupError
    row = await Organisation.select(Organisation.short_name).where(Organisation.id == organisation)
    assert row[0]["short_name"] != "Diubah"
    assert await AuditEvent.count() == before


async def test_an_audited_block_that_finds_nothing_to_write_appends_nothing(
    rollback: None, actors: Actors
) -> None:
    organisation = await actors.organisation()
    before = await AuditEvent.count()
    async with audited(
        actor_id=None, action="update", entity="organisation", entity_id=organisation
    ):
        await Organisation.update({Organisation.short_name: "Diubah"}).where(
            Organisation.id == organisation
        )
        raise NothingWritten
    row = await Organisation.select(Organisation.short_name).where(Organisation.id == organisation)
    assert row[0]["short_name"] != "Diubah"
    assert await AuditEvent.count() == before


async def test_an_audited_create_that_names_no_row_is_refused(rollback: None) -> None:
    before = await AuditEvent.count()

    async def read(entity_id: int) -> int:
        return entity_id

    with pytest.raises(RuntimeError, match=CREATE_WITHOUT_ID):
        async with audited(actor_id=None, action="create", entity="user", read=read):
            pass
    assert await AuditEvent.count() == before


def test_only_the_audit_package_appends_audit_events() -> None:
    """Features write through ``mou.audit.audited``; the event's internals stay inside."""
    root = Path(mou.__file__).parent
    offenders = []
    for module in root.rglob("*.py"):
        if module.parent.name == "audit" and module.parent.parent == root:
            continue
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module in (
                "mou.audit.services",
                "mou.audit.writes",
            ):
                offenders.append(f"{module.relative_to(root)}: from {node.module} import ...")
    assert not offenders, offenders
