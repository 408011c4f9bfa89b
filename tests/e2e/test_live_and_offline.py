"""Live and offline, in Chromium against the real server: a change made in one page shows in
another without focus or reload; writes made offline wait (through a reload), show as pending,
and reach the server exactly once when the network is back (checked through the API); the app
shell and the notes it had load offline; a write whose answer was lost is done once."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, Request, Route, expect

from tests.e2e.conftest import (
    Account,
    Browsing,
    add_note,
    card,
    create_note,
    registered,
    set_status,
    sign_in,
)

pytestmark = pytest.mark.e2e

EVENTS = "/api/v1/events"

# Records, in the page, when each card first appears, when each (title, status) is first shown,
# and when a card is gone: times from the page's own clock (Date.now()), as each change happens.
WATCH_CARDS = """() => {
  window.__seen = {}; window.__shown = {}; window.__gone = {};
  const look = () => {
    const now = Date.now();
    const titles = new Set();
    for (const card of document.querySelectorAll('article.note-card')) {
      const title = card.querySelector('h3')?.textContent ?? '';
      titles.add(title);
      window.__seen[title] ??= now;
      window.__shown[`${title}|${card.dataset.status}|${card.textContent}`] ??= now;
    }
    for (const title of Object.keys(window.__seen)) {
      if (!titles.has(title)) window.__gone[title] ??= now;
    }
  };
  new MutationObserver(look).observe(document.body,
    { subtree: true, childList: true, attributes: true, characterData: true });
  look();
}"""

# When a card whose "title|status|text" contains the argument was first shown.
FIRST_SHOWN = """(part) => Math.min(...Object.entries(window.__shown)
  .filter(([key]) => key.includes(part)).map(([, time]) => time))"""

# Every text the connection indicator shows, in order.
WATCH_INDICATOR = """() => {
  window.__indicator = [];
  const status = document.querySelector('p.sync-status');
  const note = () => window.__indicator.push(status.textContent);
  new MutationObserver(note)
    .observe(status, { subtree: true, childList: true, characterData: true });
  note();
}"""

# Whether the saved query cache (IndexedDB) holds a note with this title.
PERSISTED = """(title) => new Promise((resolve) => {
  const open = indexedDB.open('notestack-cache');
  open.onerror = () => resolve(false);
  open.onsuccess = () => {
    const db = open.result;
    if (!db.objectStoreNames.contains('queries')) { db.close(); resolve(false); return; }
    const read = db.transaction('queries').objectStore('queries').get('cache');
    read.onsuccess = () => {
      db.close();
      resolve(JSON.stringify(read.result ?? null).includes(title));
    };
    read.onerror = () => { db.close(); resolve(false); };
  };
})"""


def indicator(page: Page) -> Locator:
    """The connection indicator: a polite status line in the header."""
    found = page.locator("p.sync-status")
    expect(found).to_have_attribute("role", "status")
    expect(found).to_have_attribute("aria-live", "polite")
    return found


def app_shell_ready(page: Page) -> None:
    """The service worker looks after this page (so a reload works without a network)."""
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")


def edit(page: Page, note_title: str, **fields: str) -> None:
    page.get_by_role("button", name=f"Edit: {note_title}").click()
    dialog = page.get_by_role("dialog", name="Edit note")
    for label, value in fields.items():
        dialog.get_by_label(label.capitalize()).fill(value)
    dialog.get_by_role("button", name="Save changes").click()
    expect(dialog).to_have_count(0)


def server_notes(page: Page, path: str = "/api/v1/note") -> list[dict[str, Any]]:
    response = page.request.get(path)
    assert response.ok, response.text()
    notes: list[dict[str, Any]] = response.json()["notes"]
    return notes


def waiting(page: Page, title: str) -> None:
    expect(card(page, title)).to_have_attribute("data-pending", "true")
    expect(card(page, title)).to_contain_text("Waiting to sync")


def test_a_change_in_one_page_shows_in_another_within_a_second(
    browsing: Browsing, account: Account
) -> None:
    first = browsing.new_page()
    registered(first, account)
    second = browsing.new_page()
    with second.expect_response(lambda r: r.url.endswith(EVENTS)) as stream:
        sign_in(second, account)
    assert stream.value.status == 200
    assert stream.value.headers["content-type"].startswith("text/event-stream")
    expect(second.get_by_role("heading", name="No notes yet")).to_be_visible()
    second.evaluate("() => { window.__sameDocument = true; }")
    second.evaluate(WATCH_CARDS)

    latencies: dict[str, float] = {}

    def timed(method: str, action: Callable[[], None]) -> Request:
        """Do `action` in the first page; the write request it sent (timed by the browser)."""
        with first.expect_request(lambda r: r.method == method and "/api/v1/note" in r.url) as sent:
            action()
        return sent.value

    def since(request: Request, shown_at: float) -> float:
        """From the moment the write left the first page to the other page's DOM showing it."""
        request.response()  # its timing is complete once answered
        return shown_at - request.timing["startTime"]

    created = timed("POST", lambda: create_note(first, "Live from one", "First words"))
    expect(card(second, "Live from one")).to_contain_text("First words")
    latencies["create"] = since(created, second.evaluate("() => window.__seen['Live from one']"))

    expect(card(first, "Live from one")).to_have_attribute("data-pending", "false")
    done = timed("PATCH", lambda: set_status(first, "Live from one", "Done"))
    expect(card(second, "Live from one")).to_have_attribute("data-status", "Done")
    latencies["status"] = since(done, second.evaluate(FIRST_SHOWN, "Live from one|Done|"))

    expect(card(first, "Live from one")).to_have_attribute("data-pending", "false")
    edited = timed("PATCH", lambda: edit(first, "Live from one", description="Second words"))
    expect(card(second, "Live from one")).to_contain_text("Second words")
    latencies["edit"] = since(edited, second.evaluate(FIRST_SHOWN, "Second words"))

    expect(card(first, "Live from one")).to_have_attribute("data-pending", "false")
    deleted = timed(
        "DELETE", lambda: first.get_by_role("button", name="Delete: Live from one").click()
    )
    expect(card(second, "Live from one")).to_have_count(0)
    latencies["delete"] = since(deleted, second.evaluate("() => window.__gone['Live from one']"))

    print(
        "live update latency, write sent by one page to the other page's DOM (ms):",
        {action: round(ms) for action, ms in latencies.items()},
    )
    assert all(0 <= latency < 1000 for latency in latencies.values()), latencies
    # Neither a reload nor a refocus: the same document, patched in place.
    assert second.evaluate("() => window.__sameDocument") is True


