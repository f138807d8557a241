"""Real browsers against a real server: ``python wsgi.py`` (gevent, as in production) on a
fresh SQLite database with the demo data, driven by Playwright in Debian's Chromium.

Chromium comes from ``apt-get install chromium`` (``make test`` runs it as root:
scripts/test-prerequisites.sh); Playwright never downloads a browser of its own here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    ViewportSize,
    expect,
    sync_playwright,
)
from processes import app_env, copy_database, free_port, serving

from facilitate import demo

CHROMIUM = "/usr/bin/chromium"
#: As root in a container, with the machine's closed network: no sandbox, no phoning home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: A common phone's screen, held upright.
PHONE: ViewportSize = {"width": 360, "height": 740}
#: A cheap phone's screen: the narrowest the UI promises to work on.
NARROW: ViewportSize = {"width": 320, "height": 640}
#: The facilitator's laptop.
LAPTOP: ViewportSize = {"width": 1366, "height": 768}
TIMEOUT_MS = 15_000
# Assertions wait for the room to catch up; a slow CI machine gets the same patience.
expect.set_options(timeout=10_000)


@dataclass
class Server:
    """``python wsgi.py`` on one port and database; stop and start it like an operator."""

    url: str
    env: dict[str, str]
    log: Path
    _running: ExitStack | None = None

    def start(self) -> None:
        assert self._running is None
        stack = ExitStack()
        # Each run appends to its own log, so a restart keeps the first run's lines.
        stack.enter_context(serving(self.env, self.log.with_suffix(f".{id(stack)}.log")))
        self._running = stack

    def stop(self) -> None:
        if self._running is not None:
            self._running.close()
            self._running = None

    def logs(self) -> str:
        return "\n".join(p.read_text() for p in sorted(self.log.parent.glob("server*.log")))


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (make test does)")
    chromium = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield chromium
    chromium.close()


@pytest.fixture
def server(tmp_path: Path, demo_database: Path) -> Iterator[Server]:
    """A migrated database with the demo loaded, served until the test ends.

    ``server.stop()`` and ``server.start()`` restart it on the same port and database.
    """
    port = free_port()
    env = app_env(tmp_path, PORT=str(port), HOST="127.0.0.1", SECRET_KEY="browser-tests")
    copy_database(demo_database, tmp_path)
    box = Server(f"http://127.0.0.1:{port}", env, tmp_path / "server.log")
    box.start()
    try:
        yield box
    finally:
        box.stop()


def logged_in(
    browser: Browser,
    server: Server,
    email: str,
    locale: str = "en-GB",
    viewport: ViewportSize = LAPTOP,
) -> BrowserContext:
    """A browser of its own, logged in as the demo login ``email``; the caller closes it."""
    context = browser.new_context(locale=locale, base_url=server.url, viewport=viewport)
    context.set_default_timeout(TIMEOUT_MS)
    log_in(context, server, email)
    return context


def log_in(context: BrowserContext, server: Server, email: str) -> None:
    """The login form filled in, in a page of ``context`` closed again."""
    page = context.new_page()
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", demo.DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{server.url}/")
    page.close()


@pytest.fixture
def staff(browser: Browser, server: Server) -> Iterator[BrowserContext]:
    """A laptop logged in as the demo facilitator, in English."""
    context = logged_in(browser, server, demo.FACILITATOR_EMAIL)
    yield context
    context.close()


@pytest.fixture
def phone(browser: Browser, server: Server) -> Iterator[Callable[..., Page]]:
    """A resident's phone: 360 × 740 unless told, touch, its own cookies; Swedish unless told."""
    contexts: list[BrowserContext] = []

    def _phone(locale: str = "sv-SE", viewport: ViewportSize = PHONE) -> Page:
        context = browser.new_context(
            locale=locale, base_url=server.url, viewport=viewport, has_touch=True, is_mobile=True
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield _phone
    for context in contexts:
        context.close()


@pytest.fixture
def contexts(browser: Browser, server: Server) -> Iterator[Callable[..., BrowserContext]]:
    """Browsers of their own in ``language`` (remembered as the language switch does),
    logged in as ``email`` when given; a laptop, or a phone when ``mobile``."""
    made: list[BrowserContext] = []

    def _context(
        language: str, email: str | None = None, *, mobile: bool = False
    ) -> BrowserContext:
        context = browser.new_context(
            locale=language,
            base_url=server.url,
            viewport=PHONE if mobile else LAPTOP,
            has_touch=mobile,
            is_mobile=mobile,
        )
        context.set_default_timeout(TIMEOUT_MS)
        # As the language switch does: the pick is remembered in the ``lang`` cookie.
        context.add_cookies([{"name": "lang", "value": language, "url": server.url}])
        made.append(context)
        if email is not None:
            log_in(context, server, email)
        return context

    yield _context
    for context in made:
        context.close()
