"""axe-core on every page a user can reach: WCAG 2.1 A and AA, every impact, zero findings.

axe-core is vendored from its npm package (tests/browser/vendor, MPL-2.0) and injected
through the browser's debugger, which the page's Content-Security-Policy does not block.

``PAGES`` lists one concrete URL for every HTML page in the app's URL map (and a few
forms again in their error state); ``test_every_html_page_is_checked`` fails when a new
page is added to the app but not here, so no page can be forgotten. Each page is read in
Swedish (the default) and Arabic (right to left), as the role that reaches it: logged out,
a resident who joined on a phone, the demo facilitator, the demo admin.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, expect
from werkzeug.exceptions import NotFound

from facilitate import demo

from .conftest import Server
from .test_live_meeting import MEETING, join, join_code, open_console

AXE = (Path(__file__).parent / "vendor" / "axe-4.10.3.min.js").read_text()
#: WCAG 2.0 and 2.1, levels A and AA: what EN 301 549 asks of a Swedish public body.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
LANGUAGES = ("sv", "ar")

# The demo's ids: the dialogue, its first area and user, a theme with meetings (7), the
# first meeting's first phase, and the action item the live meeting below agrees.
DIALOGUE, AREA, THEME, PHASE, ITEM, USER = 1, 1, 7, 1, 1, 1
CONVERSATION = 1  # the demo's first recorded conversation

#: Endpoints that answer GET without an HTML page, so there is nothing for axe to read.
NOT_HTML = {
    "static": "stylesheets, scripts, fonts, images",
    "i18n.switch": "a redirect that sets the language cookie",
    "actions.action_download": "the action list as .csv, .xlsx or .pdf",
    "live.handout": "the meeting's handout, a PDF",
    "live.qr": "the join QR code, an SVG image",
    "reporting.report_pdf": "the meeting report, a PDF",
    "openapi.spec": "the API's description, JSON",
    "reporting.dialogue_calendar": "the dialogue's meetings as an iCalendar feed",
    "reporting.meeting_calendar": "one meeting as an iCalendar file",
    "reporting.feedback_feed": "the feedback page as an Atom feed",
    "perspectives.polis_export": "a meeting's statements and answers for Pol.is, a ZIP",
}
#: The JSON API (blueprint ``api``) answers only JSON; tests/api/ checks it.
NOT_HTML_BLUEPRINTS = ("api.",)


@dataclass(frozen=True)
class Check:
    """One page as one role sees it: ``path`` may hold ``{code}``, the meeting's join code."""

    role: str  # public, resident, facilitator or admin
    path: str
    status: int = 200
    #: A form in its error state: the page at ``path`` is submitted empty with this button,
    submit: str | None = None
    #: or with this file (name, content) in its file input.
    upload: tuple[str, str] | None = None


