"""The projector in a busy room and an empty one, at the sizes halls have: it never
scrolls, cuts nothing mid-line, keeps its type large and its contrast at 7:1, and follows
the mode and theme the facilitator picks on the console.

One server and one browser for the module: the busy room (40 residents, 200 contributions,
20 proposals in a vote, a perspectives step of 30 statements they all answered) is written
through the operations before the server starts, not through 200 socket events. Screenshots
of every mode at 1920 × 1080 go to build/screenshots/, and with ``UPDATE_SCREENSHOTS=1`` to
docs/screenshots/ (the README's).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import make_config
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, expect
from processes import DATABASE, app_env, copy_database, free_port

import rooms
from facilitate import create_app
from facilitate.extensions import db
from facilitate.live import operations as live
from facilitate.live import participants
from facilitate.live.views_json import Viewer, ViewerRole
from facilitate.meetings.models import Meeting, PhaseKind, ResultsVisibility
from facilitate.meetings.operations import PhaseSpec, add_phase
from facilitate.perspectives import operations as perspectives_ops
from facilitate.proposals import operations as proposal_ops

from .conftest import Server, logged_in
from .test_accessibility import findings
from .test_whole_story import shoot

BUSY = 1  # the demo's first meeting: filled below
EMPTY = 2  # the second: opened, nothing written
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
SIZES: list[ViewportSize] = [
    {"width": 1280, "height": 720},
    {"width": 1366, "height": 768},
    {"width": 1920, "height": 1080},
    {"width": 1024, "height": 768},
]
FULL_HD: ViewportSize = {"width": 1920, "height": 1080}
MODES = ("join", "question", "wall", "questions", "results", "speaker", "perspectives")

NAMES = ["Anna", "Bo", "Cilla", "Dawit", "Eero", "Fatima", "Göran", "Hodan", "Ida", "Jussi"]
SAID = [
    "Det är mörkt vid busshållplatsen på Fröslundavägen, jag går en omväg på kvällarna.",
    "Buskarna vid gångtunneln skymmer sikten.",
    "Fler bänkar i parken, gärna med ryggstöd för oss äldre som behöver vila en stund.",
    "Ungdomsgården stänger för tidigt på fredagar, då finns ingenstans att vara.",
    "Cykelbanan tar slut mitt i korsningen och bilarna kör fort där.",
    "Bra att ni frågar oss!",
    "Snöröjningen kommer sist till vår gata, och då är det redan halt för barnen.",
    "Mer belysning längs skolvägen.",
]
TITLES = [
    "Belysning längs skolvägen",
    "Fler bänkar i parken",
    "Längre öppettider på fritidsgården",
    "Klipp buskarna vid gångtunneln",
    "Trygg cykelpassage vid korsningen",
    "Snöröjning först vid skolan",
    "Nattvandrare på helgerna",
    "Lekplats för de minsta",
    "Bättre busstider på kvällen",
    "Städdag med grannarna",
    "Övergångsställe vid affären",
    "Fler papperskorgar",
    "Grillplats vid dammen",
    "Mötesplats för äldre",
    "Läxhjälp på biblioteket",
    "Farthinder på Storgatan",
    "Belys gångtunneln",
    "Utegym vid skolan",
    "Sommarjobb för unga",
    "Blommor på torget",
]

#: The perspectives step's statements: long enough that not all of the common ground fits.
STATEMENTS = [
    f"{SAID[n % len(SAID)].rstrip('.!')}, och det måste kommunen ta på allvar i år ({n + 1})"
    for n in range(30)
]


def perspectives_step(busy: Meeting, staff: Viewer, people: list[Any]) -> None:
    """A perspectives step after the first: 30 statements, answered by everyone in two
    camps that agree on the first ten, analysed and stored as the server would."""
    add_phase(busy, PhaseSpec(title="Var står vi?", kind=PhaseKind.perspectives.value))
    live.goto_phase(busy, len(busy.phases) - 1)
    statements = [
        live.add_contribution(busy, staff, None, text, on_behalf=True) for text in STATEMENTS
    ]
    for n, who in enumerate(people):
        camp = 1 if n % 3 else -1
        for k, statement in enumerate(statements):
            # A fixed scatter, so people in a camp differ a little: now and then a pass or
            # the other camp's answer, more often the further down the deck.
            stray = (n * 31 + k * 17) % 11
            value = camp * (1 if k % 2 else -1) if k >= 10 else 1
            value = 0 if stray == 0 else -value if stray < 1 + k // 10 else value
            perspectives_ops.answer_statement(busy, who, statement.id, value)
    answers, ids = perspectives_ops.analysis_input(busy)
    data = perspectives_ops.result_data(perspectives_ops.run(answers, ids), answers, ids)
    perspectives_ops.publish(busy, data, answers)
    live.goto_phase(busy, 0)


def fill(folder: Path) -> None:
    """The busy room, written through the operations as `flask demo` writes the demo: 40
    residents, 200 contributions (two pinned, some questions), a perspectives step, 20
    proposals in an open dots vote with live results, five hands up; and the empty room,
    opened."""
    app = create_app(make_config(folder, DATABASE_URL=f"sqlite:///{folder / DATABASE}"))
    with app.app_context():
        staff = Viewer(meeting_id=BUSY, role=ViewerRole.facilitator, user_id=1)
        busy = db.session.get(Meeting, BUSY)
        assert busy is not None
        busy.voting_results = ResultsVisibility.live
        live.open_meeting(busy)
        people = [
            participants.join(busy, display_name=f"{NAMES[n % 10]} {n // 10 + 1}")[0]
            for n in range(40)
        ]
        made = []
        for n in range(200):
            who = people[n % 40]
            viewer = Viewer(meeting_id=BUSY, role=ViewerRole.participant, participant_id=who.id)
            kind = "question" if n % 9 == 0 else "idea" if n % 4 == 0 else None
            text = SAID[n % len(SAID)].rstrip(".!") + ("?" if kind else ".") + f" ({n + 1})"
            made.append(live.add_contribution(busy, viewer, who, text, kind))
        for c in made[:2]:
            live.pin_contribution(busy, c.id)
        for n, c in enumerate(made[-60:]):  # "me too" on the newest, some more than others
            for who in people[: (n * 7) % 12]:
                viewer = Viewer(meeting_id=BUSY, role=ViewerRole.participant, participant_id=who.id)
                live.set_reaction(busy, viewer, who, c.id, True)
        perspectives_step(busy, staff, people)
        for title in TITLES:
            proposal_ops.add_proposal(busy, staff, None, title)
        ballot = proposal_ops.open_voting(busy)
        for n, who in enumerate(people):  # three dots each, spread unevenly
            for proposal_id in {ballot[(n * n + k * 7) % len(ballot)] for k in range(3)}:
                proposal_ops.vote(who.id, proposal_id, 1)
        for who in people[:5]:
            live.raise_hand(busy, who)
        empty = db.session.get(Meeting, EMPTY)
        assert empty is not None
        live.open_meeting(empty)
        db.session.commit()
    rooms.stop(app)
    with app.app_context():
        db.engine.dispose()


#: What must hold in every mode at every size, read in one script run: no scrolling, and
#: every visible piece of text whole inside the box that clips it and the viewport.
MEASURE = """() => {
  const out = {scroll: document.scrollingElement.scrollHeight, inner: innerHeight, problems: []};
  const clipping = (e) => {
    for (let p = e.parentElement; p; p = p.parentElement) {
      const s = getComputedStyle(p);
      if (s.overflow !== 'visible' || s.overflowY !== 'visible') return p;
    }
    return document.documentElement;
  };
  const selector = '#projector :is(p, h1, h2, li)';
  for (const e of document.querySelectorAll(selector)) {
    if (!e.checkVisibility() || !e.textContent.trim()) continue;
    const r = e.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    const box = clipping(e).getBoundingClientRect();
    const bottom = Math.min(box.bottom, innerHeight);
    const right = Math.min(box.right, innerWidth);
    const left = Math.max(box.left, 0);
    if (r.bottom > bottom + 1 || r.right > right + 1 || r.left < left - 1 || r.top < -1) {
      const where = `[${Math.round(r.top)}, ${Math.round(r.bottom)}] in ${Math.round(bottom)}`;
      const what = `${e.tagName}#${e.id}.${e.className}`;
      out.problems.push(`${what} ${where}: ${e.textContent.slice(0, 40)}`);
    }
  }
  return out;
}"""

#: The contrast of every visible piece of text against the ground it sits on.
CONTRAST = """() => {
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const channel = (v) => {
    v /= 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  const lum = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  const ground = (e) => {
    for (let p = e; p; p = p.parentElement) {
      const c = rgb(getComputedStyle(p).backgroundColor);
      if (c.length === 3 || c[3] > 0) return c;
    }
    return [255, 255, 255];
  };
  const worst = [];
  const root = document.querySelector('#projector');
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const e = walker.currentNode.parentElement;
    if (!walker.currentNode.textContent.trim() || !e.checkVisibility()) continue;
    if (e.closest('.visually-hidden')) continue;
    const a = lum(rgb(getComputedStyle(e).color)), b = lum(ground(e));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < 7) worst.push(`${e.className} ${ratio.toFixed(2)}: ${e.textContent.slice(0, 30)}`);
  }
  return worst;
}"""

SMALLEST = """(selector) => Math.min(...[...document.querySelectorAll(selector)]
  .filter((e) => e.checkVisibility()).map((e) => parseFloat(getComputedStyle(e).fontSize)))"""


@pytest.fixture(scope="module")
def projector_server(
    tmp_path_factory: pytest.TempPathFactory, demo_database: Path
) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("projector")
    port = free_port()
    env = app_env(folder, PORT=str(port), HOST="127.0.0.1", SECRET_KEY="browser-tests")
    copy_database(demo_database, folder)
    fill(folder)
    box = Server(f"http://127.0.0.1:{port}", env, folder / "server.log")
    box.start()
    try:
        yield box
    finally:
        box.stop()


@pytest.fixture(scope="module")
def laptop(browser: Browser, projector_server: Server) -> Iterator[BrowserContext]:
    context = logged_in(browser, projector_server, "demo@facilitate.local")
    yield context
    context.close()


@pytest.fixture(scope="module")
def console(laptop: BrowserContext) -> Page:
    page = laptop.new_page()
    page.goto(f"/meetings/{BUSY}/console")
    expect(page.locator("#conn")).to_have_attribute("data-state", "online")
    return page


@pytest.fixture(scope="module")
def screens(laptop: BrowserContext) -> dict[int, Page]:
    opened = {}
    for meeting in (BUSY, EMPTY):
        page = laptop.new_page()
        page.goto(f"/meetings/{meeting}/screen")
        expect(page.locator("#conn")).to_have_attribute("data-state", "online")
        opened[meeting] = page
    return opened


def switch(console: Page, mode: str, *screens: Page) -> None:
    """A click on the console's button, and every projector shows it."""
    console.click(f"[data-screen-mode={mode}]")
    expect(console.locator(f"[data-screen-mode={mode}]")).to_have_attribute("aria-pressed", "true")
    for screen in screens:
        expect(screen.locator("#projector")).to_have_attribute("data-mode", mode)


