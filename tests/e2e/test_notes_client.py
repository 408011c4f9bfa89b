"""The note page, Markdown, task lists, shortcuts, the status control; no work is ever lost."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Route, expect

from tests.e2e.conftest import Account, Browsing, add_note, card, registered, set_status
from tests.e2e.test_web_client import serious_violations

pytestmark = pytest.mark.e2e

MARKDOWN = """# Trip plan

Some **bold** words and a [link](https://example.com/page).

- [ ] Book the train
- [x] Pack the bags

<script>window.__xss = 1</script>
"""


def test_note_page_renders_markdown_safely_and_ticks_tasks(
    browsing: Browsing, account: Account
) -> None:
    page = browsing.new_page()
    registered(page, account)
    note = add_note(page, "Trip", MARKDOWN)
    page.reload()

    # Opened from the list: the title is a link to the note's own address.
    card(page, "Trip").get_by_role("link", name="Trip").click()
    expect(page).to_have_url(re.compile(rf"/notes/{note['_id']}$"))
    expect(page.get_by_role("heading", level=1, name="Trip")).to_be_visible()
    body = page.get_by_role("region", name="Description")
    expect(body.get_by_role("heading", name="Trip plan")).to_be_visible()
    expect(body.locator("strong")).to_have_text("bold")
    link = body.get_by_role("link", name="link")
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    # Raw HTML is shown as text, never run.
    expect(body).to_contain_text("<script>window.__xss = 1</script>")
    assert body.locator("script").count() == 0
    assert page.evaluate("() => window.__xss") is None

    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        assert serious_violations(page) == [], scheme

    # A task checkbox saves the description with If-Match, at once on screen.
    train = body.get_by_role("checkbox", name="Book the train")
    with page.expect_request(lambda r: r.method == "PATCH") as patched:
        train.check()
    assert patched.value.headers.get("if-match") == '"1"'
    sent = json.loads(patched.value.post_data or "{}")
    assert "- [x] Book the train" in sent["description"]
    expect(page.locator("article.note-view")).to_have_attribute("data-pending", "false")
    assert "- [x] Book the train" in page.request.get(f"/api/v1/note/{note['_id']}").text()

    # A refused save rolls the box back and says so.
    def refuse(route: Route) -> None:
        route.fulfill(
            status=503,
            content_type="application/json",
            body=json.dumps({"success": False, "message": "Try later", "errors": []}),
        )

    page.route("**/api/v1/note/*/edit", refuse)
    # (A click, not uncheck(): the rollback may come before Playwright reads the box again.)
    body.get_by_role("checkbox", name="Pack the bags").click()
    expect(page.get_by_test_id("toast").filter(has_text="Could not save “Trip”")).to_be_visible()
    expect(body.get_by_role("checkbox", name="Pack the bags")).to_be_checked()
    page.unroute("**/api/v1/note/*/edit")

    # Opened by its URL on a fresh load: the same page, the saved tick.
    page.goto(f"/notes/{note['_id']}")
    expect(page.get_by_role("checkbox", name="Book the train")).to_be_checked()
    page.get_by_role("link", name="Back to your notes").click()
    expect(card(page, "Trip")).to_be_visible()


def test_status_both_ways_and_keyboard_shortcuts(browsing: Browsing, account: Account) -> None:
    page = browsing.new_page()
    registered(page, account)
    add_note(page, "Older")
    add_note(page, "Newer", "Its description")
    page.reload()
    expect(card(page, "Older")).to_be_visible()

    # One click each way, no cycling through the states in between.
    set_status(page, "Older", "Done")
    expect(card(page, "Older")).to_have_attribute("data-status", "Done")
    set_status(page, "Older", "In progress")
    expect(card(page, "Older")).to_have_attribute("data-status", "InProgress")
    expect(card(page, "Older")).to_have_attribute("data-pending", "false")

    # j/k move between cards, x marks done or reopens, Enter opens.
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("j")
    expect(card(page, "Newer")).to_be_focused()
    page.keyboard.press("j")
    expect(card(page, "Older")).to_be_focused()
    page.keyboard.press("k")
    expect(card(page, "Newer")).to_be_focused()
    page.keyboard.press("x")
    expect(card(page, "Newer")).to_have_attribute("data-status", "Done")
    page.keyboard.press("x")
    expect(card(page, "Newer")).to_have_attribute("data-status", "Pending")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name="Newer")).to_be_visible()
    page.keyboard.press("e")
    editor = page.get_by_role("region", name="Edit note")
    expect(editor.get_by_label("Title")).to_be_focused()
    page.keyboard.type(" twice")  # typing in a field never fires a shortcut
    editor.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("heading", level=1, name="Newer twice")).to_be_visible()
    page.go_back()

    # / goes to search; typing there is text; ? shows the help; n starts a note.
    expect(card(page, "Newer twice")).to_be_visible()
    page.keyboard.press("/")
    search = page.get_by_label("Search notes")
    expect(search).to_be_focused()
    page.keyboard.type("n")
    expect(search).to_have_value("n")
    expect(page.get_by_role("dialog")).to_have_count(0)
    search.fill("")
    search.blur()
    page.keyboard.press("?")
    help_sheet = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(help_sheet).to_contain_text("Mark the selected note done")
    page.keyboard.press("n")  # not while a dialog is open
    expect(page.get_by_role("dialog", name="New note")).to_have_count(0)
    page.keyboard.press("Escape")
    page.keyboard.press("n")
    expect(page.get_by_role("dialog", name="New note").get_by_label("Title")).to_be_focused()


def test_unsaved_text_is_never_lost(browsing: Browsing, account: Account) -> None:
    page = browsing.new_page()
    registered(page, account)
    add_note(page, "Existing", "Old words")
    page.reload()

    page.get_by_role("button", name="New note").click()
    dialog = page.get_by_role("dialog", name="New note")
    dialog.get_by_label("Title").fill("Half a thought")
    dialog.get_by_label("Description").fill("More to come")
    page.keyboard.press("Escape")
    ask = page.get_by_role("alertdialog", name="Discard unsaved changes?")
    expect(ask).to_be_visible()
    expect(ask.get_by_role("button", name="Keep editing")).to_be_focused()
    page.keyboard.press("Escape")  # Escape keeps editing
    expect(ask).to_be_hidden()
    expect(dialog.get_by_label("Title")).to_have_value("Half a thought")

    # The draft survives a reload.
    page.reload()
    page.get_by_role("button", name="New note").click()
    expect(dialog.get_by_label("Title")).to_have_value("Half a thought")
    expect(dialog.get_by_label("Description")).to_have_value("More to come")
    expect(dialog.get_by_role("status")).to_contain_text("Restored your unsaved changes")
    dialog.get_by_role("button", name="Cancel").click()
    ask.get_by_role("button", name="Discard").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("button", name="New note")).to_be_focused()
    page.get_by_role("button", name="New note").click()
    expect(dialog.get_by_label("Title")).to_have_value("")
    dialog.get_by_role("button", name="Close").click()  # nothing typed: closes at once
    expect(dialog).to_be_hidden()

    # An edit's draft is kept per note, shown on its card, and saved later.
    page.get_by_role("button", name="Edit: Existing").click()
    edit = page.get_by_role("dialog", name="Edit note")
    edit.get_by_label("Description").fill("New words")
    page.reload()
    expect(card(page, "Existing")).to_contain_text("Unsaved draft")
    page.get_by_role("button", name="Edit: Existing").click()
    expect(edit.get_by_label("Description")).to_have_value("New words")
    edit.get_by_role("button", name="Save changes").click()
    expect(card(page, "Existing")).to_contain_text("New words")
    expect(card(page, "Existing")).to_have_attribute("data-pending", "false")
    expect(card(page, "Existing")).not_to_contain_text("Unsaved draft")


def test_keyboard_only_undo_and_failed_delete(browsing: Browsing, account: Account) -> None:
    page = browsing.new_page()
    registered(page, account)
    add_note(page, "Keep me")
    add_note(page, "Delete me")
    page.reload()
    expect(card(page, "Delete me")).to_be_visible()
    deletes: list[str] = []
    page.on("request", lambda r: deletes.append(r.url) if r.method == "DELETE" else None)

    # "#" on the focused card: the focus goes straight to Undo, which holds the toast open.
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("j")
    expect(card(page, "Delete me")).to_be_focused()
    page.keyboard.press("#")
    expect(card(page, "Delete me")).to_have_count(0)
    toast = page.get_by_test_id("toast").filter(has_text="Deleted “Delete me”")
    undo = toast.get_by_role("button", name="Undo")
    expect(undo).to_be_focused()
    expect(toast).to_have_attribute("data-paused", "true")
    page.keyboard.press("Enter")
    expect(card(page, "Delete me")).to_be_focused()
    assert len(deletes) == 1  # to the trash at once; Undo restored it

    # The Delete button from the keyboard does the same. Escape on the toast dismisses it, and
    # the focus moves to the card that took its place, never to the page body.
    card(page, "Delete me").get_by_role("button", name="Delete: Delete me").focus()
    with page.expect_request(lambda r: r.method == "DELETE"):
        page.keyboard.press("Enter")
        expect(toast.get_by_role("button", name="Undo")).to_be_focused()
        page.keyboard.press("Escape")
    expect(card(page, "Keep me")).to_be_focused()
    expect(card(page, "Delete me")).to_have_count(0)

    # A delete the server refuses: the card is back at once, and the message says why.
    expect(card(page, "Delete me")).to_have_count(0)
    page.route(
        "**/api/v1/note/*/delete",
        lambda route: route.fulfill(
            status=503,
            content_type="application/json",
            body=json.dumps({"success": False, "message": "Database unavailable", "errors": []}),
        ),
    )
    add_note(page, "Doomed delete")
    page.reload()
    card(page, "Doomed delete").get_by_role("button", name="Delete: Doomed delete").click()
    failure = page.get_by_test_id("toast").filter(has_text="Could not delete “Doomed delete”")
    expect(failure).to_contain_text("Database unavailable")
    expect(failure).to_contain_text("It is back in your list.")
    expect(card(page, "Doomed delete")).to_be_visible()
    page.unroute("**/api/v1/note/*/delete")

    # z: undo the last delete without reaching for the toast.
    card(page, "Keep me").get_by_role("button", name="Delete: Keep me").click()
    expect(card(page, "Keep me")).to_have_count(0)
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("z")
    expect(card(page, "Keep me")).to_be_visible()


def test_status_change_out_of_the_filter_says_so(browsing: Browsing, account: Account) -> None:
    page = browsing.new_page()
    registered(page, account)
    add_note(page, "Filtered")
    page.goto("/?status=Pending")
    expect(card(page, "Filtered")).to_be_visible()
    set_status(page, "Filtered", "Done")
    expect(card(page, "Filtered")).to_have_count(0)
    toast = page.get_by_test_id("toast").filter(has_text="no longer matches these filters")
    expect(toast).to_contain_text("“Filtered” is now Done")
    toast.get_by_role("button", name="Undo").click()
    expect(card(page, "Filtered")).to_have_attribute("data-status", "Pending")
    expect(card(page, "Filtered")).to_have_attribute("data-pending", "false")


def test_sign_in_failure_focus_and_show_password(browsing: Browsing, account: Account) -> None:
    page = browsing.new_page()
    registered(page, account)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    page.get_by_label("Email").fill(account.email)
    password = page.get_by_label("Password", exact=True)
    password.fill("not the password")
    page.get_by_role("button", name="Show password").click()
    expect(password).to_have_attribute("type", "text")
    toggle = page.get_by_role("button", name="Show password")
    expect(toggle).to_have_attribute("aria-pressed", "true")
    page.get_by_role("button", name="Sign in").click()
    error = page.get_by_role("alert")
    expect(error).to_have_text("Wrong email or password. Check both and try again.")
    expect(error).to_be_focused()
