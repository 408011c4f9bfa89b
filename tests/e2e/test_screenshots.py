"""The README's pictures of the list and the board: `make screenshots` writes docs/*.png.

Skipped unless NOTESTACK_SCREENSHOTS is set (as `make screenshots` does), so that a test run
never rewrites files that are committed."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import REPO, Account, Browsing, card, registered
from tests.e2e.test_board_and_history import add_note, column

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not os.environ.get("NOTESTACK_SCREENSHOTS"), reason="`make screenshots` takes them"
    ),
]

DOCS = REPO / "docs"
SAMPLES = [
    ("Renew passport", "Photos, form **B-12**, the old passport.", "High", "Pending"),
    (
        "Groceries",
        "- [x] Oat milk\n- [ ] Bread\n- [ ] Apples\n- [ ] Coffee beans",
        "Low",
        "Pending",
    ),
    (
        "Call the plumber",
        "The kitchen tap drips again. Ask about the boiler too.",
        "Medium",
        "Pending",
    ),
    (
        "Quarterly report",
        "Draft the numbers and send them to finance by Friday.",
        "High",
        "InProgress",
    ),
    (
        "Plan the trip to Lisbon",
        "Flights, a place near Alfama, the tram 28.",
        "Medium",
        "InProgress",
    ),
    ("Book the dentist", "Tuesday afternoons work best.", "Low", "Done"),
    ("Fix the bike's brakes", "New pads, front and back.", "Medium", "Done"),
]


def test_readme_screenshots(browsing: Browsing, account: Account) -> None:
    page = browsing.new_page(width=1280, height=760)
    registered(page, account)
    for title, description, priority, status in reversed(SAMPLES):
        add_note(page, title, description, priority=priority, status=status)
    page.reload()
    expect(card(page, "Renew passport")).to_be_visible()
    page.emulate_media(color_scheme="light")

    page.get_by_role("group", name="View").get_by_role("button", name="List", exact=True).click()
    expect(page.locator("article.note-row")).to_have_count(len(SAMPLES))
    page.screenshot(path=str(DOCS / "screenshot-list.png"))

    page.get_by_role("group", name="View").get_by_role("button", name="Board").click()
    expect(column(page, "Done").locator("article.note-card")).to_have_count(2)
    page.screenshot(path=str(DOCS / "screenshot-board.png"))
