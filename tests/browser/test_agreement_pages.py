"""The first pages, used as people use them: in a real browser, in both languages."""

from __future__ import annotations

from typing import Any

from tests.browser.cast import PASSWORD, Cast
from tests.browser.conftest import PHONE


async def test_liaison_reads_the_list_in_indonesian_then_in_english(visit: Any, cast: Cast) -> None:
    liaison = await visit()
    await liaison.sign_in(cast.liaison, PASSWORD)
    await liaison.open("/agreements", "list-id")
    row = await liaison.text(f"tr:has(a:text('{cast.title}'))")
    assert "Dalam Peninjauan" in row and "Perjanjian Kerja Sama (PKS)" in row
    assert "review" not in row and "pks" not in row
    assert await liaison.page.inner_text("h1") == "Kerja Sama"

    await liaison.page.click("form[action='/language'] button")
    await liaison.page.wait_for_url("**/agreements")
    await liaison.seen("list-en")
    row = await liaison.text(f"tr:has(a:text('{cast.title}'))")
    assert "In review" in row and "Cooperation Agreement" in row
    assert await liaison.page.inner_text("h1") == "Agreements"

    await liaison.page.click(f"a:text('{cast.title}')")
    await liaison.seen("detail-en")
    parties = await liaison.text("#parties-heading + table")
    assert parties.count("Pending") == 2
    # A liaison has no decision in review: no workflow button at all.
    assert await liaison.page.locator("form[action*='/actions/']").count() == 0
    await liaison.sign_out()
    # Signed out, nobody's choice applies: the sign-in page is in Indonesian again.
    assert await liaison.page.inner_text("h1") == "Masuk"


async def test_each_party_manager_approves_from_home_and_the_stage_moves_after_the_last(
    visit: Any, cast: Cast
) -> None:
    for number, manager in enumerate((cast.owner_manager, cast.partner_manager), start=1):
        person = await visit()
        await person.sign_in(manager, PASSWORD)
        waiting = await person.text("#waiting-heading + table")
        assert cast.title in waiting
        row = person.page.locator(f"#waiting-heading + table tr:has(a:text('{cast.title}'))")
        await row.locator("button:text('Setujui')").click()
        # htmx posts the form and swaps in the home page it is sent back to.
        await row.wait_for(state="detached")
        assert person.page.url == person.base + "/"
        await person.seen("home-after-approving")
        assert cast.title not in await person.text("section[aria-labelledby='waiting-heading']")
        await person.open(f"/agreements/{cast.agreement_id}", "detail")
        facts = await person.text("dl.facts")
        if number == 1:
            assert "Dalam Peninjauan" in facts
            parties = await person.text("#parties-heading + table")
            assert parties.count("Disetujui") == 1 and parties.count("Menunggu") == 1
        else:
            assert "Disetujui" in facts
        await person.sign_out()


async def test_a_return_asks_for_its_reason_and_the_reason_enters_the_history(
    visit: Any, cast: Cast
) -> None:
    manager = await visit()
    await manager.sign_in(cast.owner_manager, PASSWORD)
    await manager.open(f"/agreements/{cast.agreement_id}", "detail")
    # Spaces pass the browser's ``required`` but not the server: the error sits by the field.
    await manager.page.fill("#comment-return", "   ")
    manager.expect(f"/agreements/{cast.agreement_id}/actions/return", 422)
    await manager.page.click("form[action$='/actions/return'] button")
    await manager.seen("return-without-reason")
    assert "jelaskan mengapa kerja sama dikembalikan ke draf" in await manager.text(
        "form[action$='/actions/return']"
    )
    await manager.page.fill("#comment-return", "Lengkapi ruang lingkup")
    await manager.page.click("form[action$='/actions/return'] button")
    await manager.page.wait_for_url(f"**/agreements/{cast.agreement_id}")
    await manager.seen("returned")
    assert "Draf" in await manager.text("dl.facts")
    history = await manager.text("ol.timeline")
    assert "Kembalikan" in history and "Lengkapi ruang lingkup" in history


async def test_a_viewer_of_an_unrelated_agency_finds_the_agreement_nowhere(
    visit: Any, cast: Cast
) -> None:
    stranger = await visit()
    await stranger.sign_in(cast.stranger_viewer, PASSWORD)
    assert cast.title not in await stranger.text()
    await stranger.open("/agreements", "list")
    assert cast.title not in await stranger.text()
    await stranger.open(f"/agreements?q={cast.tag}", "search")
    assert cast.title not in await stranger.text()
    assert "0 kerja sama" in await stranger.text()
    await stranger.open(f"/agreements/{cast.agreement_id}", "hidden", status=404)
    assert await stranger.page.inner_text("h1") == "Tidak ditemukan"
    hidden = await stranger.page.content()
    await stranger.open("/agreements/2000000000", "missing", status=404)
    assert await stranger.page.content() == hidden


async def test_phone_sized_pages_never_scroll_sideways(visit: Any, cast: Cast) -> None:
    phone = await visit(viewport=PHONE)
    await phone.sign_in(cast.owner_manager, PASSWORD)
    for path, label in [
        ("/", "home"),
        ("/agreements", "list"),
        (f"/agreements/{cast.agreement_id}", "detail"),
    ]:
        await phone.open(path, f"phone-{label}")
        widths = await phone.page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert widths[0] <= widths[1] == PHONE["width"], (path, widths)