def set_mode(page: Page, meeting: int, mode: str) -> None:
    """The empty room's projector, switched through its own meeting's console."""
    page.evaluate(
        """async ([meeting, mode]) => {
          const s = io('/live', {auth: {meeting_id: meeting}});
          const write = {client_id: 'mode-' + mode, mode};
          await new Promise((ok) => s.emit('screen_set', write, ok));
          s.close();
        }""",
        [meeting, mode],
    )
    expect(page.locator("#projector")).to_have_attribute("data-mode", mode)


def fitted(page: Page, size: ViewportSize) -> None:
    page.set_viewport_size(size)
    mode = page.locator("#projector").get_attribute("data-mode")
    expect(page.locator("#projector")).to_have_attribute(
        "data-fitted", f"{mode} {size['width']}x{size['height']}"
    )


def check_fits(page: Page, where: str) -> dict[str, Any]:
    seen: dict[str, Any] = page.evaluate(MEASURE)
    assert seen["scroll"] <= seen["inner"], (where, seen)
    assert seen["problems"] == [], where
    return seen


#: The chart's rows by rank (their CSS order), and whether each is on the page shown.
RANKED_ROWS = """() => [...document.querySelectorAll('#proposals .chart-row')]
  .sort((a, b) => Number(a.style.order) - Number(b.style.order))
  .map((r) => r.checkVisibility())"""


