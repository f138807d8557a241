"""The phone in a busy room: 200 contributions in the step and 20 proposals on the ballot.

What the moment asks for comes first: while the vote is open the ballot is on the first
screen, after it closes the result, until the next step. The wall shows the newest
contributions with "show more", keeps what was revealed as new ones arrive, and a resident
finds their own with "Only mine". Screenshots of the busy phone go to build/screenshots.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
from phones import Phone
from playwright.sync_api import BrowserContext, Page, expect

from .conftest import NARROW, PHONE, Server
from .test_accessibility import AXE
from .test_live_meeting import join, join_code, open_console

SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
CONTRIBUTIONS = 200  # in the current step, the resident's own three among them
PROPOSALS = 20
RESIDENTS = 10  # the others, each well within the live write limit (30 in 10 s)
MINE = ["Min första tanke", "Min andra tanke", "Min tredje tanke"]

# Each redraw replaces the ballot's elements: a box is read in one script run.
FIRST_VOTE_BUTTON = """() => {
  const b = document.querySelector("#proposals .proposal .vote-row button:not([disabled])");
  const r = b && b.getBoundingClientRect();
  return r && {y: r.y, height: r.height, scrollY: window.scrollY};
}"""


@pytest.fixture
def others(server: Server) -> Iterator[list[Phone]]:
    """Residents who joined through the API and write over Socket.IO, as phones do."""
    opened: list[Phone] = []
    yield opened
    for client in opened:
        client.close()


def resident(server: Server, code: str, others: list[Phone]) -> Phone:
    """Another resident, joined through the API, writing over Socket.IO as phones do."""
    joined = requests.post(f"{server.url}/api/v1/join", json={"join_code": code}, timeout=5)
    assert joined.status_code == 201, joined.text
    others.append(Phone(server.url, joined.json()["participant_token"]))
    return others[-1]


def fill_the_room(server: Server, code: str, others: list[Phone], contributions: int) -> None:
    """``contributions`` from the other residents and PROPOSALS proposals, round the room."""
    for _ in range(RESIDENTS):
        resident(server, code, others)
    for n in range(contributions):
        ack = others[n % RESIDENTS].call(
            "contribution_add", {"client_id": f"c{n}", "text": f"Bidrag nummer {n + 1}"}
        )
        assert ack["ok"], ack
    for n in range(PROPOSALS):
        ack = others[n % RESIDENTS].call(
            "proposal_add", {"client_id": f"p{n}", "title": f"Förslag nummer {n + 1}"}
        )
        assert ack["ok"], ack


def busy_room(
    server: Server, staff: BrowserContext, phone: Callable[..., Page], others: list[Phone]
) -> tuple[Page, Page]:
    """The console and Anna's phone, with the vote open on a full wall."""
    console = open_console(staff)
    code = join_code(console)
    anna = phone()
    join(anna, code, "Anna")
    for text in MINE:  # written early: far below the newest twenty
        anna.fill("#write-text", text)
        anna.click("#write button[type=submit]")
    expect(anna.locator("#wall .contribution.own")).to_have_count(len(MINE))
    fill_the_room(server, code, others, CONTRIBUTIONS - len(MINE))
    expect(console.locator("#proposals .proposal")).to_have_count(PROPOSALS)
    console.click("#voting-open")
    expect(anna.locator(".voting-open")).to_be_visible()
    expect(anna.locator("#proposals .vote-row")).to_have_count(PROPOSALS)
    anna.evaluate("window.scrollTo(0, 0)")  # as the page is when she looks up from writing
    return console, anna


