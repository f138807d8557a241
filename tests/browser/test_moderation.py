"""Pre-moderation's queue and the questions view in real browsers: console, projector and
phones (docs/protocol.md, "Pre-moderation" and "Questions"). Screenshots go to
build/screenshots/ for a person to look at."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import BrowserContext, Page, expect

from .conftest import Server
from .test_live_meeting import MEETING, join, join_code, open_console

SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"


def write(phone: Page, text: str, kind: str = "experience") -> None:
    phone.fill("#write-text", text)
    phone.select_option("#write-kind", kind)
    phone.click("#write button[type=submit]")


def me_too(phone: Page, text: str) -> None:
    button = phone.locator("#wall .contribution", has_text=text).locator(".metoo")
    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")


def test_premoderation_queue_on_console_waiting_on_phone(
    server: Server, staff: BrowserContext, phone: Callable[..., Page]
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    console = open_console(staff)
    console.check("#premoderation")
    expect(console.locator("#queue .queue-explain")).to_contain_text("wait here")
    screen = staff.new_page()
    screen.goto(f"/meetings/{MEETING}/screen")
    code = join_code(console)
    anna, bo = phone(), phone()
    join(anna, code, "Anna")
    join(bo, code, "Bo")

    write(anna, "Busshållplatsen vid skolan är mörk på kvällarna")
    write(bo, "Vem ansvarar för gatlyktorna?", "question")
    anna.click("#propose summary")
    anna.fill("#proposal-title", "Fler lampor vid skolan")
    anna.click("#proposal-form button[type=submit]")
    expect(console.locator("#queue-h")).to_have_text("Waiting for approval: 3")
    expect(console.locator("#queue .queued .text")).to_have_text(
        [
            "Busshållplatsen vid skolan är mörk på kvällarna",
            "Vem ansvarar för gatlyktorna?",
            "Fler lampor vid skolan",
        ]
    )
    expect(console.locator("#wall .contribution")).to_have_count(0)  # not on the wall yet
    # Its author sees it marked; nobody else sees it at all.
    own = anna.locator("#wall .contribution", has_text="Busshållplatsen")
    expect(own.locator(".waiting")).to_have_text("väntar på godkännande")
    expect(anna.locator("#proposals .waiting")).to_have_text("väntar på godkännande")
    expect(bo.locator("#wall .contribution .text")).to_have_text(["Vem ansvarar för gatlyktorna?"])
    expect(screen.locator("#wall .contribution")).to_have_count(0)
    expect(screen.locator("#proposals .proposal")).to_have_count(0)
    anna.screenshot(path=str(SCREENSHOTS / "phone-waiting.png"))
    console.screenshot(path=str(SCREENSHOTS / "console-queue.png"))

    # Approve one, hide one with a reason, approve the proposal.
    console.locator("#queue .queued", has_text="Busshållplatsen").locator(
        "button:text('Approve')"
    ).click()
    console.locator("#queue .queued", has_text="gatlyktorna").locator("button:text('Hide')").click()
    console.fill("#queue .hide-form input", "Frågan tas i nästa steg")
    console.click("#queue .hide-form button[type=submit]")
    console.locator("#queue .queued", has_text="Fler lampor").locator(
        "button:text('Approve')"
    ).click()
    expect(console.locator("#queue-h")).to_have_text("Waiting for approval: 0")
    expect(bo.locator("#wall .contribution .text")).to_have_text(
        ["Busshållplatsen vid skolan är mörk på kvällarna"]
    )
    expect(screen.locator("#wall .contribution .text")).to_have_text(
        ["Busshållplatsen vid skolan är mörk på kvällarna"]
    )
    expect(screen.locator("#proposals .proposal")).to_have_count(1)
    expect(own.locator(".waiting")).to_have_count(0)
    expect(console.locator("#wall .hidden-reason")).to_have_text("Hidden: Frågan tas i nästa steg")

    # Switched off with one still waiting: the console says it stays waiting; new ones show.
    write(anna, "Väntar fortfarande")
    expect(console.locator("#queue-h")).to_have_text("Waiting for approval: 1")
    console.uncheck("#premoderation")
    expect(console.locator("#queue .queue-explain")).to_contain_text("stays off the wall")
    write(bo, "Syns direkt")
    expect(screen.locator("#wall .contribution .text")).to_contain_text(["Syns direkt"])
    expect(screen.locator("#wall .contribution", has_text="Väntar fortfarande")).to_have_count(0)
    expect(console.locator("#queue-h")).to_have_text("Waiting for approval: 1")


def test_questions_by_me_too_answered_last_on_console_and_projector(
    server: Server, staff: BrowserContext, phone: Callable[..., Page]
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    console = open_console(staff)
    screen = staff.new_page()
    screen.goto(f"/meetings/{MEETING}/screen")
    # The projector's Questions mode, one click on the console.
    console.click("[data-screen-mode=questions]")
    expect(screen.locator("#projector")).to_have_attribute("data-mode", "questions")
    code = join_code(console)
    anna, bo, cilla = phone(), phone(), phone()
    for page, name in ((anna, "Anna"), (bo, "Bo"), (cilla, "Cilla")):
        join(page, code, name)
    write(anna, "När tänds lamporna i parken?", "question")
    write(bo, "Vem sköter snöröjningen?", "question")
    write(cilla, "Kan bussen gå oftare?", "question")
    write(cilla, "Det är mörkt vid torget")  # not a question: not in the questions view
    me_too(bo, "När tänds")
    me_too(cilla, "När tänds")
    me_too(anna, "Vem sköter")

    console.select_option("#wall-order", "questions")
    most_first = [
        "När tänds lamporna i parken?",
        "Vem sköter snöröjningen?",
        "Kan bussen gå oftare?",
    ]
    expect(console.locator("#wall .contribution .text")).to_have_text(most_first)
    expect(screen.locator("#questions-h")).to_be_visible()
    expect(screen.locator("#wall .contribution .text")).to_have_text(most_first)

    # Answered: last, and said in words.
    console.locator("#wall .contribution", has_text="När tänds").locator(
        "button:text('Mark answered')"
    ).click()
    answered_last = [
        "Vem sköter snöröjningen?",
        "Kan bussen gå oftare?",
        "När tänds lamporna i parken?",
    ]
    expect(console.locator("#wall .contribution .text")).to_have_text(answered_last)
    expect(screen.locator("#wall .contribution .text")).to_have_text(answered_last)
    expect(screen.locator("#wall .contribution").last.locator(".answered-label")).to_have_text(
        "✓ Answered"
    )
    screen.screenshot(path=str(SCREENSHOTS / "screen-questions.png"))
    console.locator("#wall-h").scroll_into_view_if_needed()
    console.screenshot(path=str(SCREENSHOTS / "console-questions.png"))
    # The console's Wall button takes the projector back to the wall of the current step.
    console.click("[data-screen-mode=wall]")
    expect(screen.locator("#questions-h")).to_be_hidden()
    expect(screen.locator("#wall .contribution")).to_have_count(4)