def first_page_of_results(page: Page, where: str) -> None:
    """The busy vote's 20 rows do not fit at once: the first page shows the top ranks, as
    many as it says, and no more."""
    shown = page.evaluate(RANKED_ROWS)
    count = sum(shown)
    assert 2 <= count < 20, where
    assert shown == [True] * count + [False] * (20 - count), where
    expect(page.locator("#results-page")).to_have_text(f"Proposals 1–{count} of 20")


def test_every_mode_fits_every_size_busy_and_empty(console: Page, screens: dict[int, Page]) -> None:
    busy, empty = screens[BUSY], screens[EMPTY]
    for mode in MODES:
        switch(console, mode, busy)
        set_mode(empty, EMPTY, mode)
        for size in SIZES:
            for meeting, page in screens.items():
                fitted(page, size)
                check_fits(page, f"{mode} {size} meeting {meeting}")
            if mode == "results":
                first_page_of_results(busy, f"{size}")
    # What the busy wall left out is counted, not cut.
    switch(console, "wall", busy)
    fitted(busy, FULL_HD)
    shown = busy.locator("#wall > li:not([hidden])").count()
    assert 3 <= shown < 200
    expect(busy.locator("#wall-more")).to_have_text(f"+ {200 - shown} more")
    # Pinned first, then the newest.
    expect(busy.locator("#wall > li").first).to_have_class("contribution pinned")
    assert "(200)" in busy.locator("#wall > li:not(.pinned)").first.inner_text()