def test_busy_phone_puts_the_vote_first_and_keeps_the_wall_short(
    server: Server, staff: BrowserContext, phone: Callable[..., Page], others: list[Phone]
) -> None:
    console, anna = busy_room(server, staff, phone, others)

    # The first proposal's vote button is on the first screen, without scrolling.
    box = anna.evaluate(FIRST_VOTE_BUTTON)
    assert box["scrollY"] == 0
    assert box["y"] >= 0, box
    assert box["y"] + box["height"] <= PHONE["height"], box
    # And the page is no wall to scroll through: the newest twenty, newest first.
    wall = anna.locator("#wall .contribution")
    expect(wall).to_have_count(20)
    expect(wall.first.locator(".text")).to_have_text(f"Bidrag nummer {CONTRIBUTIONS - 3}")
    height = anna.evaluate("document.documentElement.scrollHeight")
    assert height < 10_000, height
    more = anna.locator("#more")
    expect(more).to_have_text("Visa 20 till")
    expect(anna.locator("#wall-count")).to_have_text("Visar 20 av 200")

    # Show more: twenty more, announced; the button keeps the focus.
    more.focus()
    anna.keyboard.press("Enter")
    expect(wall).to_have_count(40)
    expect(anna.locator("#wall-said")).to_have_text("Visar 40 av 200")
    expect(more).to_be_focused()
    # What was revealed stays revealed as new contributions arrive, the new one on top, and
    # the card being read does not move under her thumb.
    reading = "document.querySelector('#wall li:nth-child(30)')"
    anna.evaluate(f"{reading}.scrollIntoView({{block: 'center'}})")
    top = anna.evaluate(f"{reading}.getBoundingClientRect().top")
    late = resident(server, join_code(console), others)
    ack = late.call("contribution_add", {"client_id": "late", "text": "Kom in sent"})
    assert ack["ok"], ack
    expect(wall.first.locator(".text")).to_have_text("Kom in sent")
    text = f"Bidrag nummer {CONTRIBUTIONS - 3 - 29}"
    assert anna.evaluate(f"{reading.replace('30', '31')}.textContent").startswith(text)
    assert (
        abs(anna.evaluate(f"{reading.replace('30', '31')}.getBoundingClientRect().top") - top) < 2
    )
    expect(wall).to_have_count(41)
    expect(anna.locator("#wall-count")).to_have_text("Visar 41 av 201")
    expect(more).to_be_focused()

    # Her own, far down the wall, are one tap away and exactly hers.
    mine = anna.locator("#mine")
    expect(mine).to_have_text("Bara mina (3)")
    mine.click()
    expect(mine).to_have_attribute("aria-pressed", "true")
    expect(wall.locator(".text")).to_have_text(list(reversed(MINE)))
    expect(more).to_be_hidden()
    mine.click()
    expect(wall).to_have_count(41)  # back to the wall as it was
    # To the end of the wall by keyboard: the last page takes the button away, and the
    # focus goes to the wall's heading rather than to nowhere.
    for shown in (61, 81, 101, 121, 141, 161, 181, 201):
        more.focus()
        anna.keyboard.press("Enter")
        expect(wall).to_have_count(shown)
    expect(more).to_be_hidden()
    expect(anna.locator("#wall-h")).to_be_focused()
    expect(anna.locator("#wall-said")).to_have_text("Visar 201 av 201")

    # Her vote counts from the top of the page.
    anna.locator("#proposals .proposal").first.locator("button[aria-label='En prick till']").click()
    expect(anna.locator(".dots-left")).to_have_text("Prickar kvar: 2")

    # The vote closes: the result stays at the top until the next step.
    console.click("#voting-close")
    expect(anna.locator("#proposals-h")).to_have_text("Omröstningens resultat")
    counted = anna.locator("#proposals .chart-row .chart-text", has_text="Prickar 1 · Röstande 1")
    expect(counted).to_have_count(1)
    assert anna.evaluate(
        "document.querySelector('#proposals-section').getBoundingClientRect().top"
    ) < anna.evaluate("document.querySelector('#write').getBoundingClientRect().top")
    anna.reload()  # the same on a fresh page, from the server's first screen on
    expect(anna.locator("#proposals-h")).to_have_text("Omröstningens resultat")
    assert anna.evaluate(ORDER) == ["proposals-section", "write", "wall-section"]
    console.click("#agenda li:nth-child(2) button")
    expect(anna.locator(".phase-step")).to_have_text("Steg 2 av 6")
    expect(anna.locator("#proposals-h")).to_have_text("Förslag")
    assert anna.evaluate(ORDER) == ["write", "wall-section", "proposals-section"]


#: The order of the phone's main parts on the page.
ORDER = """() => [...document.querySelectorAll("#proposals-section, #write, .wall-section")]
  .map((e) => e.id || e.className)"""


def test_busy_phone_is_accessible_and_looks_right(
    server: Server, staff: BrowserContext, phone: Callable[..., Page], others: list[Phone]
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    console, anna = busy_room(server, staff, phone, others)
    anna.evaluate(AXE)
    found = anna.evaluate(
        """async () => (await axe.run(document, {
          runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
          resultTypes: ["violations"],
        })).violations.map((v) => [v.id, v.impact, v.nodes.slice(0, 3).map((n) => n.target)])"""
    )
    assert found == []
    anna.screenshot(path=str(SCREENSHOTS / "busy-phone-sv-360.png"))
    anna.screenshot(path=str(SCREENSHOTS / "busy-phone-sv-360-full.png"), full_page=True)
    anna.evaluate("document.querySelector('#write').scrollIntoView()")
    anna.screenshot(path=str(SCREENSHOTS / "busy-phone-sv-360-wall.png"))
    anna.evaluate("window.scrollTo(0, 0)")
    anna.set_viewport_size(NARROW)
    assert anna.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]
    # On a cheap phone's smaller screen the vote is still in sight: its heading on the first.
    bottom = anna.evaluate("document.querySelector('.voting-open').getBoundingClientRect().bottom")
    assert bottom <= NARROW["height"]
    anna.screenshot(path=str(SCREENSHOTS / "busy-phone-sv-320.png"))

    # Arabic, right to left, on both screens.
    arabic = phone("ar")
    join(arabic, join_code(console), "Amal")
    expect(arabic.locator("html")).to_have_attribute("dir", "rtl")
    expect(arabic.locator("#proposals .vote-row")).to_have_count(PROPOSALS)
    expect(arabic.locator("#wall .contribution")).to_have_count(20)
    box = arabic.evaluate(FIRST_VOTE_BUTTON)
    assert box["y"] + box["height"] <= PHONE["height"], box
    arabic.screenshot(path=str(SCREENSHOTS / "busy-phone-ar-360.png"))
    arabic.set_viewport_size(NARROW)
    assert arabic.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]
    arabic.screenshot(path=str(SCREENSHOTS / "busy-phone-ar-320.png"))
    arabic.evaluate("document.querySelector('#more').scrollIntoView({block: 'center'})")
    arabic.screenshot(path=str(SCREENSHOTS / "busy-phone-ar-320-more.png"))
