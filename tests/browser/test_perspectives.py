"""A perspectives step in real browsers: a resident answers statements one at a time on a
360 px phone and sees where they stand; the console and projector show the analysis.
Screenshots go to build/screenshots/ for a person to look at."""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from phones import Phone
from playwright.sync_api import BrowserContext, Page, expect

from .conftest import LAPTOP, NARROW, PHONE, Server
from .test_accessibility import findings, sticking_out

SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
THEME = 1  # a theme of the demo dialogue
STATEMENTS = [
    "Det behövs fler poliser i centrum på kvällarna",
    "Kameror vid stationen gör att jag känner mig tryggare",
    "Klotter ska tas bort inom ett dygn",
    "Fritidsgårdarna borde vara öppna längre",
    "Fältassistenter gör mer nytta än vakter",
    "Föreningarna behöver mer stöd från kommunen",
    "Gångvägarna behöver bättre belysning",
]
#: Camp A agrees with the first three and not the next three; everyone with the last.
CAMP_A = [1, 1, 1, -1, -1, -1, 1]
CAMP_B = [-1, -1, -1, 1, 1, 1, 1]


def join_api(server: Server, code: str) -> str:
    request = urllib.request.Request(  # noqa: S310 -- our own server, over http
        f"{server.url}/api/v1/join",
        data=json.dumps({"join_code": code}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 -- our server
        return str(json.load(answer)["participant_token"])


@pytest.fixture
def others() -> Iterator[list[Phone]]:
    made: list[Phone] = []
    yield made
    for phone in made:
        phone.close()


def test_phone_answers_one_at_a_time_and_sees_where_it_stands(
    server: Server,
    staff: BrowserContext,
    phone: Callable[..., Page],
    others: list[Phone],
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    desk = staff.new_page()
    desk.goto(f"/themes/{THEME}/meetings/new")
    desk.fill("#title", "Var står vi?")
    desk.select_option("#template", "common_ground_90")
    desk.click("main button[type=submit]")
    meeting_id = int(re.search(r"/meetings/(\d+)", desk.url).group(1))  # type: ignore[union-attr]
    desk.goto(f"/meetings/{meeting_id}/console")
    expect(desk.locator("#conn")).to_have_attribute("data-state", "online")
    desk.click("#meeting-open")
    desk.locator("#agenda li").nth(2).get_by_role("button", name="Go to this step").click()
    expect(desk.locator("#perspectives-panel")).to_be_visible()
    desk.uncheck("#write-behalf")
    for text in STATEMENTS:
        desk.fill("#write-text", text)
        desk.click("#write button[type=submit]")
    expect(desk.locator("#wall .contribution")).to_have_count(len(STATEMENTS))
    code = desk.locator(".join-code-big").inner_text().replace(" ", "")

    # Eleven others answer from phones of their own: five like Anna, six the other way.
    for number, camp in enumerate([CAMP_A] * 5 + [CAMP_B] * 6):
        # Each passes on one of the statements that divide: nobody answers quite alike.
        values = [0 if index == number % 6 else value for index, value in enumerate(camp)]
        other = Phone(server.url, join_api(server, code))
        others.append(other)
        assert other.wait(lambda o=other: o.last("state") is not None, 10)
        ids = [c["id"] for c in other.last("state")["contributions"]]
        for statement, value in zip(ids, values, strict=True):
            answer = other.call(
                "statement_vote",
                {
                    "client_id": f"{statement}-{id(other)}",
                    "contribution_id": statement,
                    "value": value,
                },
            )
            assert answer["ok"], answer

    anna = phone()
    anna.goto(f"/j/{code}")
    anna.fill("#display_name", "Anna")
    anna.click("button[type=submit]")
    expect(anna.locator("#conn")).to_have_attribute("data-state", "online")
    card = anna.locator("#perspectives-card")
    progress = anna.locator("#perspectives-progress")
    expect(progress).to_have_text(f"0 av {len(STATEMENTS)} besvarade")
    # One statement at a time, the unanswered first; skipping puts one last.
    expect(card.locator(".statement-text")).to_have_text(STATEMENTS[0])
    card.get_by_role("button", name="Hoppa över just nu").click()
    expect(card.locator(".statement-text")).to_have_text(STATEMENTS[1])
    order = [*STATEMENTS[1:], STATEMENTS[0]]
    values = dict(zip(STATEMENTS, CAMP_A, strict=True))
    names = {1: "Håller med", -1: "Håller inte med", 0: "Avstår"}
    for done, text in enumerate(order):
        expect(card.locator(".statement-text")).to_have_text(text)
        if done == 2:
            anna.screenshot(path=str(SCREENSHOTS / "perspectives-phone-statement.png"))
        card.get_by_role("button", name=names[values[text]], exact=True).click()
        expect(progress).to_have_text(f"{done + 1} av {len(STATEMENTS)} besvarade")
    expect(card).to_contain_text("Du har svarat på alla påståenden")

    where = anna.locator("#perspectives-me")
    expect(where).to_be_visible()
    expect(where.locator(".where-group")).to_contain_text("6 personer")
    expect(where.locator(".perspectives-svg")).to_be_visible()
    expect(where.locator(".perspectives-list li").first).to_contain_text(STATEMENTS[-1])
    expect(where.locator(".perspectives-list li").first).to_contain_text("Du höll med")
    # Nothing on the phone carries another participant's id or answers.
    assert "participant_ids" not in anna.content()
    anna.screenshot(path=str(SCREENSHOTS / "perspectives-phone-where.png"), full_page=True)
    anna.evaluate("for (const d of document.querySelectorAll('details')) d.open = true")
    assert findings(anna) == []
    anna.set_viewport_size(NARROW)  # the narrowest phone the UI promises to work on
    wide = anna.evaluate("document.documentElement.scrollWidth")
    assert wide <= NARROW["width"], sticking_out(anna, NARROW["width"])

    # The console: everything, with counts; the projector: the map and the common ground.
    expect(desk.locator("#perspectives-counts")).to_contain_text("12 placed")
    expect(desk.locator("#perspectives-details")).to_contain_text(STATEMENTS[-1])
    desk.locator("#perspectives-panel").scroll_into_view_if_needed()
    desk.screenshot(path=str(SCREENSHOTS / "perspectives-console.png"), full_page=True)
    assert findings(desk) == []
    # The projector shows it once the facilitator picks its mode, not because of the step.
    screen = staff.new_page()
    screen.set_viewport_size({"width": 1920, "height": 1080})
    screen.goto(f"/meetings/{meeting_id}/screen")
    expect(screen.locator("#conn")).to_have_attribute("data-state", "online")
    expect(screen.locator("#perspectives-screen")).to_be_hidden()
    desk.click("[data-screen-mode=perspectives]")
    picked = desk.locator("[data-screen-mode=perspectives]")
    expect(picked).to_have_attribute("aria-pressed", "true")
    expect(screen.locator("#projector")).to_have_attribute("data-mode", "perspectives")
    expect(screen.locator("#perspectives-screen")).to_be_visible()
    expect(screen.locator("#wall")).to_be_hidden()
    expect(screen.locator(".common-big li").first).to_contain_text(STATEMENTS[-1])
    expect(screen.locator(".perspectives-legend li")).to_have_count(2)
    screen.screenshot(path=str(SCREENSHOTS / "perspectives-projector.png"))
    assert findings(screen) == []

    # After the meeting: the report's section, by group sizes and shares, nobody named.
    report = staff.new_page()
    report.set_viewport_size(LAPTOP)
    report.goto(f"/meetings/{meeting_id}/report")
    section = report.locator(".report-perspectives")
    expect(section).to_contain_text("Group A: 6 people")
    expect(section).to_contain_text("Group B: 6 people")
    expect(section.locator("ul.said").nth(1)).to_contain_text(STATEMENTS[-1])
    expect(section.locator("figure.chart")).to_have_count(2)
    assert "Anna" not in section.inner_text()
    report.evaluate("for (const d of document.querySelectorAll('details')) d.open = true")
    section.screenshot(path=str(SCREENSHOTS / "perspectives-report-laptop.png"))
    assert findings(report) == []
    report.set_viewport_size(PHONE)
    section.screenshot(path=str(SCREENSHOTS / "perspectives-report-phone.png"))
    report.set_viewport_size(NARROW)
    wide = report.evaluate("document.documentElement.scrollWidth")
    assert wide <= NARROW["width"], sticking_out(report, NARROW["width"])
