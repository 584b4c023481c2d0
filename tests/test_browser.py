"""`sitegen serve` in a real browser: open pages reload by themselves and show build errors."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip(f"no Chromium at {CHROMIUM} (CI installs Debian's chromium package)",
                allow_module_level=True)
try:
    from playwright.sync_api import Browser, Page, expect, sync_playwright
except ImportError:
    pytest.skip("Playwright for Python is not installed (pip install playwright)",
                allow_module_level=True)

from conftest import Site
from test_serve import EN_FILE, EN_PAGE, ES_PAGE, SITE_FILES, Server, en_story

WAIT = 10_000  # ms for a save to show in the page
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]

# Records the live script's event streams, so that a test saves only once the page listens.
LISTENING = """
(() => {
  const Original = window.EventSource;
  window.__streams = [];
  window.EventSource = class extends Original {
    constructor(...args) {
      super(...args);
      this.__hello = false;
      this.addEventListener("hello", () => { this.__hello = true; });
      window.__streams.push(this);
    }
  };
})();
"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def server(make_site: Callable[..., Site]) -> Iterator[Server]:
    server = Server(make_site(SITE_FILES))
    try:
        yield server
    finally:
        server.stop()


class Tab:
    """A page of its own browser context, with every console error and uncaught exception."""

    def __init__(self, browser: Browser, server: Server) -> None:
        self.server = server
        self.context = browser.new_context()
        self.context.add_init_script(LISTENING)
        self.page: Page = self.context.new_page()
        self.page.set_default_timeout(WAIT)
        self.errors: list[str] = []
        self.page.on("console", lambda message: self.errors.append(message.text)
                     if message.type == "error" else None)
        self.page.on("pageerror", lambda exc: self.errors.append(f"uncaught: {exc}"))

    def url(self, path: str) -> str:
        return f"http://{self.server.host}:{self.server.port}{path}"

    def open(self, path: str) -> Page:
        response = self.page.goto(self.url(path))
        assert response is not None and response.status == 200
        self.listening()
        return self.page

    def listening(self) -> None:
        """Wait until the live script's stream is open and has said hello."""
        self.page.wait_for_function(
            "() => window.__streams && window.__streams.length > 0"
            " && window.__streams.every(s => s.__hello && s.readyState === 1)")

    def mark(self) -> None:
        """A variable that only a reload of the page removes."""
        self.page.evaluate("() => { window.__sitegenTestMark = 'before the save'; }")

    def reloaded(self) -> None:
        self.page.wait_for_function("() => window.__sitegenTestMark === undefined")

    def still_marked(self) -> bool:
        return self.page.evaluate("() => window.__sitegenTestMark === 'before the save'")


@pytest.fixture
def tab(browser: Browser, server: Server) -> Iterator[Tab]:
    tab = Tab(browser, server)
    try:
        yield tab
    finally:
        tab.context.close()
    assert not tab.errors, tab.errors


def test_an_open_page_reloads_itself_on_save(tab: Tab, server: Server):
    page = tab.open(EN_PAGE)
    expect(page.locator("h1.story__headline")).to_have_text("Hello World")
    tab.mark()
    server.site.write(EN_FILE, en_story("A Fresh Headline",
                                        body="A paragraph written after the page was opened.\n"))
    expect(page.locator("h1.story__headline")).to_have_text("A Fresh Headline", timeout=WAIT)
    expect(page).to_have_title(re.compile(r"^A Fresh Headline \|"))
    expect(page.locator(".story__body")).to_contain_text(
        "A paragraph written after the page was opened.")
    tab.reloaded()
    assert page.url == tab.url(EN_PAGE)  # reloaded where it was, not navigated
    tab.listening()  # and listens again for the next save
    tab.mark()
    server.site.write(EN_FILE, en_story("A Second Headline"))
    expect(page.locator("h1.story__headline")).to_have_text("A Second Headline", timeout=WAIT)
    tab.reloaded()


def test_the_spanish_page_reloads_when_its_english_version_is_saved(tab: Tab, server: Server):
    page = tab.open(ES_PAGE)
    switch = page.locator('.story__translations a[hreflang="en"]')
    expect(switch).to_have_attribute("href", "/en/news/hello/")
    tab.mark()
    server.site.write(EN_FILE, en_story("Hello Again").replace("slug: hello", "slug: hello-again"))
    expect(switch).to_have_attribute("href", "/en/news/hello-again/", timeout=WAIT)
    tab.reloaded()
    assert page.url == tab.url(ES_PAGE)
    expect(page.locator("h1.story__headline")).to_have_text("Hola Mundo")
    assert page.evaluate("() => document.documentElement.lang") == "es"


def test_a_broken_save_shows_the_problem_over_the_last_good_page(tab: Tab, server: Server):
    page = tab.open(EN_PAGE)
    tab.mark()
    server.site.write(EN_FILE, "---\ntitle: [Broken\ndate: 2015-01-12\nslug: hello\n---\nBody.\n")
    overlay = page.locator("#sitegen-problems")
    expect(overlay).to_be_visible(timeout=WAIT)
    expect(overlay).to_contain_text(EN_FILE)
    expect(overlay).to_contain_text("error")
    expect(page.locator("h1.story__headline")).to_have_text("Hello World")
    assert tab.still_marked()  # shown over the page, which stayed as it was

    page.locator('#sitegen-problems button[aria-label*="Dismiss"]').click()
    expect(overlay).to_have_count(0)
    assert tab.still_marked()

    server.site.write(EN_FILE, en_story("Fixed Headline", body="Fixed body.\n"))
    expect(page.locator("h1.story__headline")).to_have_text("Fixed Headline", timeout=WAIT)
    tab.reloaded()
    expect(page.locator(".story__body")).to_contain_text("Fixed body.")
    tab.listening()
    expect(overlay).to_have_count(0)


def test_the_overlay_goes_when_a_fix_renews_another_page(tab: Tab, server: Server):
    page = tab.open("/en/world/other-news/")
    tab.mark()
    server.site.write(EN_FILE, "---\ntitle: [Broken\ndate: 2015-01-12\n---\nBody.\n")
    overlay = page.locator("#sitegen-problems")
    expect(overlay).to_contain_text(EN_FILE, timeout=WAIT)
    server.site.write(EN_FILE, en_story("Fixed Elsewhere"))
    expect(overlay).to_have_count(0, timeout=WAIT)
    assert tab.still_marked()  # this page was not renewed, so it did not reload


def test_a_save_while_the_page_is_still_loading_is_not_missed(tab: Tab, server: Server):
    held: list[Any] = []
    released = False

    def hold_first(route: Any) -> None:
        if released:
            route.continue_()
        else:
            held.append(route)

    tab.page.route("**/_sitegen/live.js", hold_first)
    page = tab.page
    page.goto(tab.url(EN_PAGE), wait_until="commit")
    for _ in range(200):
        if held:
            break
        page.wait_for_timeout(25)
    assert held, "the page never asked for the live script"
    # The page holds the old build; a save is built before its script has connected.
    server.site.write(EN_FILE, en_story("Saved During Load"))
    server.wait_page(EN_PAGE, lambda p: b"<title>Saved During Load |" in p)
    released = True
    for route in held:
        route.continue_()
    expect(page.locator("h1.story__headline")).to_have_text("Saved During Load", timeout=WAIT)


def test_pages_have_no_console_errors(tab: Tab):
    for path in ("/", "/en/", EN_PAGE, ES_PAGE, "/es/news/", "/en/tags/"):
        tab.open(path)
        tab.page.wait_for_load_state("load")
    assert not tab.errors, tab.errors
