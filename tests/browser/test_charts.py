"""Results as pictures: every voting method drawn as a chart from the live tally.

One server and one browser for the module. Four meetings of 20 proposals each, one per
voting method, are set up through the operations before the server starts, with votes
from eight residents: approval (results live, the vote open), agree (live, closed),
dots (hidden, open: the test closes it) and consent (hidden, closed, two decisions). The
expected numbers are the tally recounted from the database, not figures written here.
Each meeting's projector is switched to its Results mode, as the facilitator does, and
pages through the chart's rows; the tests turn its pages with Playwright's clock.
Screenshots go to build/screenshots (phone 360 × 740, laptop 1366 × 768, projector
1920 × 1080).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
import requests
from phones import Phone
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, expect
from processes import DATABASE, app_env, copy_database, free_port

import rooms
from facilitate import create_app, demo
from facilitate.actions import operations as action_ops
from facilitate.auth import operations as auth_ops
from facilitate.auth.models import User
from facilitate.db import session
from facilitate.extensions import db
from facilitate.live import operations as live_ops
from facilitate.live import participants
from facilitate.live.views_json import Viewer, ViewerRole
from facilitate.meetings import operations as meeting_ops
from facilitate.proposals import operations as proposal_ops

from .conftest import LAPTOP, PHONE, TIMEOUT_MS, Server, logged_in
from .test_accessibility import findings

SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
PROJECTOR: ViewportSize = {"width": 1920, "height": 1080}
PROPOSALS = 20
PAGE_MS = 12_000  # how long the projector shows a page of results (screen.js)
VOTERS = 8
METHODS = ("approval", "agree", "dots", "consent")
#: Per method: results shown live or at the close, and whether the test starts it closed.
SETUP = {
    "approval": ("live", False),
    "agree": ("live", True),
    "dots": ("hidden", False),
    "consent": ("hidden", True),
}
#: The numbers each row carries, in the order the chart shows them.
NUMBERS = {
    "approval": ["yes", "no"],
    "agree": ["agree", "pass", "disagree"],
    "dots": ["dots"],
    "consent": ["0", "1", "2", "3", "4", "5"],
}
#: The accessible table's columns after the proposal's name (the decision last).
COLUMNS = {
    "approval": ["yes", "no"],
    "agree": ["agree", "pass", "disagree"],
    "dots": ["dots", "voters"],
    "consent": ["0", "1", "2", "3", "4", "5", "blocks"],
}

# The chart's rows in the order they are drawn (each row's CSS order), read in one go.
ROWS = """() => Array.from(document.querySelectorAll('#proposals .chart-row'))
  .map(r => ({id: r.dataset.id, order: Number(r.style.order), top: r.getBoundingClientRect().top,
    shown: r.getClientRects().length > 0,
    title: r.querySelector('.chart-title').textContent,
    numbers: Array.from(r.querySelectorAll('.chart-num')).map(n => n.textContent),
    decision: (d => d.hidden ? '' : d.textContent)(r.querySelector('.chart-decision'))}))
  .sort((a, b) => a.order - b.order)"""
# The lowest contrast of any text drawn in the chart's box, against what is behind it.
LOWEST_CONTRAST = """() => {
  const lum = c => c.match(/[\\d.]+/g).slice(0, 3).map(Number).map(v => v / 255)
    .map(v => v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4))
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const behind = e => {
    for (; e; e = e.parentElement) {
      const c = getComputedStyle(e).backgroundColor;
      if (c !== "rgba(0, 0, 0, 0)") return c;
    }
    return "rgb(255, 255, 255)";
  };
  const ratios = Array.from(document.querySelectorAll("#proposals .chart-box *"))
    .filter(e => e.getClientRects().length && !e.closest(".visually-hidden"))
    .filter(e => Array.from(e.childNodes).some(n => n.nodeType === 3 && n.textContent.trim()))
    .map(e => [lum(getComputedStyle(e).color), lum(behind(e))])
    .map(([a, b]) => (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05));
  return ratios.length ? Math.min(...ratios) : null;
}"""
WATCH_DRAWINGS = """() => {
  window.chartDrawings = [];
  const box = document.querySelector("#proposals .chart").parentElement;
  box.addEventListener("chart-drawing", () => window.chartDrawings.push(performance.now()));
}"""
TABLE = """() => Array.from(document.querySelectorAll('#proposals .chart-table tbody tr'))
  .map(tr => Array.from(tr.children).map(c => c.textContent))"""


@dataclass
class Room:
    meeting_id: int
    join_code: str
    token: str  # a resident who voted, for a phone's cookie
    titles: dict[str, str]  # proposal id -> title


def value(method: str, voter: int, n: int) -> int | None:
    """A varied ballot: who votes what on proposal ``n`` (None: no vote on it)."""
    spread = (voter * 7 + n * 5 + n * n) % 11
    if method == "approval":
        return None if spread > 8 else int(spread < 6 - n % 4)
    if method == "agree":
        return None if spread > 9 else (1, 1, -1, 0)[(spread + n) % 4] if n % 3 else -1
    if method == "dots":
        picks = [(voter * 2) % 7, (voter * 3 + 1) % 11, voter % 5]  # three dots each
        return picks.count(n) or None
    if spread > 9:
        return None
    return 2 + (spread + n) % 4 if n % 4 == 0 else (spread + n) % 6  # every fourth: no blocks


@dataclass
class Charts:
    server: Server
    rooms: dict[str, Room]
    staff_token: str  # for a Socket.IO connection that reads the staff's tally


def set_up(folder: Path) -> tuple[dict[str, Room], str]:
    """The four meetings, through the operations, in the database the server will serve;
    and a facilitator's API token."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "browser-tests",
            "DATABASE_URL": f"sqlite:///{folder / DATABASE}",
            "INSTANCE_PATH": str(folder),
            "ASYNC_MODE": "threading",
        }
    )
    made: dict[str, Room] = {}
    token = ""
    try:
        with app.test_request_context():
            theme = meeting_ops.get_meeting(1).theme
            user = session().query(User).filter_by(email=demo.FACILITATOR_EMAIL).one()
            for method in METHODS:
                results, closed = SETUP[method]
                meeting = meeting_ops.create_meeting(
                    theme,
                    f"Omröstning med {method}",
                    voting=meeting_ops.VotingSpec(method=method, results=results),
                )
                live_ops.open_meeting(meeting)
                staff = Viewer(meeting.id, ViewerRole.facilitator, user_id=user.id)
                proposals = [
                    proposal_ops.add_proposal(meeting, staff, None, f"Förslag {n + 1} om {method}")
                    for n in range(PROPOSALS)
                ]
                proposal_ops.open_voting(meeting)
                tokens = []
                for voter in range(VOTERS):
                    person, token = participants.join(meeting, display_name=f"Röstare {voter}")
                    tokens.append(token)
                    for n, proposal in enumerate(proposals):
                        chosen = value(method, voter, n)
                        if chosen is not None:
                            proposal_ops.vote(person.id, proposal.id, chosen)
                paper = {"approval": {"yes": 5, "no": 1}, "dots": {"dots": 4, "voters": 2}}
                if method in paper:  # a show of hands at a table counts too
                    proposal_ops.add_paper_votes(meeting, staff, proposals[3].id, paper[method])
                if closed:
                    proposal_ops.close_voting(meeting)
                if method == "consent":
                    action_ops.decide(meeting, staff, proposals[0].id, "agreed")
                    action_ops.decide(meeting, staff, proposals[1].id, "not_agreed")
                made[method] = Room(
                    meeting.id,
                    meeting.join_code,
                    tokens[0],
                    {str(p.id): p.title for p in proposals},
                )
            token = auth_ops.issue_api_token(user)
            session().commit()
    finally:
        rooms.stop(app)
        with app.app_context():
            db.engine.dispose()
    return made, token


