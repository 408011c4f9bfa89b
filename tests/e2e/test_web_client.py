"""The web client end to end: real app, real SQLite, Debian's Chromium."""

from __future__ import annotations

import json
import re
import time
from typing import Any

import pytest
from playwright.sync_api import Page, Route, expect

from tests.e2e.conftest import (
    AXE,
    RESULTS,
    Account,
    Browsing,
    card,
    create_note,
    refocus,
    registered,
    set_status,
    sign_in,
    sign_up,
)

pytestmark = pytest.mark.e2e


def test_account_and_note_lifecycle(browsing: Browsing, account: Account) -> None:
    page = browsing.new_page()
    sign_up(page, account)  # signs in directly
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page).to_have_title("Your notes · NoteStack")
    expect(page.get_by_role("heading", name="No notes yet")).to_be_visible()

    # Create
    create_note(page, "Buy milk", "Semi-skimmed, two litres", priority="High")
    note = card(page, "Buy milk")
    expect(note).to_be_visible()
    expect(note).to_have_attribute("data-pending", "false")
    expect(note).to_contain_text("High priority")
    expect(note).to_contain_text("Semi-skimmed, two litres")

    # Edit in the dialog, with inline validation first
    page.get_by_role("button", name="Edit: Buy milk").click()
    dialog = page.get_by_role("dialog", name="Edit note")
    dialog.get_by_label("Title").fill("   ")
    dialog.get_by_role("button", name="Save changes").click()
    expect(dialog.get_by_text("Give the note a title.")).to_be_visible()
    dialog.get_by_label("Title").fill("Buy oat milk")
    dialog.get_by_role("button", name="Save changes").click()
    expect(dialog).to_be_hidden()
    note = card(page, "Buy oat milk")
    expect(note).to_have_attribute("data-pending", "false")

    # Status in one click
    set_status(page, "Buy oat milk", "In progress")
    expect(note).to_have_attribute("data-status", "InProgress")
    expect(note).to_contain_text("In progress")
    expect(note).to_have_attribute("data-pending", "false")

    # Delete (to the trash at once), then undo (a restore from the trash)
    with page.expect_request(lambda r: r.method == "DELETE"):
        note.get_by_role("button", name="Delete: Buy oat milk").click()
    expect(card(page, "Buy oat milk")).to_have_count(0)
    toast = page.get_by_test_id("toast").filter(has_text="Deleted “Buy oat milk”")
    expect(toast).to_be_visible()
    with page.expect_response(lambda r: r.url.endswith("/restore")) as restored:
        toast.get_by_role("button", name="Undo").click()
    assert restored.value.status == 200
    expect(card(page, "Buy oat milk")).to_have_attribute("data-pending", "false")
    page.reload()
    expect(card(page, "Buy oat milk")).to_be_visible()
    expect(card(page, "Buy oat milk")).to_have_attribute("data-status", "InProgress")

    # Sign out (and say so); a protected URL then asks to sign in, and comes back afterwards
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/sign-in$"))
    expect(page.get_by_role("status").filter(has_text="You have signed out.")).to_be_visible()
    expect(page.get_by_text("Sign in to continue to that page")).to_have_count(0)
    page.goto("/notes?status=InProgress")
    expect(page).to_have_url(re.compile(r"/sign-in\?redirect=%2Fnotes%3Fstatus%3DInProgress$"))
    sign_in(page, account, go=False)
    expect(page).to_have_url(re.compile(r"/notes\?status=InProgress$"))
    status_filter = page.get_by_role("group", name="Status", exact=True)
    expect(status_filter.get_by_role("button", name=re.compile("^In progress"))).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(card(page, "Buy oat milk")).to_be_visible()


def test_leaving_the_page_sends_the_pending_delete(browsing: Browsing, account: Account) -> None:
    page = browsing.new_page()
    registered(page, account)
    create_note(page, "Left behind")
    create_note(page, "Hidden away")
    expect(card(page, "Left behind")).to_have_attribute("data-pending", "false")
    expect(card(page, "Hidden away")).to_have_attribute("data-pending", "false")

    # The tab is hidden: the delete goes out now, not after the undo window.
    with page.expect_request(lambda r: r.method == "DELETE", timeout=2_000):
        page.get_by_role("button", name="Delete: Hidden away").click()
        page.evaluate(
            """() => {
              Object.defineProperty(document, 'visibilityState', { value: 'hidden',
                                                                   configurable: true });
              document.dispatchEvent(new Event('visibilitychange'));
            }"""
        )

    # The page is closed or navigated away: the keepalive DELETE still reaches the server.
    page.get_by_role("button", name="Delete: Left behind").click()
    expect(card(page, "Left behind")).to_have_count(0)
    page.goto("about:blank")
    deadline = time.monotonic() + 5
    titles: list[str] = ["?"]
    while time.monotonic() < deadline:
        listed = page.request.get("/api/v1/note?limit=20")
        titles = [note["title"] for note in listed.json()["notes"]]
        if not titles:
            break
        time.sleep(0.2)
    assert titles == []


