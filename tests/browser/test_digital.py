"""A digital meeting: residents at home see the shared screen on their phones (the step's
question, the timer, who has the word and the queue) above their own writing, with the
call link; a meeting in a room shows no such thing. Screenshots go to build/screenshots/."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import BrowserContext, Page, expect

from .conftest import Server
from .test_accessibility import findings
from .test_hybrid import shoot
from .test_live_meeting import MEETING, join, join_code, open_console

CALL = "https://meet.jit.si/Trygghet-Fröslunda"


def make_digital(staff: BrowserContext) -> None:
    page = staff.new_page()
    page.goto(f"/meetings/{MEETING}/edit")
    page.check("#is_digital")
    page.fill("#video_url", CALL)
    page.click("main button[type=submit]")
    expect(page.locator(".flash").first).to_be_visible()
    page.close()


def top(page: Page, selector: str) -> float:
    box = page.locator(selector).bounding_box()
    assert box is not None, selector
    return box["y"]


def test_a_phone_in_a_digital_meeting_shows_the_call_link_and_the_shared_screen(
    server: Server, staff: BrowserContext, phone: Callable[..., Page]
) -> None:
    console = open_console(staff)
    code = join_code(console)
    anna = phone()
    join(anna, code, "Anna")
    # A meeting in a room: the projector is on the wall, not on the phone.
    expect(anna.locator("#phase h2")).to_have_text("Välkomna och incheckning")
    expect(anna.locator("#shared-screen")).to_have_count(0)
    expect(anna.locator("#call-box")).to_be_hidden()

    make_digital(staff)
    anna.reload()
    expect(anna.locator("#conn")).to_have_attribute("data-state", "online")
    expect(anna.locator("#call")).to_be_visible()
    expect(anna.locator("#call")).to_have_attribute("href", CALL)
    screen = anna.locator("#shared-screen")
    expect(screen).to_be_visible()
    expect(anna.locator("#speaker")).to_have_text("Ingen har ordet än.")
    expect(anna.locator("#queue li")).to_have_text(["Inga uppräckta händer."])
    bo = phone("en-GB")
    join(bo, code, "Bo")
    expect(bo.locator("#shared-screen h2")).to_have_text("On the shared screen")

    # The timer, as the projector counts it down.
    console.fill("#timer-minutes", "5")
    console.click("#timer-form button[type=submit]")
    for page in (anna, bo):
        expect(page.locator("#phase [data-timer]")).to_have_text("5:00", timeout=5_000)

    # The queue, in the order raised, one's own hand marked; then who has the word.
    bo.click("#hand")
    expect(anna.locator("#queue li")).to_have_text(["Bo"])
    anna.click("#hand")
    expect(anna.locator("#queue li")).to_have_text(["Bo", "Anna (du)"])
    expect(bo.locator("#queue li")).to_have_text(["Bo (you)", "Anna"])
    console.locator("#hands li").first.locator("button:text('Give the word')").click()
    expect(anna.locator("#speaker")).to_have_text("Har ordet: \u2068Bo\u2069")
    expect(bo.locator("#speaker")).to_have_text("You have the word")
    expect(anna.locator("#queue li")).to_have_text(["Anna (du)"])
    expect(bo.locator("#queue li")).to_have_text(["Anna"])

    # All of it above the resident's own writing, in the first screen of a phone.
    for selector in ("#call", "#phase h2", "#phase .prompt", "#phase [data-timer]", "#speaker"):
        assert top(anna, selector) < top(anna, "#write"), selector
    assert top(anna, "#speaker") < 740
    assert findings(anna) == []
    for page, name in ((anna, "phone-digital-360x740"), (bo, "phone-digital-en-360x740")):
        page.evaluate("window.scrollTo(0, 0)")
        shoot(page, name)
    # Who has the word is the room's: a phone that reloads still knows it.
    bo.reload()
    expect(bo.locator("#speaker")).to_have_text("You have the word")

    # The next step: a new speaker is still to come.
    console.click("#agenda li:nth-child(2) button")
    expect(anna.locator("#speaker")).to_have_text("Ingen har ordet än.")