@pytest.fixture(scope="module")
def charts(tmp_path_factory: pytest.TempPathFactory, demo_database: Path) -> Iterator[Charts]:
    """The server, once for the module, with the four meetings in its database."""
    folder = tmp_path_factory.mktemp("charts")
    copy_database(demo_database, folder)
    made_rooms, token = set_up(folder)
    port = free_port()
    env = app_env(folder, PORT=str(port), HOST="127.0.0.1", SECRET_KEY="browser-tests")
    box = Server(f"http://127.0.0.1:{port}", env, folder / "server.log")
    box.start()
    try:
        for method, room in made_rooms.items():  # the facilitator puts the results up
            desk = Phone(box.url, token, meeting_id=room.meeting_id)
            try:
                change = {"client_id": f"results-{method}", "mode": "results"}
                assert desk.call("screen_set", change) == {"ok": True, "mode": "results"}
            finally:
                desk.close()
        yield Charts(box, made_rooms, token)
    finally:
        box.stop()


@pytest.fixture(scope="module")
def staff(browser: Browser, charts: Charts) -> Iterator[BrowserContext]:
    context = logged_in(browser, charts.server, demo.FACILITATOR_EMAIL)
    yield context
    context.close()


@pytest.fixture(scope="module")
def phones(browser: Browser, charts: Charts) -> Iterator[Callable[[str], Page]]:
    """A resident's phone in Swedish, 360 × 740, with a voter's cookie for the method's room."""
    server, made = charts.server, charts.rooms
    context = browser.new_context(
        locale="sv-SE", base_url=server.url, viewport=PHONE, has_touch=True, is_mobile=True
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.add_cookies(
        [
            {"name": participants.cookie_name(r.meeting_id), "value": r.token, "url": server.url}
            for r in made.values()
        ]
    )

    def _phone(method: str) -> Page:
        page = context.new_page()
        page.goto(f"/m/{made[method].meeting_id}")
        expect(page.locator("#conn")).to_have_attribute("data-state", "online")
        return page

    yield _phone
    context.close()


def recount(charts: Charts, room: Room) -> dict[str, Any]:
    """The tally as the server counts it now: what a staff connection is sent on connect."""
    watcher = Phone(charts.server.url, charts.staff_token, meeting_id=room.meeting_id)
    try:
        assert watcher.wait(lambda: watcher.last("state") is not None, 5)
        state = watcher.last("state")
        assert state["tally"] is not None
        return dict(state["tally"])
    finally:
        watcher.close()


def ranked(method: str, counts: dict[str, dict[str, int]]) -> list[str]:
    """The order the issue asks for, worked out here independently of charts.js."""

    def mean(c: dict[str, int]) -> float:
        voters = sum(c[str(n)] for n in range(6))
        return sum(n * c[str(n)] for n in range(6)) / voters if voters else 0

    def key(pid: str) -> tuple[float, ...]:
        c = counts[pid]
        if method == "approval":
            return (-c["yes"], c["no"], int(pid))
        if method == "agree":
            return (-c["agree"], c["disagree"], int(pid))
        if method == "dots":
            return (-c["dots"], -c["voters"], int(pid))
        return (c["blocks"], -mean(c), int(pid))

    return sorted(counts, key=key)


def check_chart(page: Page, method: str, room: Room, counts: dict[str, dict[str, int]]) -> None:
    """One row per proposal, sorted, each number as the tally has it, the table the same."""
    order = ranked(method, counts)
    expect(page.locator("#proposals .chart-row")).to_have_count(PROPOSALS)
    rows = page.evaluate(ROWS)
    assert [r["id"] for r in rows] == order
    assert [r["title"] for r in rows] == [room.titles[pid] for pid in order]
    for row in rows:
        assert row["numbers"] == [str(counts[row["id"]][key]) for key in NUMBERS[method]]
    if page.locator("#projector").count():
        check_pages(page, order)
    else:
        assert top_to_bottom(rows)
    table = page.evaluate(TABLE)
    assert [row[0].split(" (")[0] for row in table] == [room.titles[pid] for pid in order]
    assert [row[1:-1] for row in table] == [
        [str(counts[pid][key]) for key in COLUMNS[method]] for pid in order
    ]


def top_to_bottom(rows: list[dict[str, Any]]) -> bool:
    """Drawn in order on the screen: each row below the one before it, or (the projector's
    two columns) at the top of the next column."""
    return sum(1 for a, b in pairwise(r["top"] for r in rows) if b <= a) <= 1


def check_pages(screen: Page, order: list[str]) -> None:
    """The projector's pages: each shows the next rows in rank, whole and top to bottom,
    says which they are, and after the last the first comes round again."""
    total = len(order)
    shown: list[str] = []
    while True:
        page = [r for r in screen.evaluate(ROWS) if r["shown"]]
        assert page
        first = len(shown)
        assert [r["id"] for r in page] == order[first : first + len(page)]
        assert top_to_bottom(page)
        shown += [r["id"] for r in page]
        if first == 0 and len(page) == total:  # all on one page: nothing to turn
            expect(screen.locator("#results-page")).to_have_text("")
            return
        expect(screen.locator("#results-page")).to_have_text(
            f"Proposals {first + 1}–{len(shown)} of {total}"
        )
        screen.clock.fast_forward(PAGE_MS)
        if len(shown) == total:
            break
        expect(screen.locator("#results-page")).to_contain_text(f"Proposals {len(shown) + 1}–")
    assert shown == order
    expect(screen.locator("#results-page")).to_contain_text("Proposals 1–")


def shoot(page: Page, name: str) -> None:
    """What the screen shows with the chart's top in view (a whole page costs seconds)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#proposals .chart-box").scroll_into_view_if_needed()
    # The projector fades new content in (0.6 s): the picture is of what the room then sees.
    page.evaluate(
        """() => Promise.all(document.getAnimations()
          .filter(a => a.effect.getComputedTiming().iterations !== Infinity)
          .map(a => a.finished))"""
    )
    page.screenshot(path=str(SCREENSHOTS / f"charts-{name}.png"))


@pytest.mark.parametrize("method", METHODS)
def test_each_method_is_drawn_from_the_tally(
    charts: Charts,
    staff: BrowserContext,
    phones: Callable[[str], Page],
    method: str,
) -> None:
    room = charts.rooms[method]
    counts = recount(charts, room)["proposals"]
    screen = staff.new_page()
    screen.clock.install()
    screen.set_viewport_size(PROJECTOR)
    screen.goto(f"/meetings/{room.meeting_id}/screen")
    results, closed = SETUP[method]
    if results == "hidden" and not closed:
        expect(screen.locator("#proposals .chart-wait")).to_be_visible()
        expect(screen.locator("#proposals .chart-row")).to_have_count(0)
    else:
        check_chart(screen, method, room, counts)
        if method == "consent":
            # Each histogram beside its title: three rows a column, where two stood.
            assert sum(r["shown"] for r in screen.evaluate(ROWS)) == 6
        shoot(screen, f"{method}-projector")
    assert screen.evaluate(LOWEST_CONTRAST) >= 7  # read from the back of the hall
    console = staff.new_page()
    console.goto(f"/meetings/{room.meeting_id}/console")
    check_chart(console, method, room, counts)  # staff always see the count
    shoot(console, f"{method}-console")
    if method == "approval":  # opposition stands apart: a bar of its own, hatched
        assert console.locator(".chart-row .bar-no").count() == PROPOSALS
    if method == "consent":  # blocks are marked by more than colour: a pattern and words
        pattern = console.locator(".chart-row .bar-block:not(.is-zero)").first.evaluate(
            "e => getComputedStyle(e).backgroundImage"
        )
        assert "repeating-linear-gradient" in pattern
        blocked = console.locator(".chart-row .chart-text.has-blocks")
        expect(blocked.first).to_contain_text("Blocks: ")
        decisions = {r["id"]: r["decision"] for r in console.evaluate(ROWS)}
        first, second = list(room.titles)[:2]
        assert (decisions[first], decisions[second]) == ("Agreed", "Not agreed")
    phone = phones(method)
    if results == "hidden" and not closed:
        expect(phone.locator("#proposals .chart-wait")).to_have_text(
            "Resultatet visas när omröstningen stänger."
        )
    else:
        check_chart(phone, method, room, counts)
    shoot(phone, f"{method}-phone")
    screen.close()
    console.close()
    phone.close()


def test_hidden_results_come_at_the_close_with_the_decision(
    charts: Charts, staff: BrowserContext, phones: Callable[[str], Page]
) -> None:
    room = charts.rooms["dots"]
    phone = phones("dots")
    screen = staff.new_page()
    screen.clock.install()
    screen.set_viewport_size(PROJECTOR)
    screen.goto(f"/meetings/{room.meeting_id}/screen")
    console = staff.new_page()
    console.goto(f"/meetings/{room.meeting_id}/console")
    for page in (phone, screen):
        expect(page.locator("#proposals .chart-wait")).to_be_visible()
        expect(page.locator("#proposals .chart")).to_have_count(0)
    expect(console.locator("#proposals .chart-note")).to_have_text(
        "The room sees the results when the vote closes."
    )
    assert findings(phone) == []
    assert findings(console) == []

    console.click("#voting-close")
    counts = recount(charts, room)["proposals"]
    for page in (phone, screen):
        expect(page.locator("#proposals .chart-wait")).to_be_hidden()
        check_chart(page, "dots", room, counts)
    expect(phone.locator("#proposals-h")).to_have_text("Omröstningens resultat")
    # The result leads on the phone: the chart before the list of proposals.
    assert phone.evaluate(
        "document.querySelector('#proposals .chart-box').compareDocumentPosition("
        "document.querySelector('#proposals .wall')) & Node.DOCUMENT_POSITION_FOLLOWING"
    )
    # The facilitator records the decision; the phone marks it on the chart, in words.
    top = ranked("dots", counts)[0]
    item = console.locator(f"#proposals .proposal[data-id='{top}']")
    item.get_by_role("button", name="Agreed", exact=True).click()
    mark = phone.locator(f"#proposals .chart-row[data-id='{top}'] .chart-decision")
    expect(mark).to_have_text("Beslutat")
    assert "✓" in mark.evaluate("e => getComputedStyle(e, '::before').content")
    expect(phone.locator("#proposals .chart-table tbody tr").first).to_contain_text("Beslutat")
    assert findings(phone) == []
    assert findings(console) == []
    shoot(phone, "dots-phone-closed")
    shoot(screen, "dots-projector-closed")
    for page in (phone, screen, console):
        page.close()


def test_tallies_move_the_bars_in_place(
    charts: Charts, staff: BrowserContext, phones: Callable[[str], Page]
) -> None:
    server, made = charts.server, charts.rooms
    room = made["approval"]
    phone = phones("approval")  # live results, the vote open: the chart after the ballot
    screen = staff.new_page()
    screen.goto(f"/meetings/{room.meeting_id}/screen")
    last = ranked("approval", recount(charts, room)["proposals"])[-1]
    mark = f"""() => {{
      const bar = document.querySelector("#proposals .chart-row[data-id='{last}'] .bar-yes");
      bar.kept = true;
      return getComputedStyle(bar).transitionProperty;
    }}"""
    kept = f"""() => document.querySelector(
      "#proposals .chart-row[data-id='{last}'] .bar-yes").kept === true"""
    for page in (phone, screen):
        expect(page.locator("#proposals .chart-row")).to_have_count(PROPOSALS)
        assert "inline-size" in page.evaluate(mark)
    before = phone.evaluate(ROWS)[-1]
    assert before["id"] == last
    # Every drawing of the chart changes its text: note when each happens.
    phone.evaluate(WATCH_DRAWINGS)
    # New residents support the last proposal, through the API and Socket.IO as phones do.
    voters = []
    try:
        for n in range(3):
            joined = requests.post(
                f"{server.url}/api/v1/join", json={"join_code": room.join_code}, timeout=5
            )
            assert joined.status_code == 201, joined.text
            voters.append(Phone(server.url, joined.json()["participant_token"]))
            ack = voters[-1].call(
                "vote_cast", {"client_id": f"up{n}", "proposal_id": int(last), "value": 1}
            )
            assert ack["ok"], ack
            for m in range(4):  # and talk while they vote: each reaches the phone at once
                said = {"client_id": f"say{n}-{m}", "text": f"Röst {n}, tanke {m}"}
                assert voters[-1].call("contribution_add", said)["ok"]
    finally:
        for voter in voters:
            voter.close()
    support = int(before["numbers"][0]) + 3
    for page in (phone, screen):
        row = page.locator(f"#proposals .chart-row[data-id='{last}']")
        expect(row.locator(".bar-yes + .chart-num")).to_have_text(str(support))
        assert page.evaluate(kept), "the bar was rebuilt instead of updated"
    # Contributions, joins and tallies arrived in a burst, each redrawing the page: the
    # chart kept to four drawings a second at most. Measured when each drawing started (when
    # each ended, a slow drawing followed by a quick one came as close as 191 ms on CI);
    # unpaced (measured with the pace set to 0) they came 10 to 180 ms apart. The 5 ms spare
    # is the clocks' granularity: the pace is kept in Date.now, measured in performance.now.
    drawn = phone.evaluate("window.chartDrawings")
    assert len(drawn) >= 2
    assert min(b - a for a, b in pairwise(drawn)) >= 245
    counts = recount(charts, room)["proposals"]
    assert counts[last]["yes"] == support
    check_chart(phone, "approval", room, counts)
    # The ballot still comes first on the phone while the vote is open.
    assert phone.evaluate(
        "document.querySelector('#proposals .wall').compareDocumentPosition("
        "document.querySelector('#proposals .chart-box')) & Node.DOCUMENT_POSITION_FOLLOWING"
    )
    # Without motion for who asks for none.
    phone.emulate_media(reduced_motion="reduce")
    assert phone.evaluate(mark) == "none"
    shoot(phone, "approval-phone-live")
    phone.close()
    screen.close()


def test_charts_show_in_forced_colors(charts: Charts, staff: BrowserContext) -> None:
    made = charts.rooms
    page = staff.new_page()
    page.emulate_media(forced_colors="active")
    page.set_viewport_size(LAPTOP)
    page.goto(f"/meetings/{made['agree'].meeting_id}/screen")
    expect(page.locator("#proposals .chart-row")).to_have_count(PROPOSALS)
    bar = page.locator("#proposals .chart-row .seg-disagree:not(.is-zero)").first
    style = bar.evaluate(
        "e => [getComputedStyle(e).backgroundImage, getComputedStyle(e.parentNode).borderTopStyle]"
    )
    assert "repeating-linear-gradient" in style[0]
    assert style[1] == "solid"
    shoot(page, "agree-projector-forced-colors")
    page.close()


def test_right_to_left_in_arabic(charts: Charts, browser: Browser) -> None:
    """In Arabic the bars grow from the right, the page keeps to the phone's width, and axe
    finds nothing in the chart of a closed vote."""
    server, room = charts.server, charts.rooms["consent"]
    context = browser.new_context(
        locale="ar", base_url=server.url, viewport=PHONE, has_touch=True, is_mobile=True
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.add_cookies(
        [
            {
                "name": participants.cookie_name(room.meeting_id),
                "value": room.token,
                "url": server.url,
            }
        ]
    )
    try:
        page = context.new_page()
        page.goto(f"/m/{room.meeting_id}")
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        expect(page.locator("#proposals .chart-row")).to_have_count(PROPOSALS)
        # The first column (level 0) is the rightmost one.
        lefts = (
            page.locator("#proposals .chart-row")
            .first.locator(".chart-col")
            .evaluate_all("cols => cols.map(c => c.getBoundingClientRect().left)")
        )
        assert lefts == sorted(lefts, reverse=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert findings(page) == []
        shoot(page, "consent-phone-ar")
    finally:
        context.close()