def test_search_and_filters_live_in_the_url(browsing: Browsing, account: Account) -> None:
    page = browsing.new_page()
    registered(page, account)
    create_note(page, "Alpha report", priority="High")
    create_note(page, "Beta groceries", priority="Low")
    expect(card(page, "Beta groceries")).to_have_attribute("data-pending", "false")
    expect(card(page, "Alpha report")).to_have_attribute("data-pending", "false")

    page.get_by_label("Search notes").fill("groceries")
    expect(page).to_have_url(re.compile(r"\?q=groceries$"))
    expect(card(page, "Alpha report")).to_have_count(0)
    expect(card(page, "Beta groceries")).to_be_visible()

    page.get_by_label("Search notes").fill("")
    page.get_by_label("Priority", exact=True).select_option("High")
    expect(page).to_have_url(re.compile(r"\?priority=High$"))
    expect(card(page, "Beta groceries")).to_have_count(0)
    page.reload()
    expect(page.get_by_label("Priority", exact=True)).to_have_value("High")
    expect(card(page, "Alpha report")).to_be_visible()
    expect(card(page, "Beta groceries")).to_have_count(0)


PROBE = """
(title) => {
  const probe = { click: null, shown: null, shownPending: null, painted: null, confirmed: null,
                  gone: null };
  window.__probe = probe;
  document.addEventListener('click', (event) => {
    if (probe.click === null && event.target.closest('button[type=submit]')) {
      probe.click = performance.now();
    }
  }, true);
  const find = () => [...document.querySelectorAll('article.note-card')]
    .find((a) => a.querySelector('h3')?.textContent === title);
  new MutationObserver(() => {
    const card = find();
    if (card && probe.shown === null) {
      probe.shown = performance.now();
      probe.shownPending = card.dataset.pending;
      const painted = () => { probe.painted = performance.now(); };
      requestAnimationFrame(() => requestAnimationFrame(painted));
    }
    if (card && card.dataset.pending === 'false' && probe.confirmed === null) {
      probe.confirmed = performance.now();
    }
    if (!card && probe.shown !== null && probe.gone === null) probe.gone = performance.now();
  }).observe(document.body, { subtree: true, childList: true, attributes: true,
                              attributeFilter: ['data-pending'] });
}
"""


def _probe(page: Page) -> dict[str, Any]:
    result: dict[str, Any] = page.evaluate("() => window.__probe")
    return result


def test_create_shows_at_once_while_the_server_is_slow(
    browsing: Browsing, account: Account
) -> None:
    """Measured in the page: from the click event on "Create note" to the card being in the DOM
    (MutationObserver), and to two animation frames later (painted), with the server's answer
    to POST /note/create held back 1.5 s by request interception."""
    page = browsing.new_page()
    registered(page, account)

    def slow(route: Route) -> None:
        time.sleep(1.5)
        route.continue_()

    page.route("**/api/v1/note/create", slow)
    page.evaluate(PROBE, "Slow server")
    create_note(page, "Slow server")
    expect(card(page, "Slow server")).to_have_attribute("data-pending", "false", timeout=10_000)
    probe = _probe(page)
    shown_ms = probe["shown"] - probe["click"]
    painted_ms = probe["painted"] - probe["click"]
    confirmed_ms = probe["confirmed"] - probe["click"]
    print(
        f"optimistic create: in DOM {shown_ms:.1f} ms, painted {painted_ms:.1f} ms, "
        f"confirmed {confirmed_ms:.0f} ms after the click"
    )
    assert probe["shownPending"] == "true"
    assert shown_ms < 100
    assert painted_ms < 100
    assert confirmed_ms >= 1400, "the card was confirmed before the server answered"


