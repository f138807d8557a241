"""Every language on a 320 px phone: Arabic mirrored right to left, nothing clipped or
overlapping, mixed-direction text intact; screenshots in test-output/screenshots."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import BrowserContext, Page, expect

from .conftest import NARROW, Server
from .test_live_meeting import join, join_code, open_console

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
#: What each phone asks for: a browser locale, or easy Swedish picked in the switch.
CHOICES = {"sv": "sv-SE", "sv-easy": "sv-SE", "en": "en-GB", "fi": "fi-FI", "ar": "ar", "so": "so"}
#: Minutes and seconds, as the 5-minute timer shows in every language.
CLOCK = re.compile(r"^0?[45]:\d\d")
CONTROLS = (
    "main button, main input, main select, main textarea, main summary, header a, header span"
)

#: The boxes of visible controls that leave the screen or overlap another one.
LAYOUT_PROBLEMS = """(selector) => {
  const width = document.documentElement.clientWidth;
  const boxes = [...document.querySelectorAll(selector)]
    .filter((e) => e.offsetParent !== null && !e.closest("[hidden]"))
    .map((e) => ({e, r: e.getBoundingClientRect()}))
    .filter(({r}) => r.width > 0 && r.height > 0);
  const problems = [];
  for (const {e, r} of boxes) {
    if (r.left < -1 || r.right > width + 1) problems.push(["outside", e.outerHTML.slice(0, 80)]);
  }
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i], b = boxes[j];
      if (a.e.contains(b.e) || b.e.contains(a.e)) continue;
      const x = Math.min(a.r.right, b.r.right) - Math.max(a.r.left, b.r.left);
      const y = Math.min(a.r.bottom, b.r.bottom) - Math.max(a.r.top, b.r.top);
      if (x > 1 && y > 1) {
        problems.push(["overlap", a.e.outerHTML.slice(0, 60), b.e.outerHTML.slice(0, 60)]);
      }
    }
  }
  return problems;
}"""


# Each redraw replaces the phone's elements, so a box is read in one script run: a locator's
# bounding_box() can find the element gone between resolving it and measuring it.
MEASURE = """selector => {
    const e = document.querySelector(selector);
    const box = e && e.getBoundingClientRect();
    return box && box.width ? [box.left, box.right] : null;
}"""


def edges(page: Page, selector: str) -> tuple[float, float]:
    """The left and right edge of the first element that matches, once it has a box."""
    deadline = time.monotonic() + 5
    while (found := page.evaluate(MEASURE, selector)) is None:
        assert time.monotonic() < deadline, f"{selector} never had a box"
        page.wait_for_timeout(50)
    return found[0], found[1]


def layout_problems(page: Page) -> list[list[str]]:
    result: list[list[str]] = page.evaluate(LAYOUT_PROBLEMS, CONTROLS)
    return result


def test_every_language_fits_a_phone_and_arabic_reads_right_to_left(
    server: Server, staff: BrowserContext, phone: Callable[..., Page]
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    console = open_console(staff)
    code = join_code(console)
    console.fill("#timer-minutes", "5")
    console.click("#timer-form button[type=submit]")
    phones: dict[str, Page] = {}
    for choice, locale in CHOICES.items():
        page = phone(locale, NARROW)
        if choice == "sv-easy":
            page.goto("/language/sv-easy?next=/join")
        join(page, code, choice)
        phones[choice] = page
    arabic = phones["ar"]
    arabic.fill("#write-text", "الإضاءة في Fröslunda ضعيفة جدا")
    arabic.click("#write button[type=submit]")
    for choice, page in phones.items():
        lang = choice.split("-")[0]
        expect(page.locator("html")).to_have_attribute("lang", lang)
        expect(page.locator("html")).to_have_attribute("dir", "rtl" if lang == "ar" else "ltr")
        text = page.locator("#wall .contribution .text")
        expect(text).to_have_text(["الإضاءة في Fröslunda ضعيفة جدا"])
        # dir="auto": an Arabic sentence reads right to left on every phone, place name whole.
        assert text.evaluate("e => getComputedStyle(e).direction") == "rtl", choice
        expect(page.locator("[data-timer]").first).to_have_text(CLOCK)
        assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"], choice
        assert layout_problems(page) == [], choice
        page.screenshot(path=str(SCREENSHOTS / f"phone-{choice}.png"), full_page=True)
    # Mirrored: the step line and the write form start at the right edge in Arabic.
    for selector in (".phase-step", "label[for=write-text]"):
        left_to_right = edges(phones["sv"], selector)
        right_to_left = edges(arabic, selector)
        assert left_to_right[0] < 40, selector
        assert right_to_left[1] > NARROW["width"] - 40, selector
    # The facilitator sees which language it is in, and translates it for the room.
    item = console.locator("#wall .contribution").first
    expect(item.locator(".lang-label")).to_have_text("AR · العربية")
    item.locator("[data-key^=translate-]").click()
    form = console.locator(".translate-form")
    form.locator("textarea").fill("Belysningen i Fröslunda är svag")
    form.locator("select").select_option("sv")
    form.locator("button[type=submit]").click()
    for page in (phones["sv"], arabic):
        expect(page.locator("#wall .translation bdi")).to_have_text(
            "Belysningen i Fröslunda är svag"
        )
    expect(phones["sv"].locator("#wall .translation")).to_have_attribute("lang", "sv")
    # The pages before and after the room fit too, in Arabic.
    for path in ("/join", f"/j/{code}", "/privacy", "/d/1/feedback"):
        page = phone("ar", NARROW)
        page.goto(path)
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"], path
        assert layout_problems(page) == [], path
    arabic.screenshot(path=str(SCREENSHOTS / "phone-ar-translated.png"), full_page=True)
    # Staff can work in Arabic too: the console and the projector mirror on a laptop.
    for view in ("console", "screen"):
        page = staff.new_page()
        page.set_viewport_size({"width": 1366, "height": 768})
        page.goto(f"/language/ar?next=/meetings/1/{view}")
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        expect(page.locator("#conn")).to_have_attribute("data-state", "online")
        assert page.evaluate("document.documentElement.scrollWidth") <= 1366, view
        page.screenshot(path=str(SCREENSHOTS / f"{view}-ar.png"), full_page=True)


def test_layout_check_catches_overlap_and_overflow(
    server: Server, phone: Callable[..., Page]
) -> None:
    page = phone("ar", NARROW)
    page.goto("/join")
    assert layout_problems(page) == []
    page.evaluate(
        """() => {
          const b = document.querySelector("main button");
          b.style.position = "absolute"; b.style.insetInlineStart = "-200px";
          const c = b.cloneNode(true); c.style.insetInlineStart = "-190px";
          b.after(c);
        }"""
    )
    kinds = {problem[0] for problem in layout_problems(page)}
    assert kinds == {"outside", "overlap"}