def test_offline_writes_wait_through_a_reload_and_reach_the_server_once(
    browsing: Browsing, account: Account
) -> None:
    page = browsing.new_page()
    registered(page, account)
    create_note(page, "Written online", "Online words")
    create_note(page, "Old news")
    expect(card(page, "Written online")).to_have_attribute("data-pending", "false")
    expect(card(page, "Old news")).to_have_attribute("data-pending", "false")
    status = indicator(page)
    expect(status).to_have_text("Online")
    app_shell_ready(page)

    page.context.set_offline(True)
    expect(status).to_have_text("Offline")
    create_note(page, "Made offline", "Offline words")
    waiting(page, "Made offline")
    # A note made offline can be changed at once: the change waits behind its create.
    set_status(page, "Made offline", "In progress")
    edit(page, "Written online", description="Changed offline")
    page.get_by_role("button", name="Delete: Old news").click()
    expect(card(page, "Old news")).to_have_count(0)
    expect(status).to_have_text("Offline: 4 changes waiting")
    waiting(page, "Written online")
    expect(card(page, "Made offline")).to_have_attribute("data-status", "InProgress")

    # A reload without a network: the app from the service worker, the notes from IndexedDB,
    # the waiting changes from the outbox, still shown as pending.
    response = page.reload()
    assert response is not None and response.from_service_worker
    expect(indicator(page)).to_have_text("Offline: 4 changes waiting")
    waiting(page, "Made offline")
    waiting(page, "Written online")
    expect(card(page, "Written online")).to_contain_text("Changed offline")
    expect(card(page, "Made offline")).to_have_attribute("data-status", "InProgress")
    expect(card(page, "Old news")).to_have_count(0)

    page.evaluate(WATCH_INDICATOR)
    page.context.set_offline(False)
    expect(indicator(page)).to_have_text("Online")
    expect(card(page, "Made offline")).to_have_attribute("data-pending", "false")
    expect(card(page, "Written online")).to_have_attribute("data-pending", "false")
    shown = page.evaluate("() => window.__indicator")
    assert shown[0] == "Offline: 4 changes waiting", shown
    assert any(text.startswith("Syncing") for text in shown), shown
    assert shown[-1] == "Online", shown

    # On the server, each once: the note made offline (with its change), the edit, the delete.
    notes = {note["title"]: note for note in server_notes(page)}
    assert sorted(notes) == ["Made offline", "Written online"], sorted(notes)
    made = notes["Made offline"]
    assert (made["description"], made["status"], made["version"]) == (
        "Offline words",
        "InProgress",
        2,
    )
    assert notes["Written online"]["description"] == "Changed offline"
    assert notes["Written online"]["version"] == 2
    assert [note["title"] for note in server_notes(page, "/api/v1/note/trash")] == ["Old news"]
    # And the page shows the server's ids: the note made offline opens on its own page.
    expect(card(page, "Made offline").get_by_role("link", name="Made offline")).to_have_attribute(
        "href", f"/notes/{made['_id']}"
    )


