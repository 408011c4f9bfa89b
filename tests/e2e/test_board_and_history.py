"""The board (drag and drop by mouse and keyboard), sort, counts and search highlights; the
trash, history, merges and conflicts; export and import. Each test shares one account."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import (
    Account,
    Browsing,
    add_note,
    card,
    refocus,
    registered,
    sign_in,
)
from tests.e2e.test_web_client import serious_violations

pytestmark = pytest.mark.e2e


def column(page: Page, status: str) -> Locator:
    return page.locator(f'section.board-column[data-status="{status}"]')


def titles_in(page: Page, status: str) -> Locator:
    return column(page, status).locator("article.note-card h3")


def no_serious_violations(page: Page, where: str) -> None:
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)  # type: ignore[arg-type]
        assert serious_violations(page) == [], f"{where} ({scheme})"
    page.emulate_media(color_scheme="light")


def picked_up(page: Page, live: Locator, announcement: str) -> None:
    """The card is picked up (announced) and dnd-kit's keyboard sensor listens for the next
    key: it starts listening in a zero-delay timer after the pick-up, so an arrow key sent at
    once (faster than any person) could arrive before it and be lost."""
    expect(live).to_contain_text(announcement)
    page.evaluate("() => new Promise((resolve) => setTimeout(resolve, 0))")


def test_board_drag_by_mouse_and_keyboard(browsing: Browsing, account: Account) -> None:
    page = browsing.new_page()
    registered(page, account)
    for title in ("Third", "Second", "First"):  # each new note goes to the top of its column
        add_note(page, title)
    add_note(page, "Started", status="InProgress")
    page.reload()
    page.get_by_role("group", name="View").get_by_role("button", name="Board").click()
    expect(column(page, "Pending").locator("article.note-card")).to_have_count(3)
    expect(titles_in(page, "Pending")).to_have_text(["First", "Second", "Third"])
    expect(titles_in(page, "InProgress")).to_have_text(["Started"])
    no_serious_violations(page, "board")

    # Keyboard: pick up "First" by its handle, one column right, drop. (Where in the column
    # it lands depends on whether the move ends over "Started" or over the column: layout.)
    handle = card(page, "First").get_by_role("button", name="Move “First”")
    handle.focus()
    with page.expect_request(lambda r: r.method == "PATCH") as moved:
        page.keyboard.press("Space")
        live = page.locator("[id^='DndLiveRegion']")
        picked_up(page, live, "Picked up “First”: Pending, position 1 of 3")
        page.keyboard.press("ArrowRight")
        expect(column(page, "InProgress").locator("article.note-card")).to_have_count(2)
        page.keyboard.press("Space")
    sent = json.loads(moved.value.post_data or "{}")
    assert sent["status"] == "InProgress" and re.fullmatch(r"[0-9A-Za-z]{2,64}", sent["position"])
    assert moved.value.headers.get("if-match") == '"1"'
    expect(live).to_contain_text("Dropped “First” in In progress")
    expect(card(page, "First")).to_have_attribute("data-pending", "false")
    expect(column(page, "InProgress").locator("article.note-card")).to_have_count(2)
    expect(titles_in(page, "Pending")).to_have_text(["Second", "Third"])
    assert sorted(titles_in(page, "InProgress").all_inner_texts()) == ["First", "Started"]

    # Mouse: drag "Third" above "Second" in its own column.
    source = card(page, "Third").get_by_role("button", name="Move “Third”").bounding_box()
    target = card(page, "Second").bounding_box()
    assert source and target
    page.mouse.move(source["x"] + source["width"] / 2, source["y"] + source["height"] / 2)
    page.mouse.down()
    for step in range(1, 11):
        page.mouse.move(
            source["x"] + source["width"] / 2,
            source["y"] + (target["y"] + 5 - source["y"]) * step / 10,
        )
    with page.expect_response(lambda r: r.request.method == "PATCH") as patched:
        page.mouse.up()
    assert patched.value.status == 200
    expect(card(page, "Third")).to_have_attribute("data-pending", "false")
    expect(titles_in(page, "Pending")).to_have_text(["Third", "Second"])

    # Mouse, across columns: "Second" onto Done (an empty column).
    source = card(page, "Second").get_by_role("button", name="Move “Second”").bounding_box()
    target = column(page, "Done").bounding_box()
    assert source and target
    page.mouse.move(source["x"] + 5, source["y"] + 5)
    page.mouse.down()
    for step in range(1, 11):
        page.mouse.move(
            source["x"] + (target["x"] + target["width"] / 2 - source["x"]) * step / 10,
            source["y"] + (target["y"] + 60 - source["y"]) * step / 10,
        )
    with page.expect_response(lambda r: r.request.method == "PATCH"):
        page.mouse.up()
    expect(column(page, "Done").get_by_role("article", name="Second", exact=True)).to_be_visible()

    # It all persists: the board after a reload is the same.
    page.reload()
    expect(column(page, "Done").locator("article.note-card")).to_have_count(1)
    expect(titles_in(page, "Pending")).to_have_text(["Third"])
    expect(column(page, "InProgress").locator("article.note-card")).to_have_count(2)
    assert sorted(titles_in(page, "InProgress").all_inner_texts()) == ["First", "Started"]
    expect(titles_in(page, "Done")).to_have_text(["Second"])

    # A refused move rolls back.
    page.route(
        "**/api/v1/note/*/edit",
        lambda route: route.fulfill(
            status=503,
            content_type="application/json",
            body=json.dumps({"success": False, "message": "Try later", "errors": []}),
        ),
    )
    card(page, "Third").get_by_role("button", name="Move “Third”").focus()
    page.keyboard.press("Space")
    picked_up(page, live, "Picked up “Third”")
    page.keyboard.press("ArrowRight")
    expect(column(page, "InProgress").locator("article.note-card")).to_have_count(3)
    page.keyboard.press("Space")
    expect(page.get_by_test_id("toast").filter(has_text="Could not save “Third”")).to_be_visible()
    expect(column(page, "Pending").get_by_role("article", name="Third", exact=True)).to_be_visible()
    page.unroute("**/api/v1/note/*/edit")


def test_sort_counts_and_search_highlights(browsing: Browsing, account: Account) -> None:
    page = browsing.new_page()
    registered(page, account)
    add_note(page, "Banana bread", "Bake it with plumbing tools", priority="Low")
    add_note(page, "Call the plumber", "The kitchen tap drips", priority="High")
    add_note(page, "Apple pie", "", priority="Medium", status="Done")
    page.reload()

    status = page.get_by_role("group", name="Status", exact=True)
    expect(status.get_by_role("button", name="All 3")).to_have_attribute("aria-pressed", "true")
    expect(status.get_by_role("button", name="Pending 2")).to_be_visible()
    expect(status.get_by_role("button", name="Done 1")).to_be_visible()
    priority = page.get_by_label("Priority", exact=True)
    expect(priority.locator("option", has_text="High (1)")).to_have_count(1)

    sort = page.get_by_label("Sort")
    sort.select_option(label="Title, A to Z")
    expect(page).to_have_url(re.compile(r"sort=title&order=asc"))
    titles = page.locator("article.note-card h3")
    expect(titles).to_have_text(["Apple pie", "Banana bread", "Call the plumber"])
    sort.select_option(label="Priority, high first")
    expect(titles).to_have_text(["Call the plumber", "Apple pie", "Banana bread"])
    page.reload()  # the sort is in the URL
    expect(titles).to_have_text(["Call the plumber", "Apple pie", "Banana bread"])
    sort.select_option(label="Newest first")

    # Counts follow the search; each word may begin any word, in any order.
    page.get_by_label("Search notes").fill("plumb")
    expect(status.get_by_role("button", name="All 2")).to_be_visible()
    plumber = card(page, "Call the plumber")
    expect(plumber.locator("h3 mark")).to_have_text("plumb")
    expect(card(page, "Banana bread").locator(".note-excerpt mark")).to_have_text("plumb")
    # Marks are text, and the card's name is still the whole title.
    assert plumber.locator("h3 mark").evaluate("el => el.children.length") == 0
    expect(status.get_by_role("button", name="Pending 2")).to_be_visible()
    status.get_by_role("button", name="Pending 2").click()
    expect(page).to_have_url(re.compile(r"status=Pending"))
    no_serious_violations(page, "search with highlights")


def test_trash_restore_and_undo_after_the_toast(browsing: Browsing, account: Account) -> None:
    page = browsing.new_page()
    registered(page, account)
    add_note(page, "Old receipt", "Keep for taxes")
    add_note(page, "Junk")
    page.reload()

    # Deleted at once (to the trash): the toast's Undo is a restore.
    with page.expect_request(lambda r: r.method == "DELETE"):
        card(page, "Junk").get_by_role("button", name="Delete: Junk").click()
    toast = page.get_by_test_id("toast").filter(has_text="Deleted “Junk”")
    with page.expect_response(lambda r: r.url.endswith("/restore")) as restored:
        toast.get_by_role("button", name="Undo").click()
    assert restored.value.status == 200
    expect(card(page, "Junk")).to_have_attribute("data-pending", "false")

    # After the toast is gone, the trash still has it.
    card(page, "Old receipt").get_by_role("button", name="Delete: Old receipt").click()
    expect(card(page, "Old receipt")).to_have_count(0)
    page.get_by_test_id("toast").filter(has_text="Deleted “Old receipt”").get_by_role(
        "button", name="Dismiss notification"
    ).click()
    page.get_by_role("button", name=re.compile("Account menu")).click()
    expect(page.get_by_role("link", name="Trash")).to_be_visible()
    no_serious_violations(page, "account menu")
    page.get_by_role("link", name="Trash").click()
    expect(page.get_by_role("heading", level=1, name="Trash")).to_be_visible()
    item = page.get_by_role("article", name="Old receipt")
    expect(item).to_contain_text("Deleted for good in 30 days")
    no_serious_violations(page, "trash")
    item.get_by_role("button", name="Restore: Old receipt").click()
    expect(item).to_have_count(0)
    expect(page.get_by_role("heading", name="The trash is empty")).to_be_visible()
    page.get_by_role("link", name="← Back to your notes").click()
    expect(card(page, "Old receipt")).to_be_visible()

    # Delete forever, and empty the trash, both asked first.
    card(page, "Junk").get_by_role("button", name="Delete: Junk").click()
    expect(card(page, "Junk")).to_have_count(0)
    page.goto("/trash")
    page.get_by_role("button", name="Delete forever: Junk").click()
    ask = page.get_by_role("alertdialog", name="Delete this note forever?")
    no_serious_violations(page, "purge dialog")
    ask.get_by_role("button", name="Delete forever").click()
    expect(page.get_by_role("heading", name="The trash is empty")).to_be_visible()  # at once
    expect(page.get_by_test_id("toast").filter(has_text="Deleted “Junk” for good")).to_be_visible()
    assert page.request.get("/api/v1/note/trash").json()["notes"] == []


def test_two_tabs_merge_and_a_real_conflict_keeps_a_copy(
    browsing: Browsing, account: Account
) -> None:
    first = browsing.new_page()
    registered(first, account)
    add_note(first, "Shared plan", "Draft")
    first.reload()
    second = browsing.new_page()
    sign_in(second, account)

    # Both open the editor on version 1 and change different fields: merged, no dialog.
    second.get_by_role("button", name="Edit: Shared plan").click()
    first.get_by_role("button", name="Edit: Shared plan").click()
    one = first.get_by_role("dialog", name="Edit note")
    one.get_by_label("Title").fill("Plan by one")
    one.get_by_label("Priority").select_option("High")
    one.get_by_role("button", name="Save changes").click()
    expect(card(first, "Plan by one")).to_have_attribute("data-pending", "false")
    two = second.get_by_role("dialog", name="Edit note")
    two.get_by_label("Description").fill("Details by two")
    with second.expect_response(lambda r: r.request.method == "PATCH") as merged:
        two.get_by_role("button", name="Save changes").click()
    assert merged.value.status == 200
    saved = card(second, "Plan by one")
    expect(saved).to_contain_text("Details by two")
    expect(saved).to_contain_text("High priority")
    expect(second.get_by_role("alertdialog")).to_have_count(0)

    # Now both change the description from the same version: a real conflict.
    refocus(first)
    expect(card(first, "Plan by one")).to_contain_text("Details by two")
    first.get_by_role("button", name="Edit: Plan by one").click()
    second.get_by_role("button", name="Edit: Plan by one").click()
    one.get_by_label("Description").fill("Their words")
    one.get_by_role("button", name="Save changes").click()
    expect(card(first, "Plan by one")).to_contain_text("Their words")
    two.get_by_label("Description").fill("My precious words")
    two.get_by_role("button", name="Save changes").click()
    conflict = second.get_by_role("alertdialog", name="This note was changed elsewhere")
    expect(conflict).to_contain_text("Their words")
    expect(conflict).to_contain_text("My precious words")
    expect(conflict).to_contain_text("your text stays saved as a draft")
    no_serious_violations(second, "conflict dialog")

    # Keeping theirs keeps the person's text in a draft of the note, offered on Edit.
    conflict.get_by_role("button", name="Keep theirs").click()
    kept = card(second, "Plan by one")
    expect(kept).to_contain_text("Their words")
    expect(kept).to_contain_text("Unsaved draft")
    second.reload()
    second.get_by_role("button", name="Edit: Plan by one").click()
    expect(two.get_by_label("Description")).to_have_value("My precious words")
    expect(two.get_by_role("status")).to_contain_text("Restored your unsaved changes")
    # Saving it now is based on their version: a plain save.
    two.get_by_role("button", name="Save changes").click()
    expect(card(second, "Plan by one")).to_contain_text("My precious words")
    expect(card(second, "Plan by one")).not_to_contain_text("Unsaved draft")

    # An edit to a note deleted elsewhere keeps the text: restore it with the change.
    first.reload()
    second.get_by_role("button", name="Edit: Plan by one").click()
    with first.expect_request(lambda r: r.method == "DELETE"):
        card(first, "Plan by one").get_by_role("button", name="Delete: Plan by one").click()
    two.get_by_label("Title").fill("Plan, rescued")
    two.get_by_role("button", name="Save changes").click()
    gone = second.get_by_role("alertdialog", name="This note was deleted elsewhere")
    expect(gone).to_contain_text("Plan, rescued")
    no_serious_violations(second, "deleted-elsewhere dialog")
    gone.get_by_role("button", name="Restore it with my change").click()
    expect(card(second, "Plan, rescued")).to_have_attribute("data-pending", "false")


def test_history_restores_an_earlier_version(browsing: Browsing, account: Account) -> None:
    page = browsing.new_page()
    registered(page, account)
    note = add_note(page, "Recipe", "Flour\nSugar\nEggs")
    for patch in ({"description": "Flour\nHoney\nEggs"}, {"title": "Recipe v3"}):
        current = page.request.get(f"/api/v1/note/{note['_id']}").json()["note"]
        response = page.request.patch(
            f"/api/v1/note/{note['_id']}/edit",
            data=patch,
            headers={"If-Match": f'"{current["version"]}"'},
        )
        assert response.status == 200, response.text()
    page.goto(f"/notes/{note['_id']}")
    page.get_by_role("link", name="History").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("History of “Recipe v3”")
    versions = page.get_by_role("navigation", name="Earlier versions")
    versions.get_by_role("button", name=re.compile("^Version 1")).click()
    detail = page.get_by_role("region", name="Version 1 compared with the current one")
    expect(detail.locator("del").first).to_contain_text("Recipe v3")
    expect(detail.locator("pre del")).to_have_text(["- Honey\n"])
    expect(detail.locator("pre ins")).to_have_text(["+ Sugar\n"])
    no_serious_violations(page, "history")
    with page.expect_request(lambda r: r.url.endswith("/revert")) as reverted:
        detail.get_by_role("button", name="Restore version 1").click()
    assert json.loads(reverted.value.post_data or "{}") == {"version": 1}
    assert reverted.value.headers.get("if-match") == '"3"'
    expect(page.get_by_test_id("toast").filter(has_text="Restored version 1")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("History of “Recipe”")
    page.get_by_role("link", name="← Back to the note").click()
    expect(page.get_by_role("region", name="Description")).to_contain_text("Sugar")


def test_export_and_import_round_trip(browsing: Browsing, account: Account, tmp_path: Path) -> None:
    page = browsing.new_page()
    registered(page, account)
    if page.request.get("/api/v1/export?format=json").status == 404:
        pytest.skip("the server has no export endpoint yet")
    add_note(page, "Exported one", "With *Markdown*", priority="High")
    add_note(page, "Exported two")
    page.reload()

    page.get_by_role("button", name=re.compile("Account menu")).click()
    page.get_by_role("button", name="Export notes…").click()
    dialog = page.get_by_role("dialog", name="Export your notes")
    no_serious_violations(page, "export dialog")
    with page.expect_download() as download:
        dialog.get_by_role("button", name="Export", exact=True).click()
    exported = tmp_path / download.value.suggested_filename
    download.value.save_as(exported)
    assert exported.suffix == ".json"
    expect(dialog.get_by_role("status").last).to_contain_text("Saved")
    dialog.get_by_role("button", name="Done").click()

    # Into a fresh account: everything arrives; a second import adds nothing.
    other = Account(
        username=f"{account.username}_b", email=f"b_{account.email}", password=account.password
    )
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    registered(page, other)
    for expected in ("Imported 2 notes", "already here"):
        page.get_by_role("button", name=re.compile("Account menu")).click()
        page.get_by_role("button", name="Import notes…").click()
        importing = page.get_by_role("dialog", name="Import notes")
        importing.get_by_label("File to import").set_input_files(str(exported))
        importing.get_by_role("button", name="Import", exact=True).click()
        report = importing.get_by_role("status", name="Import report")
        expect(report).to_contain_text(expected)
        no_serious_violations(page, "import report")
        importing.get_by_role("button", name="Done").click()
    expect(card(page, "Exported one")).to_be_visible()
    expect(card(page, "Exported two")).to_be_visible()

    # A file with a bad record imports nothing and says where.
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{"title": ""}]), encoding="utf-8")
    page.get_by_role("button", name=re.compile("Account menu")).click()
    page.get_by_role("button", name="Import notes…").click()
    importing = page.get_by_role("dialog", name="Import notes")
    importing.get_by_label("File to import").set_input_files(str(bad))
    importing.get_by_role("button", name="Import", exact=True).click()
    expect(importing.get_by_role("alert")).to_contain_text("Nothing was imported")
