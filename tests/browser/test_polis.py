"""The Pol.is page in the browser: a refused pair of files with its lines to fix, then a
conversation imported, in Swedish on a laptop and in Arabic (right to left) on a phone.
axe on each; screenshots at 1366 × 768 and 360 × 740 in build/screenshots/ to look at."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import BrowserContext, Page, expect

from facilitate import demo

from .test_accessibility import findings

SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
THEME = 1
STATEMENTS = [
    "Det behövs bättre belysning på gångvägen vid Fröslunda centrum",
    "Fler vuxna borde röra sig ute på kvällarna",
    "Kameror vid stationen gör att jag känner mig tryggare",
    "Fritidsgården borde vara öppen även på helgerna",
    "Buskarna vid tunneln ska klippas ner",
    "Polisen borde synas mer till fots",
    "Köp billiga solglasögon här!",
    "Grannsamverkan fungerar bra där jag bor",
]
COMMENTS = (
    "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n"
    + "".join(
        f'{1700000000000 + n * 60000},x,{n},{n % 5},0,0,{-1 if n == 6 else 1},"{text}"\n'
        for n, text in enumerate(STATEMENTS)
    )
)


def _votes() -> str:
    rng = random.Random(4)  # noqa: S311 -- test data, not security
    rows = ["timestamp,datetime,comment-id,voter-id,vote"]
    for voter in range(36):
        camp = 1 if voter % 2 else -1
        for comment in range(len(STATEMENTS)):
            value = 1 if comment in (0, 4) else camp * (1 if comment % 2 else -1)
            if rng.random() < 0.15:
                value = 0
            rows.append(f"{1700001000000 + voter * 1000 + comment},x,{comment},{voter},{value}")
    return "\n".join(rows) + "\n"


def _upload(page: Page, meeting_id: int, votes: str) -> None:
    page.goto(f"/meetings/{meeting_id}/polis")
    page.set_input_files(
        "#comments",
        files=[{"name": "comments.csv", "mimeType": "text/csv", "buffer": COMMENTS.encode()}],
    )
    page.set_input_files(
        "#votes", files=[{"name": "votes.csv", "mimeType": "text/csv", "buffer": votes.encode()}]
    )
    page.locator("main form button[type=submit]").click()


def _clean(page: Page, name: str) -> None:
    assert findings(page) == [], name
    width = page.viewport_size["width"] if page.viewport_size else 0
    assert page.evaluate("document.documentElement.scrollWidth") <= width, name
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"polis-{name}.png"), full_page=True)


def test_polis_import_page_in_the_browser(contexts: Callable[..., BrowserContext]) -> None:
    laptop = contexts("sv", demo.FACILITATOR_EMAIL).new_page()
    laptop.goto(f"/themes/{THEME}/meetings/new")
    laptop.fill("#title", "Var står vi?")
    laptop.select_option("#template", "common_ground_90")
    laptop.click("main button[type=submit]")
    meeting_id = int(re.search(r"/meetings/(\d+)", laptop.url).group(1))  # type: ignore[union-attr]
    laptop.get_by_role("link", name="Pol.is-samtal").click()
    expect(laptop.locator("h1")).to_have_text("Pol.is-samtal")

    bad = _votes() + "1700009000000,x,12,3,1\n1700009000001,x,2,3,2\n"
    _upload(laptop, meeting_id, bad)
    cells = laptop.locator(".problems tbody tr")
    expect(cells).to_have_count(2)
    expect(cells.nth(0)).to_contain_text("Ingen kommentar 12 i comments.csv.")
    expect(cells.nth(1)).to_contain_text("vote måste vara 1, -1 eller 0")
    _clean(laptop, "refused-laptop")

    rtl = contexts("ar", demo.FACILITATOR_EMAIL, mobile=True).new_page()
    _upload(rtl, meeting_id, bad)
    expect(rtl.locator("html")).to_have_attribute("dir", "rtl")
    expect(rtl.locator(".problems tbody tr")).to_have_count(2)
    _clean(rtl, "refused-phone-ar")

    _upload(laptop, meeting_id, _votes())
    expect(laptop.locator(".flash, .alert").first).to_contain_text("Importerade 8 påståenden")
    expect(laptop.locator(".notice")).to_contain_text("36 deltagare")
    _clean(laptop, "imported-laptop")
    phone = contexts("sv", demo.FACILITATOR_EMAIL, mobile=True).new_page()
    phone.goto(f"/meetings/{meeting_id}/polis")
    _clean(phone, "imported-phone")
