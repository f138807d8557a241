"""A whole meeting in real browsers: console, projector and phones, live on every screen."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Browser, BrowserContext, Page, expect

from .conftest import NARROW, Server

MEETING = 1  # the demo's first meeting, a draft with the 90-minute in-depth agenda


def open_console(staff: BrowserContext, opened: str = "Open") -> Page:
    """The console of ``MEETING``, the meeting opened (``opened``: its status in the
    console's language)."""
    console = staff.new_page()
    console.goto(f"/meetings/{MEETING}/console")
    expect(console.locator("#conn")).to_have_attribute("data-state", "online")
    console.click("#meeting-open")
    expect(console.locator("#status")).to_have_text(opened)
    return console


def join_code(console: Page) -> str:
    return console.locator(".join-code-big").inner_text().replace(" ", "")


def join(phone: Page, code: str, name: str) -> None:
    """The resident's way in: the start page, the code as read off the wall, the form."""
    phone.goto("/join")
    phone.fill("#code", f"{code[:4].lower()} {code[4:]}")
    phone.click("button[type=submit]")
    phone.fill("#display_name", name)
    phone.select_option("#area", "Fröslunda")
    phone.click("button[type=submit]")
    phone.wait_for_url(f"**/m/{MEETING}")
    expect(phone.locator("#conn")).to_have_attribute("data-state", "online")


def test_meeting_live_on_console_projector_and_phones(
    server: Server, staff: BrowserContext, phone: Callable[..., Page]
) -> None:
    console = open_console(staff)
    screen = staff.new_page()
    screen.goto(f"/meetings/{MEETING}/screen")
    code = join_code(console)
    anna, bo = phone(viewport=NARROW), phone("en-GB")
    join(anna, code, "Anna")
    join(bo, code, "Bo")

    # The first phase's prompt on every phone, in each phone's language.
    expect(anna.locator("#phase h2")).to_have_text("Välkomna och incheckning")
    expect(bo.locator(".phase-step")).to_have_text("Step 1 of 6")
    expect(console.locator("#presence")).to_contain_text("2 online of 2 joined")

    # A contribution reaches the other phone, the projector and the console.
    anna.fill("#write-text", "Mörkt vid busshållplatsen")
    anna.click("#write button[type=submit]")
    for page in (bo, screen, console):
        expect(page.locator("#wall .contribution .text")).to_have_text(
            ["Mörkt vid busshållplatsen"]
        )
    bo.click("#wall .metoo")
    expect(bo.locator("#wall .metoo")).to_have_attribute("aria-pressed", "true")
    expect(anna.locator("#wall .metoo-count")).to_contain_text("1")

    # Moderation: hidden leaves the phones and the projector, stays on the console.
    console.click("#wall .contribution button:text('Hide')")
    console.fill("#wall .hide-form input", "Test av moderering")
    console.click("#wall .hide-form button[type=submit]")
    expect(bo.locator("#wall .contribution")).to_have_count(0)
    expect(screen.locator("#wall .contribution")).to_have_count(0)
    expect(console.locator("#wall .hidden-reason")).to_have_text("Hidden: Test av moderering")

    # Phases and the timer: every phone follows; the projector counts down large.
    console.click("#agenda li:nth-child(2) button")
    expect(anna.locator(".phase-step")).to_have_text("Steg 2 av 6")
    console.fill("#timer-minutes", "2")
    console.click("#timer-form button[type=submit]")
    expect(screen.locator(".timer-big")).to_contain_text(":")
    expect(anna.locator("#phase .timer")).to_contain_text("1:5")

    # Hands: queued on the console and the projector; giving the word tells that phone.
    bo.click("#hand")
    expect(bo.locator("#hand")).to_have_attribute("aria-pressed", "true")
    expect(screen.locator("#hands li")).to_have_text(["Bo"])
    console.click("#hands button")
    expect(bo.locator("#given")).to_be_visible()
    expect(anna.locator("#given")).to_be_hidden()

    # The phone is usable at 320 px: nothing wider than the screen.
    width = anna.evaluate("document.documentElement.scrollWidth")
    assert width <= NARROW["width"]


def test_phone_offline_writes_survive_server_restart(
    server: Server, staff: BrowserContext, phone: Callable[..., Page]
) -> None:
    console = open_console(staff)
    anna = phone()
    join(anna, join_code(console), "Anna")
    anna.fill("#write-text", "Skrivet före omstarten")
    anna.click("#write button[type=submit]")
    expect(console.locator("#wall .contribution .text")).to_have_text(["Skrivet före omstarten"])
    # Its acknowledgement is in, so the phone's outbox is empty (the room hears of a write
    # before its writer does: stopped any earlier, the phone would resend it, applied once).
    expect(anna.locator("#conn")).not_to_contain_text("väntar")

    # The server goes away mid-meeting; the phone keeps what is written meanwhile.
    server.stop()
    expect(anna.locator("#conn")).to_have_attribute("data-state", "offline")
    anna.fill("#write-text", "Skrivet utan nät")
    anna.click("#write button[type=submit]")
    expect(anna.locator("#conn")).to_contain_text("1 väntar på att skickas")

    # Back on the same database: both reconnect by themselves; nothing was lost.
    server.start()
    expect(anna.locator("#conn")).to_have_attribute("data-state", "online", timeout=30_000)
    expect(console.locator("#wall .contribution .text")).to_have_text(
        ["Skrivet före omstarten", "Skrivet utan nät"], timeout=30_000
    )
    expect(anna.locator("#conn")).not_to_contain_text("väntar")
    anna.reload()
    # The phone's wall shows the newest first.
    expect(anna.locator("#wall .contribution .text")).to_have_text(
        ["Skrivet utan nät", "Skrivet före omstarten"]
    )


def test_groups_notes_and_own_edits(
    server: Server, staff: BrowserContext, phone: Callable[..., Page]
) -> None:
    console = open_console(staff)
    screen = staff.new_page()
    screen.goto(f"/meetings/{MEETING}/screen")
    notes = staff.new_page()
    notes.goto(f"/meetings/{MEETING}/notes")
    code = join_code(console)
    anna, bo = phone(), phone()
    join(anna, code, "Anna")
    join(bo, code, "Bo")

    # Own contributions: edited while the phase is current, deleted with a second tap.
    anna.fill("#write-text", "Första tanken")
    anna.click("#write button[type=submit]")
    anna.click("#wall .contribution button:text('Redigera')")
    anna.fill("#wall .edit-form textarea", "Bättre formulerat")
    anna.click("#wall .edit-form button[type=submit]")
    expect(bo.locator("#wall .text")).to_have_text(["Bättre formulerat"])
    delete = anna.locator("#wall .contribution button.danger")
    delete.click()
    expect(delete).to_have_text("Ta bort på riktigt?")
    delete.click()
    expect(bo.locator("#wall .contribution")).to_have_count(0)

    # The note-taker types in for someone without a phone.
    notes.fill("#write-text", "Sagt av en äldre man vid bordet")
    notes.check("input[name=kind][value=cause]")
    notes.press("#write-text", "Control+Enter")
    expect(notes.locator("#sent li")).to_contain_text("Sent")
    expect(anna.locator("#wall .meta")).to_contain_text("inskrivet av antecknare")

    # Breakout groups: each phone sees its own group's wall, the projector all side by side.
    console.fill("#groups-count", "2")
    console.click("#groups-form button[type=submit]")
    expect(anna.locator("#group")).to_contain_text("Du är i grupp")
    expect(screen.locator("#groups .group-column")).to_have_count(3)  # two groups + outside
    anna.fill("#write-text", "Från Annas grupp")
    anna.click("#write button[type=submit]")
    bo.fill("#write-text", "Från Bos grupp")
    bo.click("#write button[type=submit]")
    expect(screen.locator("#groups .group-column .text")).to_have_count(3)
    anna_group = anna.locator("#group").inner_text()
    bo_group = bo.locator("#group").inner_text()
    mine = ["Sagt av en äldre man vid bordet", "Från Annas grupp"]
    if anna_group == bo_group:
        mine.append("Från Bos grupp")
    expect(anna.locator("#wall .text")).to_have_text(mine[::-1])  # the newest first
    console.click("#groups-end")
    expect(anna.locator("#group")).to_be_hidden()
    expect(bo.locator("#wall .text")).to_have_count(3)


def test_phone_first_screen_without_script(
    server: Server, staff: BrowserContext, browser: Browser
) -> None:
    console = open_console(staff)
    code = join_code(console)
    context = browser.new_context(
        base_url=server.url, java_script_enabled=False, viewport={"width": 320, "height": 640}
    )
    try:
        page = context.new_page()
        page.goto(f"/j/{code}")
        page.click("button[type=submit]")
        page.wait_for_url(f"**/m/{MEETING}")
        # Rendered by the server: the current phase is there before any script, its title
        # in the browser's language (English here) as the template brought it.
        expect(page.locator("#phase h2")).to_have_text("Welcome and check-in")
        expect(page.locator("#write-text")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
    finally:
        context.close()


def test_proposals_vote_and_decision(
    server: Server, staff: BrowserContext, phone: Callable[..., Page]
) -> None:
    console = open_console(staff)
    screen = staff.new_page()
    screen.goto(f"/meetings/{MEETING}/screen")
    anna, bo = phone(), phone()
    code = join_code(console)
    join(anna, code, "Anna")
    join(bo, code, "Bo")

    anna.click("#propose summary")
    anna.fill("#proposal-title", "Bättre belysning i parken")
    anna.click("#proposal-form button[type=submit]")
    console.fill("#proposal-title", "Fler bänkar vid torget")
    console.click("#proposal-form button[type=submit]")
    expect(bo.locator(".proposal .text")).to_have_text(
        ["Bättre belysning i parken", "Fler bänkar vid torget"]
    )

    # The demo meeting votes with three dots each; results stay hidden until close.
    console.click("#voting-open")
    expect(anna.locator(".voting-open")).to_have_text("Omröstningen är öppen")
    plus = anna.locator(".proposal").first.locator("button[aria-label='En prick till']")
    given = anna.locator(".proposal").first.locator(".dots-given")
    expect(given).to_have_text("0 prickar")
    plus.click()
    expect(anna.locator(".dots-left")).to_have_text("Prickar kvar: 2")
    expect(given).to_have_text("1 prick")  # the count's plural form, from the browser's rules
    plus.click()
    expect(anna.locator(".dots-left")).to_have_text("Prickar kvar: 1")
    expect(given).to_have_text("2 prickar")
    bo.locator(".proposal").nth(1).locator("button[aria-label='En prick till']").click()
    expect(console.locator(".proposal .counts").first).to_have_text("Dots 2 · Voters 1")
    # A show of hands at a table, typed in by the note-taker, counts apart and in the total.
    notes = staff.new_page()
    notes.goto(f"/meetings/{MEETING}/notes")
    paper = notes.locator(".proposal").first.locator(".paper-form")
    paper.locator("input[name=dots]").fill("4")
    # A vote meanwhile redraws the proposals: what the note-taker typed stays, focused.
    bo.locator(".proposal").nth(1).locator("button[aria-label='En prick till']").click()
    expect(notes.locator(".proposal .counts").nth(1)).to_have_text("Dots 2 · Voters 1")
    expect(paper.locator("input[name=dots]")).to_have_value("4")
    expect(paper.locator("input[name=dots]")).to_be_focused()
    paper.locator("input[name=voters]").fill("2")
    # On the console the same form waits behind a summary (a long ballot's cards stay
    # short); opened, it stays open while the tallies redraw the list.
    folded = console.locator(".proposal").first.locator("details.paper")
    expect(folded.locator("input[name=dots]")).to_be_hidden()
    folded.locator("summary").click()
    expect(folded.locator("input[name=dots]")).to_be_visible()
    paper.locator("button[type=submit]").click()
    expect(console.locator(".proposal .counts").first).to_have_text(
        "Dots 6 · Voters 3 · of which 2 on paper"
    )
    expect(folded.locator("input[name=dots]")).to_be_visible()
    # Hidden until close: the projector, showing the results, says when the result comes
    # and shows no count.
    console.click("[data-screen-mode=results]")
    expect(screen.locator("#proposals .chart-wait")).to_be_visible()
    expect(screen.locator("#proposals .chart-row")).to_have_count(0)

    console.click("#voting-close")
    lights = screen.locator(".chart-row", has_text="Bättre belysning i parken")
    expect(lights.locator(".chart-num")).to_have_text("6")
    benches = bo.locator(".chart-row", has_text="Fler bänkar vid torget")
    expect(benches.locator(".chart-text")).to_have_text("Prickar 2 · Röstande 1")
    # The console's chart folds away (a long ballot's chart stood before the cards to
    # decide on), and stays folded while a decision redraws it.
    fold = console.locator("#proposals details.chart-fold")
    expect(fold.locator(".chart-row")).to_have_count(2)
    expect(fold.locator(".chart-row").first).to_be_visible()
    fold.locator("summary").click()
    expect(fold.locator(".chart-row").first).to_be_hidden()
    agreed = console.locator(".proposal").first.get_by_role("button", name="Agreed", exact=True)
    agreed.click()
    expect(agreed).to_have_attribute("aria-pressed", "true")
    expect(fold.locator(".chart-decision").first).to_have_text("Agreed")
    expect(fold).not_to_have_attribute("open", "")
    expect(fold.locator(".chart-row").first).to_be_hidden()
    # Not only its colour: a chosen button shows a mark too.
    assert "✓" in agreed.evaluate("e => getComputedStyle(e, '::before').content")
    expect(anna.locator(".proposal .status").first).to_have_text("Beslutat")


#: The phone's first write gets no answer in time: it gives up waiting at once, though
#: the server applies it and answers (a lost or very late acknowledgement).
FIRST_ANSWER_TOO_LATE = """
(() => {
  let io;
  Object.defineProperty(window, "io", {
    configurable: true,
    get: () => io,
    set(value) {
      io = value;
      const timeout = value.Socket.prototype.timeout;
      let first = true;
      value.Socket.prototype.timeout = function (ms) {
        const wait = first ? 0 : ms;
        first = false;
        return timeout.call(this, wait);
      };
    },
  });
})();
"""


def test_vote_whose_answer_came_too_late_is_asked_again_and_shown(
    server: Server, staff: BrowserContext, phone: Callable[..., Page]
) -> None:
    """A vote's own event comes in its answer. When that answer is lost, the phone asks
    again with the same client_id while connected; the retry changes nothing and tells the
    phone its vote as it stands, so the phone shows it without a reconnect."""
    console = open_console(staff)
    anna = phone()
    anna.add_init_script(FIRST_ANSWER_TOO_LATE)
    join(anna, join_code(console), "Anna")
    console.fill("#proposal-title", "Fler bänkar vid torget")
    console.click("#proposal-form button[type=submit]")
    console.click("#voting-open")
    expect(anna.locator(".dots-left")).to_have_text("Prickar kvar: 3")
    anna.locator(".proposal").first.locator("button[aria-label='En prick till']").click()
    expect(anna.locator("#conn")).to_contain_text("1 väntar på att skickas")
    expect(anna.locator(".dots-left")).to_have_text("Prickar kvar: 2", timeout=10_000)
    expect(anna.locator("#conn")).to_have_text("Ansluten")
    # Applied once: the console's count.
    expect(console.locator(".proposal .counts").first).to_contain_text("1")
    anna.reload()
    expect(anna.locator(".dots-left")).to_have_text("Prickar kvar: 2")