PAGES: tuple[Check, ...] = (
    # Logged out: the way in for staff, and the resident's pages.
    Check("public", "/login"),
    Check("public", "/login", 200, submit="main button[type=submit]"),
    Check("public", "/join"),
    Check("public", "/join?code=+", 422),  # no code
    Check("public", "/j/ZZZZ9999", 404),  # a code that opens no meeting
    Check("public", "/j/{code}"),
    Check("public", "/privacy"),
    Check("public", "/accessibility"),
    Check("public", f"/d/{DIALOGUE}/feedback"),
    Check("public", f"/d/{DIALOGUE}/follow"),
    Check("public", f"/d/{DIALOGUE}/follow", 422, submit="main form.follow-form button"),
    Check("public", "/mail/confirm/not-a-token", 404),
    Check("public", "/mail/unsubscribe/not-a-token", 404),
    Check("public", f"/d/{DIALOGUE}"),
    Check("public", "/no-such-page", 404),
    # The resident's phone, after joining.
    Check("resident", f"/m/{MEETING}"),
    # The facilitator: dialogues, themes, areas.
    Check("facilitator", "/"),
    Check("facilitator", "/dialogues"),
    Check("facilitator", "/dialogues?archived=1"),
    Check("facilitator", "/dialogues/new"),
    Check("facilitator", "/dialogues/new", 422, submit="main button[type=submit]"),
    Check("facilitator", f"/dialogues/{DIALOGUE}"),
    Check("facilitator", f"/dialogues/{DIALOGUE}/edit"),
    Check("facilitator", f"/dialogues/{DIALOGUE}/areas/{AREA}/edit"),
    Check("facilitator", f"/dialogues/{DIALOGUE}/themes/new"),
    Check("facilitator", f"/themes/{THEME}"),
    Check("facilitator", f"/themes/{THEME}/edit"),
    # Meetings, and the live meeting's staff screens.
    Check("facilitator", f"/themes/{THEME}/meetings/new"),
    Check("facilitator", f"/meetings/{MEETING}"),
    Check("facilitator", f"/meetings/{MEETING}/edit"),
    Check("facilitator", f"/meetings/{MEETING}/phases/{PHASE}/edit"),
    Check("facilitator", f"/meetings/{MEETING}/voting"),
    Check("facilitator", f"/meetings/{MEETING}/console"),
    Check("facilitator", f"/meetings/{MEETING}/screen"),
    Check("facilitator", f"/meetings/{MEETING}/notes"),
    Check("facilitator", f"/meetings/{MEETING}/preview"),
    Check("facilitator", f"/meetings/{MEETING}/people"),
    Check("facilitator", f"/meetings/{MEETING}/paper"),
    Check("facilitator", f"/meetings/{MEETING}/polis"),  # tests/browser/test_polis.py: errors
    # After the meeting: report, actions and their trail, participation.
    Check("facilitator", f"/meetings/{MEETING}/report"),
    Check("facilitator", f"/dialogues/{DIALOGUE}/actions"),
    Check("facilitator", f"/actions/{ITEM}"),
    Check("facilitator", f"/actions/{ITEM}/edit"),
    Check("facilitator", f"/dialogues/{DIALOGUE}/participation"),
    # Intake: conversations in the street, their import, a theme's evidence.
    Check("facilitator", f"/dialogues/{DIALOGUE}/conversations"),
    Check("facilitator", f"/dialogues/{DIALOGUE}/conversations/new"),
    Check(
        "facilitator",
        f"/dialogues/{DIALOGUE}/conversations/new",
        422,
        submit="main form.narrow-form button[type=submit]:not([name])",
    ),
    Check("facilitator", f"/dialogues/{DIALOGUE}/conversations/import"),
    Check(
        "facilitator",
        f"/dialogues/{DIALOGUE}/conversations/import",
        422,
        submit="main form button[type=submit]",
        upload=("samtal.csv", "date,channel,note\n2021-13-01,street,Mörkt\n,door,\n"),
    ),
    # The population and outcome indicators: imported, and a file refused.
    Check("facilitator", f"/dialogues/{DIALOGUE}/population"),
    Check(
        "facilitator",
        f"/dialogues/{DIALOGUE}/population",
        422,
        submit="main form button[type=submit]",
        upload=("scb.csv", "district;age_band;count\nSöderby;15-19;12\n"),
    ),
    Check("facilitator", f"/dialogues/{DIALOGUE}/indicators"),
    Check("facilitator", f"/themes/{THEME}/evidence"),
    Check("facilitator", f"/conversations/{CONVERSATION}"),
    Check("facilitator", f"/conversations/{CONVERSATION}/edit"),
    # The admin's pages.
    Check("admin", "/admin/users"),
    Check("admin", "/admin/users/new"),
    Check("admin", "/admin/users/new", 422, submit="main button[type=submit]"),
    Check("admin", f"/admin/users/{USER}/edit"),
    Check("admin", "/admin/accessibility"),
    Check("admin", "/mail/outbox"),
    Check("admin", "/admin/accessibility", 422, submit="main button[type=submit]"),
)

#: Pages that must fit without a sideways scroll, and at what width in CSS pixels.
REFLOW = (
    *(
        (f"/meetings/{MEETING}/{page}", 683)
        for page in ("console", "screen", "notes", "people", "paper")
    ),
    (f"/dialogues/{DIALOGUE}/actions", 683),
    *(
        (f"/dialogues/{DIALOGUE}/{page}", 320)
        for page in ("conversations", "conversations/new", "conversations/import", "participation")
    ),
    (f"/themes/{THEME}/evidence", 320),
    # The public dialogue page, on the smallest phone a resident has.
    (f"/d/{DIALOGUE}", 320),
    (f"/d/{DIALOGUE}/feedback", 320),
)
#: Pages drawn by the room's script: axe waits until it is connected and has drawn.
LIVE = ("/console", "/screen", "/notes", f"/m/{MEETING}")


