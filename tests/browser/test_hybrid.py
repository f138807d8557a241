"""A room with and without phones, in real browsers: the projector shows each step in a
second language the facilitator picks, and a note-taker raises a hand for someone without
a phone. Screenshots of each view go to build/screenshots/."""

from __future__ import annotations

from pathlib import Path

from babel.support import Translations
from playwright.sync_api import BrowserContext, Page, expect

from .conftest import LAPTOP, PHONE, Server
from .test_live_meeting import MEETING, open_console

SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
CATALOGS = Path(__file__).resolve().parents[2] / "facilitate" / "translations"
FULL_HD = {"width": 1920, "height": 1080}


def arabic(message: str) -> str:
    """What the catalog says in Arabic: what the template brought the first step."""
    return str(Translations.load(str(CATALOGS), ["ar"]).gettext(message))


def shoot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def test_projector_shows_the_step_in_a_second_language_chosen_on_the_console(
    server: Server, staff: BrowserContext
) -> None:
    console = open_console(staff)
    screen = staff.new_page()
    screen.goto(f"/meetings/{MEETING}/screen")
    expect(screen.locator("#phase-title")).to_have_text("Välkomna och incheckning")
    second = screen.locator("#phase-second")
    expect(second).to_be_hidden()

    console.select_option("#screen-language", "ar")
    expect(second).to_be_visible()
    expect(second).to_have_attribute("lang", "ar")
    expect(second).to_have_attribute("dir", "rtl")
    expect(screen.locator("#phase-title-second")).to_have_text(arabic("Welcome and check-in"))
    expect(screen.locator("#phase-prompt-second")).to_have_text(
        arabic("Who are you, and what brings you here today?")
    )
    # The original stays on top, as it was.
    expect(screen.locator("#phase-title")).to_have_text("Välkomna och incheckning")

    # A hand translation into that language is shown beneath the contribution, right to left.
    console.fill("#write-text", "Mörkt vid busshållplatsen")
    console.click("#write button[type=submit]")
    console.click("#wall .contribution button:text('Translate')")
    console.fill("#wall .translate-form textarea", "الظلام عند موقف الحافلات")
    console.select_option("#wall .translate-form select", "ar")
    console.click("#wall .translate-form button[type=submit]")
    translation = screen.locator("#wall .contribution.in-second-language .translation")
    expect(translation).to_contain_text("الظلام عند موقف الحافلات")
    expect(translation.locator("bdi")).to_have_attribute("dir", "rtl")

    # A projector opened (or reloaded) later shows it as set.
    screen.reload()
    expect(screen.locator("#phase-title-second")).to_have_text(arabic("Welcome and check-in"))
    # The next step follows in both languages.
    console.click("#agenda li:nth-child(2) button")
    expect(screen.locator("#phase-title-second")).to_have_text(arabic("Share experiences"))
    console.click("#agenda li:nth-child(1) button")
    expect(screen.locator("#phase-title-second")).to_have_text(arabic("Welcome and check-in"))
    shoot(screen, "projector-ar-1366x768")
    screen.set_viewport_size(FULL_HD)  # type: ignore[arg-type]
    shoot(screen, "projector-ar-1920x1080")
    screen.set_viewport_size(LAPTOP)

    # None again: the original only.
    console.select_option("#screen-language", "")
    expect(second).to_be_hidden()
    expect(console.locator("#screen-language")).to_have_value("")


def test_note_taker_raises_a_hand_for_someone_and_the_facilitator_gives_the_word(
    server: Server, staff: BrowserContext
) -> None:
    console = open_console(staff)
    screen = staff.new_page()
    screen.goto(f"/meetings/{MEETING}/screen")
    notes = staff.new_page()
    notes.set_viewport_size(PHONE)
    notes.goto(f"/meetings/{MEETING}/notes")
    expect(notes.locator("#conn")).to_have_attribute("data-state", "online")
    for label in ("Person at table 3", "Fatima"):
        notes.fill("#hand-label", label)
        notes.click("#hand-form button[type=submit]")
    expect(notes.locator("#hands li > span")).to_have_text(["Person at table 3", "Fatima"])
    expect(screen.locator("#hands li")).to_have_text(["Person at table 3", "Fatima"])
    expect(console.locator("#hands li")).to_have_count(2)
    expect(console.locator("#hands li").first).to_contain_text("raised for someone in the room")
    console.select_option("#screen-language", "so")
    shoot(console, "console-hands-language-1366x768")
    shoot(notes, "notes-hands-360x740")

    # The note-taker lowers one; the facilitator gives the word to the other.
    notes.click("#hands li:nth-child(2) button")
    expect(screen.locator("#hands li")).to_have_text(["Person at table 3"])
    console.click("#hands li button:text('Give the word')")
    expect(screen.locator("#hands li")).to_have_text(["No hands raised."])
    expect(notes.locator("#hands li")).to_have_text(["No hands raised."])
