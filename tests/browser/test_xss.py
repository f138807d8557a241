"""An XSS corpus in every field residents and staff fill in: shown as text everywhere, inert."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import BrowserContext, Page, expect

from .conftest import Server
from .test_live_meeting import MEETING, join_code, open_console

CORPUS = [
    "<script>alert('s')</script>",
    "<img src=x onerror=alert('i')>",
    "\"><svg onload=alert('v')>",
    "javascript:alert('j')",
    "<a href=\"javascript:alert('a')\">klick</a>",
    "\u202eevil\u202c <b>fet</b>",
]


def injected(page: Page) -> int:
    """Elements that only an executed payload would have made."""
    made = "main img[src=x], main svg, main b, main a[href^=javascript]"
    return int(page.evaluate(f"document.querySelectorAll('{made}').length"))


def test_xss_corpus_rendered_inert_everywhere(
    server: Server, staff: BrowserContext, phone: Callable[..., Page]
) -> None:
    dialogs: list[str] = []
    console = open_console(staff)
    screen = staff.new_page()
    screen.goto(f"/meetings/{MEETING}/screen")
    anna = phone()
    for page in (console, screen, anna):
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    anna.goto(f"/j/{join_code(console)}")
    anna.fill("#display_name", CORPUS[1][:40])
    anna.click("button[type=submit]")
    expect(anna.locator("#conn")).to_have_attribute("data-state", "online")
    for payload in CORPUS:
        anna.fill("#write-text", payload)
        anna.click("#write button[type=submit]")
    anna.click("#propose summary")
    anna.fill("#proposal-title", CORPUS[2])
    anna.click("#proposal-form button[type=submit]")
    anna.click("#hand")
    console.fill("#notice-text", CORPUS[0])
    console.click("#notice-form button[type=submit]")
    for page in (anna, console, screen):
        expect(page.locator("#wall .contribution .text")).to_have_count(len(CORPUS))
        shown = page.locator("#wall .contribution .text").all_inner_texts()
        assert sorted(shown) == sorted(CORPUS), shown
        expect(page.locator(".proposal .text")).to_have_text([CORPUS[2]])
    expect(screen.locator("#hands li")).to_have_text([CORPUS[1][:40]])
    expect(anna.locator("#notice")).to_have_text(CORPUS[0])
    # Hidden with a payload as the reason: the console shows it as text.
    console.locator("#wall .contribution").first.get_by_role("button", name="Hide").click()
    console.fill("#wall .hide-form input", CORPUS[1])
    console.click("#wall .hide-form button[type=submit]")
    expect(console.locator(".hidden-reason")).to_have_text(f"Hidden: {CORPUS[1]}")
    # A reload renders the server's first screen from the same words.
    anna.reload()
    expect(anna.locator("#wall .contribution .text", has_text="onerror")).to_have_count(1)
    for page in (anna, console, screen):
        assert injected(page) == 0
    assert dialogs == []
