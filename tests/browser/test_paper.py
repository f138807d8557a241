"""People without phones in the browser: the paper grid filled in, refused and saved, then
"Who is in the room" and the report counting them; axe on each page, in Swedish on a
laptop and in Arabic (right to left) on a phone, with screenshots to look at."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import BrowserContext, Locator, Page, expect

from facilitate import demo

from .conftest import Server
from .test_accessibility import findings
from .test_live_meeting import MEETING, open_console

SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
DIALOGUE = 1
#: (district row, age column) -> people; columns 1-6 are the age bands, 7 "no age given".
COUNTS = {("Fröslunda", 6): "7", ("Fröslunda", 5): "5", ("Lagersberg", 6): "6", (None, 7): "3"}


def cell(page: Page, district: str | None, column: int) -> Locator:
    rows = page.locator(".paper-grid tbody tr")
    row = rows.last if district is None else rows.filter(has=page.locator("th", has_text=district))
    return row.locator("td input").nth(column - 1)


def shoot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"paper-{name}.png"), full_page=True)


def test_paper_counts_in_the_grid_the_room_and_the_report(
    server: Server, contexts: Callable[..., BrowserContext]
) -> None:
    laptop = contexts("sv", demo.FACILITATOR_EMAIL).new_page()
    open_console(laptop.context, "Öppet")  # a draft meeting is in no count
    laptop.goto(f"/meetings/{MEETING}")
    laptop.get_by_role("link", name="Deltog på papper").click()
    for (district, column), number in COUNTS.items():
        cell(laptop, district, column).fill(number)
    cell(laptop, "Lagersberg", 2).fill("tre")
    laptop.get_by_role("button", name="Spara").click()
    expect(laptop.locator("#paper-error")).to_have_text(
        "Lagersberg · 16–19: Skriv ett heltal, 0 eller mer."
    )
    expect(cell(laptop, "Lagersberg", 2)).to_have_attribute("aria-invalid", "true")
    assert findings(laptop) == []
    shoot(laptop, "form-error-laptop")
    cell(laptop, "Lagersberg", 2).fill("")
    laptop.get_by_role("button", name="Spara").click()
    expect(laptop.locator(".flash").first).to_contain_text("Sparat: 21 personer deltog på papper.")
    expect(cell(laptop, "Fröslunda", 6)).to_have_value("7")
    assert findings(laptop) == []
    shoot(laptop, "form-laptop")

    laptop.goto(f"/dialogues/{DIALOGUE}/participation")
    expect(laptop.locator("th[scope=col]", has_text="På papper").first).to_be_visible()
    assert findings(laptop) == []
    shoot(laptop, "participation-laptop")
    laptop.goto(f"/meetings/{MEETING}/report")
    expect(laptop.locator(".paper-mark")).to_be_visible()
    assert findings(laptop) == []
    shoot(laptop, "report-laptop")

    phone = contexts("ar", demo.FACILITATOR_EMAIL, mobile=True).new_page()
    for path, name in (
        (f"/meetings/{MEETING}/paper", "form-phone-ar"),
        (f"/dialogues/{DIALOGUE}/participation", "participation-phone-ar"),
        (f"/meetings/{MEETING}/report", "report-phone-ar"),
    ):
        phone.goto(path)
        assert findings(phone) == [], path
        # the page never scrolls sideways (a wide table scrolls in its own box)
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360, path
        shoot(phone, name)
    # The paper grid does not even scroll in its box: on a phone each district's row is a
    # block, every box under its age band, as wide as the page.
    phone.goto(f"/meetings/{MEETING}/paper")
    assert phone.locator(".paper-grid").evaluate("e => e.parentElement.scrollWidth") <= 360
    box = cell(phone, "Lagersberg", 7).bounding_box()
    assert box is not None
    assert 0 <= box["x"] <= box["x"] + box["width"] <= 360
    expect(cell(phone, "Lagersberg", 6)).to_have_value("6")
