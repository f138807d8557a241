"""Keyboard only: a resident joins, writes and votes without a pointer."""

from __future__ import annotations

from playwright.sync_api import Browser, BrowserContext, Page, expect

from .conftest import NARROW, Server
from .test_live_meeting import open_console

TABS = 80


def tab_to(page: Page, selector: str) -> None:
    """Press Tab until ``selector`` has the focus, as someone without a mouse would."""
    for _ in range(TABS):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} cannot be reached with the Tab key")


def test_resident_joins_writes_and_votes_by_keyboard(
    server: Server, staff: BrowserContext, browser: Browser
) -> None:
    console = open_console(staff)
    console.fill("#proposal-title", "Bättre belysning")
    console.click("#proposal-form button[type=submit]")
    console.click("#voting-open")
    join_url = console.locator(".join-url").inner_text()
    context = browser.new_context(base_url=server.url, locale="sv-SE")
    try:
        page = context.new_page()
        page.goto(join_url)
        tab_to(page, "#display_name")
        page.keyboard.type("Tangent")
        tab_to(page, "main button[type=submit]")
        page.keyboard.press("Enter")
        expect(page.locator("#conn")).to_have_attribute("data-state", "online")

        tab_to(page, "#write-text")
        page.keyboard.type("Skrivet utan mus")
        tab_to(page, "#write button[type=submit]")
        page.keyboard.press("Enter")
        expect(console.locator("#wall .contribution .text")).to_have_text(["Skrivet utan mus"])

        tab_to(page, ".proposal button[aria-label='En prick till']")
        page.keyboard.press("Space")
        expect(page.locator(".dots-left")).to_have_text("Prickar kvar: 2")
        # Focus is visible where it lands (an outline), not only a colour change.
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline != "none"
    finally:
        context.close()


def test_recording_a_conversation_by_keyboard_on_a_phone(staff: BrowserContext) -> None:
    """The team records conversations on a phone in the street: 320 px, by keyboard."""
    form = staff.new_page()
    form.set_viewport_size(NARROW)
    form.goto("/dialogues/1/conversations/new")
    form.check("input[name=channel][value=door]")
    form.fill("#notes", "Lamporna vid busshållplatsen är trasiga")
    form.locator("#notes").press("Tab")
    form.click("main form.narrow-form button[type=submit]:not([name])")
    expect(form.locator(".flash-success")).to_be_visible()
    expect(form.locator(".note").first).to_contain_text("Lamporna vid busshållplatsen")