def test_every_html_page_is_checked(app: Flask) -> None:
    """Each GET rule of the URL map that renders HTML has a page in ``PAGES``."""
    urls = app.url_map.bind("localhost")
    checked = set()
    for check in PAGES:
        path = urlsplit(check.path.format(code="ABCD1234")).path
        try:
            rule, _ = urls.match(path, method="GET", return_rule=True)
        except NotFound:
            assert check.status == 404, check
            continue
        checked.add(rule.rule)
    html = {
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in (rule.methods or ())
        and rule.endpoint not in NOT_HTML
        and not rule.endpoint.startswith(NOT_HTML_BLUEPRINTS)
    }
    assert html - checked == set(), "pages without an axe check: add them to PAGES"
    assert set(NOT_HTML) <= {rule.endpoint for rule in app.url_map.iter_rules()}


def findings(page: Page) -> list[dict[str, Any]]:
    """axe's violations of ``TAGS``, of every impact, with each node's selector and HTML."""
    page.evaluate(AXE)
    result = page.evaluate(
        """async (tags) => await axe.run(document, {
            runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})""",
        TAGS,
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "nodes": [(n["target"], n["html"][:160]) for n in v["nodes"]][:5],
        }
        for v in result["violations"]
    ]


def sticking_out(page: Page, width: int) -> list[str]:
    """The elements that reach past either edge of a ``width`` wide page, for a failure."""
    return page.evaluate(
        """(width) => [...document.querySelectorAll('body *')]
            .filter((e) => { const r = e.getBoundingClientRect();
                             return r.right > width + 0.5 || r.left < -0.5; })
            .slice(0, 5).map((e) => e.outerHTML.slice(0, 120))""",
        width,
    )  # type: ignore[no-any-return]


def check_page(page: Page, check: Check, code: str) -> list[dict[str, Any]]:
    path = check.path.format(code=code)
    response = page.goto(path)
    assert response is not None
    if check.submit:
        # The browser's own checks would stop an empty form; the server's answer is the point.
        page.evaluate("for (const form of document.forms) form.noValidate = true")
        if check.upload:
            name, content = check.upload
            file = {"name": name, "mimeType": "text/csv", "buffer": content.encode()}
            page.set_input_files("main input[type=file]", files=[file])  # type: ignore[list-item]
        with page.expect_navigation() as done:
            page.click(check.submit)
        response = done.value
        assert response is not None
    assert (response.status, urlsplit(page.url).path) == (check.status, urlsplit(path).path), check
    if check.submit:
        expect(page.locator("main .error").first).to_be_visible()
    if any(path.endswith(end) for end in LIVE):
        expect(page.locator("#conn")).to_have_attribute("data-state", "online")
    # What is folded away is read too: a closed <details> hides its contents from axe.
    page.evaluate("for (const d of document.querySelectorAll('details')) d.open = true")
    return findings(page)


def live_meeting(console: Page, anna: Page, bo: Page) -> None:
    """A meeting in full swing, drawing every state of the live pages at once: a wall with
    a hidden contribution, one agreed proposal (action item ``ITEM``) and another in an
    open vote, groups, Anna (Swedish) has the word and Bo (Arabic) a hand up."""
    code = join_code(console)
    join(anna, code, "Anna")
    join(bo, code, "Bo")
    for phone, text in ((anna, "Mörkt vid busshållplatsen"), (bo, "Spam spam")):
        phone.fill("#write-text", text)
        phone.click("#write button[type=submit]")
    said = console.locator("#wall .contribution", has_text="busshållplatsen")
    said.get_by_role("button", name="Gör till förslag").click()
    expect(console.locator("#proposals .proposal")).to_have_count(1)
    console.locator(".proposal").first.get_by_role("button", name="Beslutat", exact=True).click()
    expect(anna.locator(".proposal .status")).to_have_text("Beslutat")
    console.fill("#proposal-title", "Bättre belysning")
    console.click("#proposal-form button[type=submit]")
    expect(console.locator("#proposals .proposal")).to_have_count(2)
    console.click("#voting-open")
    expect(anna.locator(".voting-open")).to_be_visible()
    spam = console.locator("#wall .contribution", has_text="Spam")
    spam.get_by_role("button", name="Dölj").click()
    console.fill("#wall .hide-form input", "Inte på ämnet")
    console.click("#wall .hide-form button[type=submit]")
    expect(anna.locator("#wall .contribution")).to_have_count(1)
    anna.click("#hand")
    console.locator("#hands li", has_text="Anna").get_by_role("button").click()
    expect(anna.locator("#given")).to_be_visible()
    bo.click("#hand")
    expect(console.locator("#hands li")).to_have_count(1)
    console.fill("#groups-count", "2")
    console.click("#groups-form button[type=submit]")
    expect(anna.locator("#group")).to_be_visible()