#: Whether two elements' boxes overlap on the page.
OVERLAP = """([a, b]) => {
  const r = document.querySelector(a).getBoundingClientRect();
  const s = document.querySelector(b).getBoundingClientRect();
  return r.left < s.right && s.left < r.right && r.top < s.bottom && s.top < r.bottom;
}"""


def test_offline_notice_covers_neither_the_step_nor_the_join_code(
    browser: Browser, projector_server: Server, console: Page
) -> None:
    """A Wi-Fi blip says so in the foot's corner, over the online count it makes stale,
    not over the step and its timer at the head, nor over how to join."""
    switch(console, "wall")
    context = logged_in(browser, projector_server, "demo@facilitate.local")
    try:
        page = context.new_page()
        page.goto(f"/meetings/{BUSY}/screen")
        expect(page.locator("#conn")).to_have_attribute("data-state", "online")
        for size in (FULL_HD, {"width": 1024, "height": 768}):
            fitted(page, size)
            context.set_offline(True)
            expect(page.locator("#conn")).to_have_attribute("data-state", "offline")
            expect(page.locator("#conn")).to_be_visible()
            expect(page.locator("#presence")).to_be_hidden()
            for other in (".pj-phase", ".pj-join .join-box"):
                assert not page.evaluate(OVERLAP, ["#conn", other]), (size, other)
            context.set_offline(False)
            expect(page.locator("#conn")).to_have_attribute("data-state", "online")
            expect(page.locator("#presence")).to_be_visible()
    finally:
        context.close()


def test_type_is_large_at_full_hd(console: Page, screens: dict[int, Page]) -> None:
    busy = screens[BUSY]
    busy.set_viewport_size(FULL_HD)
    switch(console, "wall", busy)
    fitted(busy, FULL_HD)
    assert busy.evaluate(SMALLEST, "#wall .contribution .text") >= 32
    assert busy.evaluate(SMALLEST, "#phase-prompt") >= 48
    switch(console, "question", busy)
    fitted(busy, FULL_HD)
    assert busy.evaluate(SMALLEST, "#phase-prompt") >= 48
    switch(console, "results", busy)
    fitted(busy, FULL_HD)
    row = "#proposals .chart-row"
    assert busy.evaluate(SMALLEST, f"{row} :is(.chart-title, .chart-num, .chart-text)") >= 32
    switch(console, "perspectives", busy)
    fitted(busy, FULL_HD)
    assert busy.evaluate(SMALLEST, "#perspectives-screen :is(.common-text, .common-share)") >= 32
    assert busy.evaluate(SMALLEST, "#perspectives-screen .perspectives-legend li") >= 24


