"""The pages without a browser: forms work as plain posts, errors sit by their fields in the
caller's language, buttons follow the workflow, and the language is the user's."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import httpx
import pytest

from mou.accounts.sessions import SESSION_COOKIE, session_start
from mou.accounts.tables import User
from mou.agreements.schemas import WaitingApproval, WaitingApprovalPage
from mou.home import days_waited
from tests.conftest import Actors
from tests.integration.builders import create_agreement

HTML = {"Accept": "text/html"}


@pytest.fixture
async def client(app: Any, rollback: None) -> Any:
    """Over https, as a browser reaches the service: the session and CSRF cookies are Secure."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://mou.test") as http:
        yield http


async def _signed_in(client: httpx.AsyncClient, user_id: int) -> str:
    """Sign ``client`` in as the user, as a browser would be; returns a CSRF form token."""
    session = await session_start(user_id=user_id, replacing=None)
    client.cookies.set(SESSION_COOKIE, session, domain="mou.test")
    page = await client.get("/login", headers=HTML)
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
    assert token
    return token.group(1)


@pytest.fixture
async def review(
    client: httpx.AsyncClient, actors: Actors, admin: dict[str, str]
) -> dict[str, Any]:
    """An agreement in review between two agencies, with a manager of each and a liaison."""
    owner, partner = await actors.organisation(), await actors.organisation()
    agreement = await create_agreement(client, admin, [owner, partner], title="Diseminasi ILM")
    submitted = await client.post(
        f"/api/v1/agreements/{agreement['id']}/actions/submit",
        headers={**admin, "If-Match": f'"{agreement["version"]}"'},
        json={},
    )
    assert submitted.status_code == 200, submitted.text
    return {
        "id": agreement["id"],
        "version": submitted.json()["version"],
        "owner": owner,
        "partner": partner,
        "owner_manager": (await actors.user("manager", owner))[0],
        "partner_manager": (await actors.user("manager", partner))[0],
        "liaison": (await actors.user("liaison", owner))[0],
    }


async def test_pages_approve_as_a_plain_form_post_and_come_back_home(
    client: httpx.AsyncClient, review: dict[str, Any]
) -> None:
    csrf = await _signed_in(client, review["owner_manager"])
    home = await client.get("/", headers=HTML)
    assert "Perlu persetujuan saya" in home.text and "Diseminasi ILM" in home.text
    approved = await client.post(
        f"/agreements/{review['id']}/actions/approve",
        data={"_csrf_token": csrf, "version": review["version"], "next": "/"},
        headers=HTML,
    )
    assert approved.status_code == 303 and approved.headers["location"] == "/"
    detail = await client.get(f"/agreements/{review['id']}", headers=HTML)
    assert "Dalam Peninjauan" in detail.text
    assert detail.text.count("Disetujui") == 1 and detail.text.count("Menunggu") == 1
    again = await client.get("/", headers=HTML)
    assert "Diseminasi ILM" not in again.text.split("Rapat")[0]


async def test_pages_a_stale_form_shows_the_current_state_not_an_error(
    client: httpx.AsyncClient, review: dict[str, Any]
) -> None:
    csrf = await _signed_in(client, review["owner_manager"])
    stale = await client.post(
        f"/agreements/{review['id']}/actions/approve",
        data={"_csrf_token": csrf, "version": review["version"] - 1},
        headers=HTML,
    )
    assert stale.status_code == 412
    assert "Seseorang mengubah kerja sama ini sejak Anda membukanya" in stale.text
    assert "Menunggu" in stale.text and "Setujui" in stale.text


async def test_pages_return_without_a_reason_keeps_what_was_typed_beside_the_error(
    client: httpx.AsyncClient, review: dict[str, Any]
) -> None:
    csrf = await _signed_in(client, review["owner_manager"])
    refused = await client.post(
        f"/agreements/{review['id']}/actions/return",
        data={"_csrf_token": csrf, "version": review["version"], "comment": "  "},
        headers=HTML,
    )
    assert refused.status_code == 422
    form = refused.text.split('action="/agreements/{}/actions/return"'.format(review["id"]))[1]
    assert 'aria-invalid="true"' in form.split("</form>")[0]
    assert "jelaskan mengapa kerja sama dikembalikan ke draf" in form.split("</form>")[0]
    bad_date = await client.post(
        f"/agreements/{review['id']}/actions/sign",
        data={"_csrf_token": csrf, "version": review["version"], "signed_on": "kemarin"},
        headers=HTML,
    )
    assert bad_date.status_code == 422 and "Isi tanggal dengan format TTTT-BB-HH." in bad_date.text


