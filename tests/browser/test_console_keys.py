"""The console by keyboard and in a busy room, and staff's preview of the phone view.

Shortcuts do what their buttons do and never fire while typing or with Ctrl/Alt/Meta; "?"
lists them in a dialog. A two-click confirmation armed before 20 events still confirms
after them, and the focus stays where it was. The preview shows what residents see,
read-only and uncounted. Screenshots go to build/screenshots/ for a person to look at.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import engineio.payload  # type: ignore[import-untyped]
import pytest
import requests
from phones import Phone
from playwright.sync_api import Browser, BrowserContext, Page, expect

from facilitate import demo

from .conftest import PHONE, Server, logged_in
from .test_accessibility import findings
from .test_live_meeting import MEETING, join_code, open_console

SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
PROJECTOR = {"width": 1920, "height": 1080}
BURST = 20  # events between a confirmation's two clicks


@pytest.fixture
def residents(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[str, str], Phone]]:
    """Residents joined through the API, writing over Socket.IO as phones do."""
    # Erasing twenty contributions sends twenty removals in one long-polling answer; the
    # Python client refuses more than 16 packets in one (a browser's takes any number).
    monkeypatch.setattr(engineio.payload.Payload, "max_decode_packets", 256)
    opened: list[Phone] = []

    def _resident(code: str, name: str) -> Phone:
        joined = requests.post(
            f"{server.url}/api/v1/join", json={"join_code": code, "display_name": name}, timeout=5
        )
        assert joined.status_code == 201, joined.text
        opened.append(Phone(server.url, joined.json()["participant_token"]))
        return opened[-1]

    yield _resident
    for client in opened:
        client.close()


def burst(phone: Phone, label: str) -> None:
    """BURST contributions from ``phone``, each a redraw of the console."""
    for n in range(BURST):
        ack = phone.call(
            "contribution_add", {"client_id": f"{label}{n}", "text": f"{label} {n + 1}"}
        )
        assert ack["ok"], ack


def current_step(console: Page) -> int:
    key = console.locator("#agenda li[aria-current=step]").get_attribute("data-key")
    return int((key or "").removeprefix("phase-"))


def on_step(console: Page, index: int) -> None:
    expect(console.locator(f"#agenda li[data-key=phase-{index}]")).to_have_attribute(
        "aria-current", "step"
    )


def focused_key(page: Page) -> str | None:
    return page.evaluate("document.activeElement && document.activeElement.dataset.key || null")  # type: ignore[no-any-return]


def minutes(text: str) -> int:
    found = re.match(r"(\d+):\d\d", text)
    assert found, text
    return int(found.group(1))


def test_shortcuts_drive_the_console(
    server: Server,
    staff: BrowserContext,
    browser: Browser,
    residents: Callable[[str, str], Phone],
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    console = open_console(staff)
    keys = console.keyboard
    timer = console.locator("p.timer-console")

    # Steps: N forward, P back.
    assert current_step(console) == 0
    keys.press("n")
    on_step(console, 1)
    keys.press("p")
    on_step(console, 0)
    # On an Arabic keyboard N's key types "ى": the key's place counts.
    console.evaluate(
        """() => document.body.dispatchEvent(new KeyboardEvent("keydown",
        {key: "ى", code: "KeyN", bubbles: true, cancelable: true}))"""
    )
    on_step(console, 1)
    keys.press("p")
    on_step(console, 0)

    # Nothing fires while typing in a field, nor with Ctrl, Alt or Meta.
    console.fill("#proposal-title", "")
    console.locator("#proposal-title").press_sequentially("nptv+h")
    console.locator("#write-text").press_sequentially("np")
    console.focus("#wall-filter")
    keys.press("n")
    console.evaluate("document.activeElement.blur()")
    keys.press("Alt+n")
    keys.press("Meta+t")
    keys.press("n")  # the one that counts
    on_step(console, 1)
    assert current_step(console) == 1
    expect(timer).to_have_text("20:00 (paused)")  # T and + typed into fields did nothing
    expect(console.locator("#proposal-title")).to_have_value("nptv+h")
    # A checkbox takes no typing: with the focus on one, the keys still work.
    console.focus("#write-behalf")
    keys.press("p")
    on_step(console, 0)
    keys.press("n")
    on_step(console, 1)
    expect(console.locator("#write-behalf")).to_be_checked()
    console.click("#proposal-form button[type=submit]")
    expect(console.locator("#proposals .proposal")).to_have_count(1)
    console.evaluate("document.activeElement.blur()")

    # The timer: T starts, T pauses, + adds a minute, − takes one off, T resumes.
    keys.press("t")
    expect(timer).to_have_attribute("data-running", "yes")
    keys.press("t")
    expect(timer).to_have_attribute("data-running", "no")
    paused = minutes(timer.inner_text())
    keys.type("+")
    expect(timer).to_have_text(re.compile(rf"^{paused + 1}:"))
    keys.type("-")
    expect(timer).to_have_text(re.compile(rf"^{paused}:"))
    keys.press("t")
    expect(timer).to_have_attribute("data-running", "yes")
    assert minutes(timer.inner_text()) == paused  # resumed what was left, not restarted

    # The vote: V opens it, V closes it.
    keys.press("v")
    expect(console.locator("#voting-close")).to_be_visible()
    keys.press("v")
    expect(console.locator("#voting-open")).to_be_visible()
    expect(console.locator("#voting-close")).to_be_hidden()

    # H gives the word to the first hand in the queue.
    anna = residents(join_code(console), "Anna")
    bo = residents(join_code(console), "Bo")
    assert anna.call("hand_raise", {"client_id": "h1"})["ok"]
    assert bo.call("hand_raise", {"client_id": "h2"})["ok"]
    expect(console.locator("#hands li")).to_have_count(2)
    keys.press("h")
    expect(console.locator("#hands li")).to_have_text([re.compile("^Bo")])
    assert anna.wait(lambda: bool(anna.named("hand_given")), 5)
    expect(console.locator("#shortcut-said")).to_have_text("Give the word to the next hand")

    # A number key switches the projector: the console's mode button, in the order shown.
    for key, mode in (("3", "wall"), ("1", "join"), ("7", "perspectives"), ("6", "speaker")):
        keys.press(key)
        expect(console.locator(f"[data-screen-mode={mode}]")).to_have_attribute(
            "aria-pressed", "true"
        )
    expect(console.locator("[data-screen-mode=wall]")).to_have_attribute("aria-pressed", "false")

    # "?" opens the list as a modal dialog; Escape closes it and the focus comes back.
    console.focus("#timer-plus")
    keys.type("?")
    dialog = console.locator("#shortcuts")
    expect(dialog).to_be_visible()
    assert console.evaluate("document.activeElement.closest('#shortcuts') !== null")
    for key in ("Tab", "Tab", "Shift+Tab"):  # the focus stays in the dialog
        keys.press(key)
        assert console.evaluate("document.activeElement.closest('#shortcuts') !== null")
    keys.press("n")  # shortcuts rest while the list is open
    rows = dialog.locator("tbody tr:visible")
    expect(rows.locator(".action")).to_have_text(
        [
            "Next step",
            "Previous step",
            "Start or pause the timer",
            "Add a minute",
            "Take a minute off",
            "Open or close the vote",
            "Give the word to the next hand",
            "Projector: How to join",
            "Projector: The step's question",
            "Projector: Wall",
            "Projector: Questions",
            "Projector: Results",
            "Projector: Who has the word",
            "Projector: Common ground",
            "Show this list",
            "Close this list",
        ]
    )
    assert current_step(console) == 1
    assert findings(console) == []
    console.screenshot(path=str(SCREENSHOTS / "console-shortcuts.png"))
    keys.press("Escape")
    expect(dialog).to_be_hidden()
    assert console.evaluate("document.activeElement.id") == "timer-plus"
    console.click("#shortcuts-open")
    expect(dialog).to_be_visible()
    console.click("#shortcuts-close")
    expect(dialog).to_be_hidden()
    assert console.evaluate("document.activeElement.id") == "shortcuts-open"

    # In the console's language.
    swedish = logged_in(browser, server, demo.FACILITATOR_EMAIL, locale="sv-SE")
    try:
        page = swedish.new_page()
        page.goto(f"/meetings/{MEETING}/console")
        expect(page.locator("#conn")).to_have_attribute("data-state", "online")
        page.keyboard.type("?")
        expect(page.locator("#shortcuts-h")).to_have_text("Kortkommandon")
        expect(page.locator("#shortcuts tbody tr:visible .action").first).to_have_text("Nästa steg")
    finally:
        swedish.close()


def test_confirmations_and_focus_survive_a_busy_room(
    server: Server, staff: BrowserContext, residents: Callable[[str, str], Phone]
) -> None:
    console = open_console(staff)
    code = join_code(console)
    anna, bo, cleo, dan, eva = (residents(code, n) for n in ("Anna", "Bo", "Cleo", "Dan", "Eva"))
    assert anna.call("contribution_add", {"client_id": "a1", "text": "Annas ord"})["ok"]
    people = console.locator("#people li")
    expect(people).to_have_count(5)
    wall = console.locator("#wall .contribution")

    # Block: armed, 20 contributions redraw the console, the second click confirms.
    block = people.filter(has_text="Anna").locator("button", has_text="Block")
    block.click()
    expect(block).to_have_text("Block?")
    burst(bo, "Bo")
    expect(wall).to_have_count(1 + BURST)
    block.click()
    expect(wall.filter(has_text="Annas ord")).to_have_class(re.compile("is-hidden"))
    expect(wall.filter(has_text="Annas ord")).to_contain_text("Participant blocked")

    # Erase their words: the same, Bo's twenty go.
    erase = people.filter(has_text="Bo").locator("button", has_text="Erase their words")
    erase.click()
    expect(erase).to_have_text("Erase their words?")
    burst(cleo, "Cleo")
    expect(wall).to_have_count(1 + 2 * BURST)
    erase.click()
    expect(wall).to_have_count(1 + BURST)
    expect(wall.filter(has_text=re.compile(r"^Bo \d"))).to_have_count(0)

    # The focus on a wall item's button and on a person's button survives 20 events each.
    first = wall.filter(has_text="Cleo 1").first
    pin = first.locator("button", has_text="Pin")
    pin.focus()
    key = focused_key(console)
    assert key
    assert key.startswith("pin-")
    burst(dan, "Dan")
    expect(wall).to_have_count(1 + 2 * BURST)
    assert focused_key(console) == key
    people.filter(has_text="Cleo").locator("button", has_text="Block").focus()
    assert dan.call("contribution_add", {"client_id": "d-last", "text": "Dan sist"})["ok"]
    for n in range(BURST - 1):
        assert eva.call("hand_raise" if n % 2 == 0 else "hand_lower", {"client_id": f"e{n}"})["ok"]
    expect(console.locator("#hands li")).to_have_text([re.compile("^Eva")])
    expect(wall).to_have_count(2 + 2 * BURST)
    cleo_block = f"block-{cleo_id(console)}"
    assert focused_key(console) == cleo_block
    console.keyboard.press("Enter")  # the kept focus works: Enter arms it, the focus stays
    expect(people.filter(has_text="Cleo").locator("button", has_text="Block")).to_have_text(
        "Block?"
    )
    assert focused_key(console) == cleo_block


def cleo_id(console: Page) -> str:
    key = console.locator("#people li", has_text="Cleo").get_attribute("data-key")
    return (key or "").removeprefix("person-")


def test_preview_of_the_phone_view(
    server: Server, staff: BrowserContext, residents: Callable[[str, str], Phone]
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    console = open_console(staff)
    code = join_code(console)
    anna = residents(code, "Anna")
    assert anna.call("contribution_add", {"client_id": "a1", "text": "Mörkt vid busshållplatsen"})[
        "ok"
    ]
    console.check("#premoderation")
    expect(console.locator("#queue .queue-explain")).to_contain_text("wait here")
    assert anna.call("contribution_add", {"client_id": "a2", "text": "Väntar på godkännande"})["ok"]
    expect(console.locator("#queue .queued")).to_have_count(1)
    expect(console.locator("#presence")).to_have_text("1 online of 1 joined")

    with staff.expect_page() as opened:
        console.click("#preview-link")
    preview = opened.value
    preview.set_viewport_size(PHONE)
    expect(preview.locator("#conn")).to_have_attribute("data-state", "online")
    expect(preview.locator("#preview-banner")).to_be_visible()
    expect(preview.locator("#wall .contribution .text")).to_have_text(["Mörkt vid busshållplatsen"])
    for control in ("#write-text", "#write button[type=submit]", "#hand", "#wall .metoo"):
        expect(preview.locator(control)).to_be_disabled()
    # Not counted: Bo's arrival makes two, not three.
    residents(code, "Bo")
    expect(console.locator("#presence")).to_have_text("2 online of 2 joined")
    expect(preview.locator("#presence")).to_have_text("2 online")
    # What the room sees, it sees live; what waits, it never sees.
    assert anna.call("contribution_add", {"client_id": "a3", "text": "Till rummet"})["ok"]
    console.locator("#queue .queued", has_text="Till rummet").locator(
        "button:text('Approve')"
    ).click()
    expect(preview.locator("#wall .contribution .text")).to_have_text(
        ["Till rummet", "Mörkt vid busshållplatsen"]
    )
    assert findings(preview) == []
    preview.screenshot(path=str(SCREENSHOTS / "phone-preview.png"), full_page=True)
    console.set_viewport_size(PROJECTOR)
    console.screenshot(path=str(SCREENSHOTS / "console-1920.png"))
