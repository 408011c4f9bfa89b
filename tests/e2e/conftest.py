"""End-to-end fixtures: the real app in a subprocess, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Locator,
    Page,
    Playwright,
    expect,
    sync_playwright,
)
from stack.proc import free_port

REPO = Path(__file__).resolve().parents[2]
BIN = Path(os.environ.get("NOTESTACK_E2E_BIN", str(REPO / ".venv" / "bin")))
CHROMIUM = os.environ.get("NOTESTACK_E2E_CHROMIUM", "/usr/bin/chromium")
DIST_INDEX = REPO / "frontend" / "dist" / "index.html"
RESULTS = REPO / "frontend" / "test-results"
AXE = REPO / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _wait_ready(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"the server exited early:\n{log.read_text(errors='replace')[-4000:]}"
            )
        try:
            with urllib.request.urlopen(f"{url}/readyz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"/readyz was not 200 within {timeout}s:\n{log.read_text()[-4000:]}")


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real app (migrate, then serve with one worker) on a free port and a fresh SQLite."""
    if not DIST_INDEX.exists():
        pytest.fail("the front end is not built: run `make frontend-install` first")
    data_dir = tmp_path_factory.mktemp("e2e-data")
    env = {key: value for key, value in os.environ.items() if not key.startswith("NOTESTACK_")}
    env.update(
        NOTESTACK_DATA_DIR=str(data_dir),
        NOTESTACK_LOG_JSON="false",
        NOTESTACK_LOG_LEVEL="WARNING",
        NOTESTACK_FRONTEND_DIST=str(DIST_INDEX.parent),
        # Every test signs up (and some sign in again) from 127.0.0.1: the production
        # throttles (5 sign-ups an hour per address) would refuse most of the suite.
        NOTESTACK_THROTTLE_SIGNUP_IP="10000/hour",
        NOTESTACK_THROTTLE_LOGIN_IP="10000/hour",
        NOTESTACK_THROTTLE_LOGIN_ACCOUNT="1000/hour",
    )
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    cli = BIN / "notestack"
    if cli.exists():
        subprocess.run([str(cli), "migrate"], env=env, check=True, timeout=120, cwd=REPO)
        command = [str(cli), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"]
    else:  # the CLI is not installed: run the ASGI app directly (it migrates nothing)
        command = [
            str(BIN / "python"),
            "-m",
            "uvicorn",
            "notestack.main:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ]
    RESULTS.mkdir(parents=True, exist_ok=True)
    log = RESULTS / "e2e-server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        _wait_ready(url, process, log, timeout=60)
        yield url
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():  # pragma: no cover - depends on the machine
        message = f"{CHROMIUM} is missing: run `make e2e-deps` for the end-to-end tests"
        if os.environ.get("CI"):
            pytest.fail(message)  # in CI a silent skip would hide the whole browser suite
        pytest.skip(message)
    chromium = playwright_driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


@dataclass
class Browsing:
    """Opens contexts on the app and checks that none of their pages broke the CSP."""

    browser: Browser
    base_url: str

    def __post_init__(self) -> None:
        self.contexts: list[BrowserContext] = []
        self.csp_errors: list[str] = []

    def new_page(self, width: int = 1280, height: int = 900) -> Page:
        context = self.browser.new_context(
            base_url=self.base_url, viewport={"width": width, "height": height}
        )
        context.set_default_timeout(10_000)
        self.contexts.append(context)
        page = context.new_page()
        page.on("console", self._on_console)
        if os.environ.get("NOTESTACK_E2E_TRACE"):
            page.on(
                "response",
                lambda r: (
                    print("   ", r.request.method, r.url, r.status) if "/api/" in r.url else None
                ),
            )
        return page

    def _on_console(self, message: object) -> None:
        text = getattr(message, "text", "")
        if "Content Security Policy" in text or "Content-Security-Policy" in text:
            self.csp_errors.append(text)

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def browsing(browser: Browser, server: str) -> Iterator[Browsing]:
    session = Browsing(browser, server)
    yield session
    session.close()
    assert session.csp_errors == [], "the page broke its Content-Security-Policy"


@dataclass
class Account:
    username: str
    email: str
    password: str


@pytest.fixture
def account() -> Account:
    name = f"e2e_{uuid.uuid4().hex[:10]}"
    return Account(username=name, email=f"{name}@example.com", password="correct-horse-42")


def sign_up(page: Page, account: Account) -> None:
    """Create the account: that signs the person in at once."""
    page.goto("/sign-up")
    page.get_by_label("Username").fill(account.username)
    page.get_by_label("Email").fill(account.email)
    page.get_by_label("Password", exact=True).fill(account.password)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def sign_in(page: Page, account: Account, *, go: bool = True) -> None:
    if go:
        page.goto("/sign-in")
    page.get_by_label("Email").fill(account.email)
    page.get_by_label("Password", exact=True).fill(account.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def registered(page: Page, account: Account) -> None:
    sign_up(page, account)


def card(page: Page, title: str) -> Locator:
    return page.get_by_role("article", name=title, exact=True)


def set_status(page: Page, title: str, status: str) -> None:
    """Press one segment of the card's status control ("Pending", "In progress", "Done")."""
    card(page, title).get_by_role("group", name=f"Status of “{title}”").get_by_role(
        "button", name=status, exact=True
    ).click()


def add_note(page: Page, title: str, description: str = "", **fields: str) -> dict[str, Any]:
    """A note made through the API in the page's session (not through the UI): the server's
    answer."""
    response = page.request.post(
        "/api/v1/note/create", data={"title": title, "description": description, **fields}
    )
    assert response.status == 201, response.text()
    note: dict[str, Any] = response.json()["note"]
    return note


def create_note(page: Page, title: str, description: str = "", priority: str = "") -> None:
    page.get_by_role("button", name="New note").click()
    dialog = page.get_by_role("dialog", name="New note")
    dialog.get_by_label("Title").fill(title)
    if description:
        dialog.get_by_label("Description").fill(description)
    if priority:
        dialog.get_by_label("Priority").select_option(priority)
    dialog.get_by_role("button", name="Create note").click()


def refocus(page: Page) -> None:
    """What the browser does when a person comes back to the tab."""
    page.evaluate(
        "() => { document.dispatchEvent(new Event('visibilitychange'));"
        " window.dispatchEvent(new Event('focus')); }"
    )


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