async def test_pages_offer_exactly_the_actions_the_workflow_allows(
    client: httpx.AsyncClient, review: dict[str, Any], actors: Actors
) -> None:
    def buttons(text: str) -> set[str]:
        return set(re.findall(r'/actions/(\w+)"', text))

    await _signed_in(client, review["liaison"])
    assert buttons((await client.get(f"/agreements/{review['id']}", headers=HTML)).text) == set()
    await _signed_in(client, review["owner_manager"])
    manager_page = (await client.get(f"/agreements/{review['id']}", headers=HTML)).text
    assert buttons(manager_page) == {"return", "approve", "cancel"}
    viewer, _ = await actors.user("viewer", review["owner"])
    await _signed_in(client, viewer)
    assert buttons((await client.get(f"/agreements/{review['id']}", headers=HTML)).text) == set()


async def test_pages_list_filters_typed_wrong_are_named_and_kept(
    client: httpx.AsyncClient, review: dict[str, Any]
) -> None:
    await _signed_in(client, review["liaison"])
    page = await client.get(
        "/agreements", params={"stage": "bogus", "within": "abc", "q": "ILM"}, headers=HTML
    )
    assert page.status_code == 400
    assert "Pilih tahap dari daftar." in page.text
    assert "Isi bilangan bulat hari dari 1 sampai 3660." in page.text
    assert 'value="abc"' in page.text and 'value="ILM"' in page.text
    found = await client.get("/agreements", params={"stage": "review", "q": "ILM"}, headers=HTML)
    assert found.status_code == 200 and "Diseminasi ILM" in found.text
    assert "Dalam Peninjauan" in found.text and ">review<" not in found.text


async def test_pages_language_is_stored_on_the_user_and_followed_everywhere(
    client: httpx.AsyncClient, review: dict[str, Any]
) -> None:
    csrf = await _signed_in(client, review["liaison"])
    switched = await client.post(
        "/language",
        data={"_csrf_token": csrf, "locale": "en", "next": "/agreements?stage=review"},
        headers=HTML,
    )
    assert switched.status_code == 303
    assert switched.headers["location"] == "/agreements?stage=review"
    stored = await User.select(User.locale).where(User.id == review["liaison"]).first()
    assert stored == {"locale": "en"}
    listing = await client.get("/agreements", headers=HTML)
    assert '<html lang="en">' in listing.text and "In review" in listing.text
    missing = await client.get("/agreements/2000000000", headers=HTML)
    assert missing.status_code == 404 and "Not found" in missing.text
    assert 'href="/"' in missing.text
    elsewhere = await client.post(
        "/language", data={"_csrf_token": csrf, "locale": "id", "next": "//evil.example"}
    )
    assert elsewhere.headers["location"] == "/"


async def test_pages_error_pages_speak_indonesian_by_default(client: httpx.AsyncClient) -> None:
    page = await client.get("/no/such/page", headers=HTML)
    assert page.status_code == 404
    assert "Tidak ditemukan" in page.text and "Kembali ke beranda" in page.text


def test_days_waited_count_in_the_office_calendar() -> None:
    # 23:30 UTC on 1 December is 06:30 WIB on 2 December: on 2 December it has waited 0 days.
    item = WaitingApproval(
        agreement_id=1,
        reference_number="",
        title="x",
        version=2,
        approval_round=1,
        party_id=7,
        organisation_id=3,
        organisation_name="x",
        waiting_since=dt.datetime(2026, 12, 1, 23, 30, tzinfo=dt.UTC),
    )
    waiting = WaitingApprovalPage(
        items=[item], total=1, total_exact=True, limit=20, offset=0, next_cursor=None
    )
    assert days_waited(waiting, dt.date(2026, 12, 2)) == {7: 0}
    assert days_waited(waiting, dt.date(2026, 12, 5)) == {7: 3}