def test_each_mode_shows_its_content_live_light_and_dark(
    console: Page, screens: dict[int, Page]
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    busy = screens[BUSY]
    busy.set_viewport_size(FULL_HD)
    switch(console, "join", busy)
    expect(busy.locator(".pj-join .qr")).to_be_visible()
    expect(busy.locator(".pj-join .join-code-big")).to_be_visible()
    assert busy.locator(".pj-join .qr").bounding_box()["height"] >= 500  # type: ignore[index]
    switch(console, "question", busy)
    expect(busy.locator("#phase-prompt")).to_be_visible()
    expect(busy.locator("#wall")).to_be_hidden()
    switch(console, "wall", busy)
    expect(busy.locator("#wall > li").first).to_be_visible()
    switch(console, "questions", busy)
    expect(busy.locator("#questions-h")).to_be_visible()
    texts = busy.locator("#wall > li:not([hidden]) .text").all_inner_texts()
    assert texts
    assert all(text.endswith(")") and "?" in text for text in texts), texts
    # The results are the chart, a page of its rows at a time; the list beside it would
    # only repeat the titles.
    switch(console, "results", busy)
    expect(busy.locator("#proposals .chart-row .chart-num").first).to_be_visible()
    expect(busy.locator("#proposals .chart-row")).to_have_count(20)
    expect(busy.locator("#proposals .proposals")).to_be_hidden()
    expect(busy.locator("#results-page")).to_contain_text("of 20")
    switch(console, "speaker", busy)
    expect(busy.locator("#speaker")).to_have_text("Nobody has the word yet.")
    expect(busy.locator("#hands li")).to_have_count(5)
    console.locator("#hands li").first.locator("button", has_text="Give the word").click()
    expect(busy.locator("#speaker")).to_have_text("Anna 1")
    expect(busy.locator("#hands li")).to_have_count(4)
    expect(console.locator("#console-speaker-name")).to_contain_text("Anna 1")
    # The anonymous map of all 40 beside the common ground, whole, though another step is on.
    switch(console, "perspectives", busy)
    fitted(busy, FULL_HD)
    expect(busy.locator("#perspectives-screen .perspectives-svg")).to_have_attribute(
        "aria-label", "Map of 40 people placed by how they answered"
    )
    # A mark per resident, on the map's ground.
    expect(busy.locator("#perspectives-screen .perspectives-svg > *")).to_have_count(1 + 40)
    common = busy.locator("#perspectives-screen .common-big > li:not([hidden]) .common-text")
    expect(common.first).to_be_visible()
    assert set(common.all_inner_texts()) <= set(STATEMENTS[:10])
    map_box = busy.locator("#perspectives-screen .perspectives-svg").bounding_box()
    assert map_box is not None
    assert map_box["height"] >= 500
    shoot(busy, "projector-perspectives", SCREENSHOTS)

    # What was just said comes in on top, after the pinned; it fades in, unless the
    # projector's system asks for less motion.
    switch(console, "wall", busy)
    console.fill("#write-text", "Sagt vid bord 3: fler lampor i parken.")
    console.click("#write button[type=submit]")
    expect(busy.locator("#wall > li:not(.pinned) .text").first).to_have_text(
        "Sagt vid bord 3: fler lampor i parken."
    )
    probe = """() => { const e = document.createElement('li'); e.className = 'contribution arrived';
      document.querySelector('#wall').prepend(e); const name = getComputedStyle(e).animationName;
      e.remove(); return name; }"""
    for motion, animation in (("reduce", "none"), ("no-preference", "pj-arrive")):
        busy.emulate_media(reduced_motion=motion)
        assert busy.evaluate(probe) == animation, motion

    # Each mode: 7:1 in both themes, axe's findings (structure, names, ARIA) in one. Without
    # motion: a results page that turns during the check fades in, and axe would measure the
    # contrast of a half-faded row (tested above, the fade is the only motion).
    busy.emulate_media(reduced_motion="reduce")
    for theme in ("light", "dark"):
        if theme == "dark":
            console.click("[data-screen-theme]")
            expect(console.locator("[data-screen-theme]")).to_have_attribute("aria-pressed", "true")
            expect(busy.locator("#projector")).to_have_attribute("data-theme", "dark")
        for mode in MODES if theme == "light" else ("results", "wall", "perspectives", "speaker"):
            switch(console, mode, busy)
            fitted(busy, FULL_HD)
            assert busy.evaluate(CONTRAST) == [], (theme, mode)
            if theme == "light":
                assert findings(busy) == [], mode
            if (theme == "light" and mode != "perspectives") or mode == "wall":
                shoot(busy, f"projector-{mode}-{theme}", SCREENSHOTS)
    console.locator(".screen-modes").scroll_into_view_if_needed()
    console.screenshot(path=str(SCREENSHOTS / "console-projector-modes.png"))
    # A reloaded projector keeps the mode and the theme.
    busy.reload()
    expect(busy.locator("#projector")).to_have_attribute("data-theme", "dark")
    expect(busy.locator("#projector")).to_have_attribute("data-mode", "speaker")
    # Who has the word is the room's state, not the projector's memory: it survives the
    # reload, until the facilitator ends the speech.
    expect(busy.locator("#speaker")).to_have_text("Anna 1")
    console.click("#speaker-clear")
    expect(busy.locator("#speaker")).to_have_text("Nobody has the word yet.")
    expect(console.locator("#console-speaker")).to_be_hidden()
    console.click("[data-screen-theme]")
    expect(busy.locator("#projector")).to_have_attribute("data-theme", "light")