def test_refused_create_rolls_back_and_keeps_the_text(browsing: Browsing, account: Account) -> None:
    page = browsing.new_page()
    registered(page, account)
    create_note(page, "Kept note")
    expect(card(page, "Kept note")).to_have_attribute("data-pending", "false")

    def refuse(route: Route) -> None:
        time.sleep(0.5)
        route.fulfill(
            status=500,
            content_type="application/json",
            body=json.dumps({"success": False, "message": "Database unavailable", "errors": []}),
        )

    page.route("**/api/v1/note/create", refuse)
    page.evaluate(PROBE, "Doomed note")
    create_note(page, "Doomed note", "Words I typed")
    toast = page.get_by_test_id("toast").filter(has_text="Could not create “Doomed note”")
    expect(toast).to_be_visible()
    expect(toast).to_contain_text("Database unavailable")
    expect(card(page, "Doomed note")).to_have_count(0)
    probe = _probe(page)
    assert probe["shown"] - probe["click"] < 100 and probe["shownPending"] == "true"
    assert probe["gone"] is not None
    # Nothing typed is lost: the dialog is back with the person's text.
    dialog = page.get_by_role("dialog", name="New note")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Title")).to_have_value("Doomed note")
    expect(dialog.get_by_label("Description")).to_have_value("Words I typed")
    expect(dialog.get_by_role("alert")).to_contain_text("Database unavailable")
    expect(card(page, "Kept note")).to_be_visible()

    page.unroute("**/api/v1/note/create")
    dialog.get_by_role("button", name="Create note").click()
    expect(card(page, "Doomed note")).to_have_attribute("data-pending", "false")


def test_refused_status_change_rolls_back(browsing: Browsing, account: Account) -> None:
    page = browsing.new_page()
    registered(page, account)
    create_note(page, "Stubborn")
    note = card(page, "Stubborn")
    expect(note).to_have_attribute("data-pending", "false")

    def refuse(route: Route) -> None:
        time.sleep(0.5)
        route.fulfill(
            status=503,
            content_type="application/json",
            body=json.dumps({"success": False, "message": "Try later", "errors": []}),
        )

    page.route("**/api/v1/note/*/edit", refuse)
    # Record every state the card goes through (in the page: the route handler blocks Python).
    page.evaluate(
        """() => {
          window.__states = [];
          const card = document.querySelector('article.note-card');
          const note = () => [card.dataset.status, card.dataset.pending];
          new MutationObserver(() => window.__states.push(note().join('/')))
            .observe(card, { attributes: true, attributeFilter: ['data-status', 'data-pending'] });
        }"""
    )
    set_status(page, "Stubborn", "In progress")
    expect(
        page.get_by_test_id("toast").filter(has_text="Could not save “Stubborn”")
    ).to_be_visible()
    expect(note).to_have_attribute("data-status", "Pending")
    expect(note).to_have_attribute("data-pending", "false")
    states = page.evaluate("() => window.__states")
    assert "InProgress/true" in states, states
    assert states[-1] == "Pending/false", states


def test_list_revalidation_uses_etags(browsing: Browsing, account: Account) -> None:
    page = browsing.new_page()
    registered(page, account)
    expect(page.get_by_role("heading", name="No notes yet")).to_be_visible()
    listing = re.compile(r"/api/v1/note\?")
    with page.expect_response(listing):  # the revalidation that follows the create
        create_note(page, "Cached")
    expect(card(page, "Cached")).to_have_attribute("data-pending", "false")
    with page.expect_response(lambda r: "/api/v1/note?" in r.url) as listed:
        refocus(page)
    assert listed.value.request.headers.get("if-none-match"), "no If-None-Match was sent"
    assert listed.value.status == 304
    expect(card(page, "Cached")).to_be_visible()


def test_infinite_scroll_and_load_more(browsing: Browsing, account: Account) -> None:
    page = browsing.new_page()
    registered(page, account)
    for number in range(1, 26):
        response = page.request.post(
            "/api/v1/note/create", data={"title": f"Bulk {number:02d}", "priority": "Low"}
        )
        assert response.status == 201, response.text()
    page.reload()
    expect(card(page, "Bulk 25")).to_be_visible()
    expect(page.locator("article.note-card")).to_have_count(20)
    expect(page.get_by_role("button", name="Load more")).to_be_visible()
    page.get_by_text("Load more").scroll_into_view_if_needed()  # the observer loads the rest
    expect(page.locator("article.note-card")).to_have_count(25)
    expect(card(page, "Bulk 01")).to_be_visible()
    expect(page.get_by_text("That is all your notes.")).to_be_visible()


def test_expired_session_goes_to_sign_in_and_back(browsing: Browsing, account: Account) -> None:
    page = browsing.new_page()
    registered(page, account)
    page.goto("/?priority=High")
    expect(page.get_by_label("Priority", exact=True)).to_have_value("High")
    expect(page.get_by_role("heading", name="No notes match")).to_be_visible()
    # A refetch still in flight (sent with the cookie) would answer the refocus below.
    page.wait_for_load_state("networkidle")
    page.context.clear_cookies()  # the session ends while the page is open
    refocus(page)  # the next request is a 401, handled in one place
    expect(page).to_have_url(re.compile(r"/sign-in\?redirect=%2F%3Fpriority%3DHigh$"))
    sign_in(page, account, go=False)
    expect(page).to_have_url(re.compile(r"/\?priority=High$"))


