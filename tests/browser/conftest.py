"""Real-browser tests: pytest-django's live server, driven through
Playwright's sync API by Debian's chromium (/usr/bin/chromium; CI installs
it). Playwright's own browser download is not used.

Each test gets fresh browser contexts (no shared cookies); the browser is
launched once for them all. When a test fails, a screenshot and the HTML of
every page it still has open are saved in test-artifacts/, named after the
test.
"""

import re
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.servers.basehttp import WSGIServer
from django.test.testcases import LiveServerThread
from playwright.sync_api import Error, expect, sync_playwright

from surveys.countries import load_countries
from surveys.models import Country, Region

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# Generous for two busy CI cores; a passing step takes a fraction of this.
TIMEOUT_MS = 15_000

expect.set_options(timeout=TIMEOUT_MS)


# One request at a time. With SQLite in memory the live server's threads all
# share the test's one connection, and a page whose four charts load at once
# interleaved their savepoints ("no such savepoint"), breaking every request
# after it. A single-threaded server closes each connection after its reply.
class SingleThreadedServer(WSGIServer):
    """Serves in the live server's own thread, which already uses the test's
    connection (LiveServerThread.run installs connections_override)."""

    def __init__(self, *args, connections_override=None, **kwargs):
        super().__init__(*args, **kwargs)


LiveServerThread.server_class = SingleThreadedServer

REPORTS = pytest.StashKey[dict]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item, so that fixtures can tell at
    teardown whether the test failed."""
    report = yield
    item.stash.setdefault(REPORTS, {})[report.when] = report
    return report


def _failed(item):
    return any(report.failed for report in item.stash.get(REPORTS, {}).values())


class Browsing:
    """The browser contexts one test opens, each a separate visitor."""

    def __init__(self, browser, base_url):
        self.browser = browser
        self.base_url = base_url
        self.contexts = []
        self.console_errors = []

    def new_page(self, **context_options):
        """A page in a new context (its own cookies); options as for
        Browser.new_context, e.g. helpers.PHONE for a phone's screen."""
        context = self.browser.new_context(base_url=self.base_url, **context_options)
        context.set_default_timeout(TIMEOUT_MS)
        context.on("page", self._watch)
        self.contexts.append(context)
        return context.new_page()

    def _watch(self, page):
        # Console errors include Content-Security-Policy violations and
        # resources that failed to load.
        def console(message):
            source = message.location.get("url", "")
            # Chromium asks every site for /favicon.ico unasked; the pages
            # declare no icon, so its 404 says nothing about them.
            if message.type == "error" and not source.endswith("/favicon.ico"):
                self.console_errors.append(f"{page.url}: {message.text} {source}".strip())

        page.on("console", console)
        page.on("pageerror", lambda error: self.console_errors.append(f"{page.url}: {error}"))

    def save_artifacts(self, name):
        ARTIFACTS.mkdir(exist_ok=True)
        stem = re.sub(r"[^\w.-]+", "_", name)
        pages = [page for context in self.contexts for page in context.pages]
        for number, page in enumerate(pages, start=1):
            path = ARTIFACTS / (stem if len(pages) == 1 else f"{stem}-{number}")
            try:
                page.screenshot(path=path.with_suffix(".png"), full_page=True)
                path.with_suffix(".html").write_text(page.content(), encoding="utf-8")
            except Error as error:  # a crashed page should not hide the test's failure
                print(f"Could not save {path}: {error}")

    def close(self):
        for context in self.contexts:
            context.close()


@pytest.fixture(scope="package")
def chromium():
    """Chromium, launched once for all the browser tests.

    While Playwright's sync API runs, its asyncio event loop counts as
    running in the test thread, and Django refuses ORM calls from such a
    thread. These tests set up and check the database between browser steps,
    never concurrently, so they allow it; only for as long as the browser
    runs (package scope, not session), so that no other test, nor a
    subprocess a test starts, inherits the setting or the loop.
    """
    if not CHROMIUM.exists():
        pytest.skip(
            f"{CHROMIUM} is missing: the browser tests need Debian's chromium "
            "(apt-get install chromium)"
        )
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def fresh_database(chromium, transactional_db):
    """The live server sees only committed data, so these tests are
    transactional, and each one ends by emptying every table: also the
    countries and regions that a migration loads. Put them back before the
    test's own fixtures need them. (After `chromium`, so that a missing
    browser skips before any database work.)"""
    if not Country.objects.exists():
        load_countries(Region, Country)
    # Dashboard results are cached by campaign and data; a flushed database
    # can hand out the same ids again.
    cache.clear()


@pytest.fixture
def browsing(chromium, live_server, request):
    """Opens pages, each in a new browser context, on the live server. (Not
    a `page` fixture: pytest-playwright, where installed, owns that name.)"""
    browsing = Browsing(chromium, live_server.url)
    yield browsing
    if _failed(request.node):
        browsing.save_artifacts(request.node.name)
    browsing.close()
