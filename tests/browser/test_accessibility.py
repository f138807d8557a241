"""axe-core on the pages people use: no serious or critical violation, in a live meeting.

axe-core is vendored from its npm package (tests/browser/vendor, MPL-2.0) and injected
through the browser's debugger, which the page's Content-Security-Policy does not block.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, Page, expect

from .conftest import Server
from .test_live_meeting import MEETING, join, join_code, open_console

AXE = (Path(__file__).parent / "vendor" / "axe-4.10.3.min.js").read_text()


def serious_violations(page: Page) -> list[dict[str, Any]]:
    page.evaluate(AXE)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_pages_have_no_serious_accessibility_violations(
    server: Server, staff: BrowserContext, phone: Callable[..., Page]
) -> None:
    console = open_console(staff)
    anna = phone()
    join(anna, join_code(console), "Anna")
    anna.fill("#write-text", "Mörkt vid busshållplatsen")
    anna.click("#write button[type=submit]")
    anna.click("#propose summary")
    anna.fill("#proposal-title", "Bättre belysning")
    anna.click("#proposal-form button[type=submit]")
    expect(console.locator(".proposal")).to_have_count(1)
    console.click("#voting-open")
    expect(anna.locator(".voting-open")).to_be_visible()
    screen = staff.new_page()
    screen.goto(f"/meetings/{MEETING}/screen")
    expect(screen.locator("#conn")).to_have_attribute("data-state", "online")
    notes = staff.new_page()
    notes.goto(f"/meetings/{MEETING}/notes")
    actions = staff.new_page()
    actions.goto("/dialogues/1/actions")
    people = staff.new_page()
    people.goto(f"/meetings/{MEETING}/people")
    people.click("details.confirm summary")  # the second step, open
    public = phone()
    public.goto("/d/1/feedback")
    start = phone()
    start.goto("/join")
    found = {
        name: serious_violations(page)
        for name, page in {
            "phone": anna,
            "console": console,
            "projector": screen,
            "notes": notes,
            "action list": actions,
            "people": people,
            "feedback": public,
            "join": start,
        }.items()
    }
    assert found == {name: [] for name in found}
    # 200 % zoom on a 1366 px laptop leaves 683 CSS pixels: nothing may need a sideways scroll.
    for page in (console, screen, notes, actions, people):
        page.set_viewport_size({"width": 683, "height": 384})
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 683, (page.url, width)
    # The check can fail: an image without a text alternative is a critical violation.
    start.evaluate("document.querySelector('main').append(document.createElement('img'))")
    assert "image-alt" in {v["id"] for v in serious_violations(start)}


def test_intake_pages_accessible_and_fit_a_phone(server: Server, staff: BrowserContext) -> None:
    """The team records conversations on a phone in the street: 320 px, no sideways scroll."""
    pages = {
        "conversations": "/dialogues/1/conversations",
        "record": "/dialogues/1/conversations/new",
        "import": "/dialogues/1/conversations/import",
        "evidence": "/themes/1/evidence",
        "who is in the room": "/dialogues/1/participation",
    }
    found = {}
    for name, path in pages.items():
        page = staff.new_page()
        page.goto(path)
        expect(page.locator("h1")).to_be_visible()
        found[name] = serious_violations(page)
        page.set_viewport_size({"width": 320, "height": 640})
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, (path, width)
    assert found == {name: [] for name in found}
    # Recording works by keyboard and lands on the list.
    form = staff.new_page()
    form.set_viewport_size({"width": 320, "height": 640})
    form.goto(pages["record"])
    form.check("input[name=channel][value=door]")
    form.fill("#notes", "Lamporna vid busshållplatsen är trasiga")
    form.locator("#notes").press("Tab")
    form.click("main form.narrow-form button[type=submit]:not([name])")
    expect(form.locator(".flash-success")).to_be_visible()
    expect(form.locator(".note").first).to_contain_text("Lamporna vid busshållplatsen")