def test_offline_edits_merge_with_changes_made_elsewhere_and_keep_the_text(
    browsing: Browsing, account: Account
) -> None:
    page = browsing.new_page()
    registered(page, account)
    plan_a = add_note(page, "Plan A", "Original A")
    plan_b = add_note(page, "Plan B", "Original B")
    # (Created through the API: this page learns of them by its live updates.)
    expect(card(page, "Plan A")).to_be_visible()
    expect(card(page, "Plan B")).to_be_visible()

    page.context.set_offline(True)
    edit(page, "Plan A", title="Plan A, offline")
    edit(page, "Plan B", description="My offline words")
    expect(indicator(page)).to_have_text("Offline: 2 changes waiting")
    # Meanwhile, elsewhere: another field of A, and the same field of B.
    for note_id, change in (
        (plan_a["_id"], {"priority": "High"}),
        (plan_b["_id"], {"description": "Their words"}),
    ):
        answer = page.request.patch(f"/api/v1/note/{note_id}/edit", data=change)
        assert answer.ok, answer.text()

    page.context.set_offline(False)
    # A: the server merged both changes (they touched different fields).
    merged = card(page, "Plan A, offline")
    expect(merged).to_have_attribute("data-pending", "false")
    expect(merged).to_contain_text("High priority")
    # B: a real conflict, shown with both texts; the person's is kept as a draft of the note.
    conflict = page.get_by_role("alertdialog", name="This note was changed elsewhere")
    expect(conflict).to_contain_text("Their words")
    expect(conflict).to_contain_text("My offline words")
    conflict.get_by_role("button", name="Keep theirs").click()
    expect(card(page, "Plan B")).to_contain_text("Unsaved draft")
    expect(indicator(page)).to_have_text("Online")
    page.get_by_role("button", name="Edit: Plan B").click()
    expect(page.get_by_role("dialog", name="Edit note").get_by_label("Description")).to_have_value(
        "My offline words"
    )

    notes = {note["title"]: note for note in server_notes(page)}
    assert sorted(notes) == ["Plan A, offline", "Plan B"]
    assert notes["Plan A, offline"]["priority"] == "High"
    assert notes["Plan B"]["description"] == "Their words"


def test_the_app_and_its_notes_load_offline(browsing: Browsing, account: Account) -> None:
    page = browsing.new_page()
    registered(page, account)
    create_note(page, "Kept for the road", "Read on the train")
    expect(card(page, "Kept for the road")).to_have_attribute("data-pending", "false")
    app_shell_ready(page)
    page.wait_for_function(PERSISTED, arg="Kept for the road")
    manifest = page.request.get("/manifest.webmanifest").json()
    assert manifest["start_url"] == "/" and manifest["display"] == "standalone"
    assert {icon["sizes"] for icon in manifest["icons"]} >= {"192x192", "512x512"}

    page.context.set_offline(True)
    response = page.reload()
    assert response is not None and response.from_service_worker
    expect(page.get_by_role("heading", name="Your notes")).to_be_visible()
    expect(card(page, "Kept for the road")).to_contain_text("Read on the train")
    expect(indicator(page)).to_have_text("Offline")
    # A page never opened before: its code comes from the precache too.
    page.goto("/trash")
    expect(page.get_by_role("heading", name="Trash")).to_be_visible()
    page.context.set_offline(False)


def test_a_write_whose_answer_was_lost_is_sent_again_and_done_once(
    browsing: Browsing, account: Account
) -> None:
    page = browsing.new_page()
    registered(page, account)
    expect(indicator(page)).to_have_text("Online")
    keys: list[str | None] = []

    def lose_the_answer(route: Route) -> None:
        keys.append(route.request.headers.get("idempotency-key"))
        route.fetch()  # the server does the work...
        route.abort("internetdisconnected")  # ...and the answer never comes back

    page.route("**/api/v1/note/create", lose_the_answer, times=1)
    with page.expect_response(
        lambda r: r.url.endswith("/api/v1/note/create") and r.status == 201
    ) as again:
        create_note(page, "Sent twice")
    expect(card(page, "Sent twice")).to_have_attribute("data-pending", "false")
    assert keys and keys[0] and re.fullmatch(r"[0-9a-f]{32}", keys[0])
    assert again.value.request.headers.get("idempotency-key") == keys[0]
    assert again.value.headers.get("idempotent-replayed") == "true"
    assert [note["title"] for note in server_notes(page)] == ["Sent twice"]
    expect(card(page, "Sent twice")).to_have_count(1)