def serious_violations(page: Page) -> list[dict[str, Any]]:
    if page.evaluate("() => typeof window.axe") != "object":
        page.evaluate(AXE.read_text(encoding="utf-8"))
    results: dict[str, Any] = page.evaluate(
        "async () => await window.axe.run(document, { resultTypes: ['violations'] })"
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "targets": [n["target"] for n in v["nodes"]][:5],
        }
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_accessibility_violations(
    browsing: Browsing, account: Account, scheme: str
) -> None:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make frontend-install`")
    page = browsing.new_page()
    page.emulate_media(color_scheme=scheme)  # type: ignore[arg-type]
    page.goto("/sign-in")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert serious_violations(page) == []

    registered(page, account)
    create_note(page, "Accessible note", "A description to show", priority="High")
    create_note(page, "Second note", priority="Low")
    expect(card(page, "Second note")).to_have_attribute("data-pending", "false")
    expect(card(page, "Accessible note")).to_have_attribute("data-pending", "false")
    assert serious_violations(page) == []

    page.get_by_role("button", name="New note").click()
    expect(page.get_by_role("dialog", name="New note")).to_be_visible()
    assert serious_violations(page) == []
    page.get_by_role("dialog", name="New note").get_by_label("Title").fill("Unsaved")
    page.keyboard.press("Escape")
    expect(page.get_by_role("alertdialog", name="Discard unsaved changes?")).to_be_visible()
    assert serious_violations(page) == []
    page.get_by_role("button", name="Discard").click()

    # The compact list, the help sheet, the note page and its editor.
    page.get_by_role("button", name="List", exact=True).click()
    expect(card(page, "Second note")).to_have_class(re.compile("note-row"))
    assert serious_violations(page) == []
    page.get_by_role("button", name="Shortcuts").click()
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    assert serious_violations(page) == []
    page.keyboard.press("Escape")
    card(page, "Accessible note").get_by_role("link", name="Accessible note").click()
    expect(page.get_by_role("heading", level=1, name="Accessible note")).to_be_visible()
    assert serious_violations(page) == []
    page.get_by_role("button", name="Edit", exact=True).click()
    expect(page.get_by_role("region", name="Edit note").get_by_label("Title")).to_be_visible()
    assert serious_violations(page) == []


def test_keyboard_only_create(browsing: Browsing, account: Account) -> None:
    page = browsing.new_page()
    registered(page, account)
    new_note = page.get_by_role("button", name="New note")
    new_note.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="New note")
    expect(dialog.get_by_label("Title")).to_be_focused()
    page.keyboard.type("Typed only")
    page.keyboard.press("Escape")  # typed text: asks first, "Keep editing" has the focus
    ask = page.get_by_role("alertdialog", name="Discard unsaved changes?")
    expect(ask.get_by_role("button", name="Keep editing")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(ask.get_by_role("button", name="Discard")).to_be_focused()
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    expect(new_note).to_be_focused()  # focus is restored to what opened the dialog
    page.keyboard.press("Enter")
    expect(dialog.get_by_label("Title")).to_have_value("")  # discarded means gone
    page.keyboard.type("Typed only")
    page.keyboard.press("Enter")  # submits the form
    expect(card(page, "Typed only")).to_have_attribute("data-pending", "false")


def test_dashboard_screenshots(browsing: Browsing, account: Account) -> None:
    """Not asserted: pictures for people to look at, in frontend/test-results/."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    page = browsing.new_page()
    registered(page, account)
    samples = [
        ("Quarterly report", "Draft the numbers and send them to finance by Friday.", "High"),
        ("Groceries", "Oat milk, bread, apples, coffee beans.", "Low"),
        ("Call the plumber", "The kitchen tap drips again.", "Medium"),
    ]
    for title, description, priority in samples:
        create_note(page, title, description, priority=priority)
    for title, _, _ in samples:
        expect(card(page, title)).to_have_attribute("data-pending", "false")
    set_status(page, "Groceries", "In progress")
    expect(card(page, "Groceries")).to_have_attribute("data-pending", "false")
    for width, height in ((1280, 900), (375, 812)):
        page.set_viewport_size({"width": width, "height": height})
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            suffix = "" if scheme == "light" else "-dark"
            page.screenshot(path=str(RESULTS / f"dashboard-{width}{suffix}.png"), full_page=True)
