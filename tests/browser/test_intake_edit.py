"""Editing a conversation and previewing an import in a real browser, on a phone and on a
laptop: no sideways scroll, no serious accessibility violation; screenshots of each in
build/screenshots for a person to look at."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import BrowserContext, Page, ViewportSize, expect

from .conftest import LAPTOP, PHONE, Server
from .test_accessibility import findings

SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
CSV = (
    "conversation;date;channel;district;age_band;role;note;themes\n"
    + "".join(
        f"{n // 2};2021-03-0{1 + n // 2 % 3};{('street', 'shop', 'door')[n // 2 % 3]};"
        f"{('Fröslunda', 'Myrtorp', '')[n // 2 % 3]};{('16-19', '45-64', '65-')[n // 2 % 3]};"
        "resident;"
        f"Anteckning {n}: det är mörkt vid busshållplatsen på kvällen och ingen är ute;1\n"
        for n in range(14)
    )
).encode()


def _shoot(page: Page, name: str, size: ViewportSize) -> None:
    page.set_viewport_size(size)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= size["width"], (page.url, size, width)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{size['width']}.png"), full_page=True)


def test_edit_a_conversation_and_preview_an_import(
    server: Server, staff: BrowserContext, tmp_path: Path
) -> None:
    page = staff.new_page()
    page.goto("/dialogues/1/conversations")
    page.locator(".card a.button", has_text="Edit").first.click()
    expect(page.locator("h1")).to_have_text("Edit the conversation")
    assert findings(page) == []
    for size in (PHONE, LAPTOP):
        _shoot(page, "conversation-edit", size)
    first = page.locator("textarea[name^=notes_]").first
    first.fill(first.input_value() + " (rättad)")
    page.fill("#new_notes", "Fler lampor i parken")
    page.click("main form button[type=submit]")
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator("main")).to_contain_text("(rättad)")
    expect(page.locator("main")).to_contain_text("Fler lampor i parken")

    upload = tmp_path / "samtal.csv"
    upload.write_bytes(CSV)
    page.goto("/dialogues/1/conversations/import")
    page.set_input_files("#file", str(upload))
    page.click("main form button[type=submit]")
    expect(page.locator("h1")).to_have_text("Check the import")
    assert findings(page) == []
    for size in (PHONE, LAPTOP):
        _shoot(page, "import-preview", size)
    page.click("button[name=confirm]")
    expect(page.locator(".flash-success")).to_contain_text("Imported 7 conversations")