def archive_some(desk: Page) -> None:
    """Archived things look apart: a district, a theme and a whole dialogue."""
    desk.goto(f"/dialogues/{DIALOGUE}")
    district = desk.locator(".districts li", has_text="Hovängen")
    district.get_by_role("button", name="Arkivera").click()
    expect(desk.locator(".districts li.archived")).to_have_count(1)
    desk.goto("/themes/1")
    desk.locator("main").get_by_role("button", name="Arkivera").click()
    expect(desk.locator("h1 .badge", has_text="Arkiverad")).to_be_visible()
    desk.goto("/dialogues/new")
    desk.fill("#title", "Trygghet 2019")
    desk.click("main button[type=submit]")
    desk.locator("main").get_by_role("button", name="Arkivera").click()
    expect(desk.locator("h1 .badge", has_text="Arkiverad")).to_be_visible()


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_has_no_accessibility_findings(
    server: Server, contexts: Callable[..., BrowserContext], language: str
) -> None:
    """One language per test, so the two tours run side by side on the suite's workers."""
    started = time.monotonic()
    found: dict[str, list[dict[str, Any]]] = {}
    console = open_console(contexts("sv", demo.FACILITATOR_EMAIL), "Öppet")
    code = join_code(console)
    residents = {lang: contexts(lang, mobile=True).new_page() for lang in LANGUAGES}
    live_meeting(console, residents["sv"], residents["ar"])
    archive_some(console.context.new_page())
    # Staff read Swedish on a laptop and Arabic on a phone: both layouts, both directions.
    mobile = language != "sv"
    pages = {
        "public": contexts(language, mobile=True).new_page(),
        "resident": residents[language],
        "facilitator": contexts(language, demo.FACILITATOR_EMAIL, mobile=mobile).new_page(),
        "admin": contexts(language, demo.ADMIN_EMAIL, mobile=mobile).new_page(),
    }
    for check in PAGES:
        result = check_page(pages[check.role], check, code)
        if result:
            key = f"{language} {check.role} {check.path} {check.status}"
            found[key] = result
    # Nothing may need a sideways scroll: staff pages at 200 % zoom on a 1366 px laptop
    # (683 CSS pixels), the intake pages the team uses in the street and the public
    # dialogue pages at 320 px.
    staff = pages["facilitator"]
    for path, width in REFLOW:
        staff.set_viewport_size({"width": width, "height": 640})
        staff.goto(path)
        if any(path.endswith(end) for end in LIVE):
            expect(staff.locator("#conn")).to_have_attribute("data-state", "online")
        wide = staff.evaluate("document.documentElement.scrollWidth")
        if wide > width:
            found[f"{language} reflow {path} {wide}px"] = sticking_out(staff, width)
    elapsed = time.monotonic() - started
    print(f"axe read {len(PAGES)} pages in {elapsed:.0f} s")
    assert found == {}, "\n".join(f"{key}: {value}" for key, value in found.items())


def test_axe_can_fail(browser: Browser) -> None:
    """Findings of every impact are caught: the check is not a no-op."""
    page = browser.new_page()
    page.set_content(
        '<!doctype html><html lang="sv" xml:lang="en"><title>Prov</title><main><h1>Prov</h1>'
        '<p style="color: #777">Grått på vitt, 4,48:1</p><img src="data:,"></main></html>'
    )
    # A critical finding (no text alternative), a serious one (contrast) and a moderate one
    # (two languages named for the page), which a filter on serious and critical let through.
    assert {(v["id"], v["impact"]) for v in findings(page)} == {
        ("image-alt", "critical"),
        ("color-contrast", "serious"),
        ("html-xml-lang-mismatch", "moderate"),
    }
    page.close()
