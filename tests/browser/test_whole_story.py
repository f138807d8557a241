"""The whole story in real browsers: from a new meeting to an agreed action on the public page.

Screenshots of the phone, console and projector go to the test's output folder; with
``UPDATE_SCREENSHOTS=1`` they also replace the ones in ``docs/screenshots/``.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import BrowserContext, Page, expect

from .conftest import Server

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
THEME = 1  # a theme of the demo dialogue


def shoot(page: Page, name: str, out: Path) -> None:
    path = out / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        DOCS.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, DOCS / path.name)


def join(phone: Page, url: str, name: str) -> None:
    phone.goto(url)
    phone.fill("#display_name", name)
    phone.click("button[type=submit]")
    expect(phone.locator("#conn")).to_have_attribute("data-state", "online")


def test_whole_story_from_new_meeting_to_feedback_page(
    server: Server, staff: BrowserContext, phone: Callable[..., Page], tmp_path: Path
) -> None:
    # A facilitator creates a meeting from the 90-minute template, with a dots vote.
    desk = staff.new_page()
    desk.goto(f"/themes/{THEME}/meetings/new")
    desk.fill("#title", "Kvällsdialog om belysning")
    desk.select_option("#template", "in_depth_90")
    desk.select_option("#voting_method", "dots")
    desk.click("main button[type=submit]")
    expect(desk.locator("h1")).to_contain_text("Kvällsdialog om belysning")
    meeting_id = int(re.search(r"/meetings/(\d+)", desk.url).group(1))  # type: ignore[union-attr]
    desk.click("text=Run the meeting")
    expect(desk.locator("#conn")).to_have_attribute("data-state", "online")
    desk.click("#meeting-open")
    screen = staff.new_page()
    screen.goto(f"/meetings/{meeting_id}/screen")
    join_url = desk.locator(".join-url").inner_text()

    # Three residents join from the join URL, one in English.
    anna, bo, cem = phone(), phone(), phone("en-GB")
    for person, name in ((anna, "Anna"), (bo, "Bo"), (cem, "Cem")):
        join(person, join_url, name)
    expect(desk.locator("#presence")).to_contain_text("3 online of 3 joined")

    # They write, react and raise a hand; the facilitator hides one and moves on.
    for person, text in (
        (anna, "Det är mörkt vid busshållplatsen"),
        (bo, "Buskarna skymmer gångvägen"),
        (cem, "Spam spam spam"),
    ):
        person.fill("#write-text", text)
        person.click("#write button[type=submit]")
    expect(screen.locator("#wall .contribution")).to_have_count(3)
    bo.locator("#wall .contribution", has_text="busshållplatsen").locator(".metoo").click()
    cem.click("#hand")
    expect(desk.locator("#hands li")).to_contain_text("Cem")
    spam = desk.locator("#wall .contribution", has_text="Spam")
    spam.get_by_role("button", name="Hide").click()
    desk.fill("#wall .hide-form input", "Inte på ämnet")
    desk.click("#wall .hide-form button[type=submit]")
    expect(screen.locator("#wall .contribution")).to_have_count(2)
    shoot(anna, "phone", tmp_path)
    desk.locator("#agenda li").nth(1).get_by_role("button").click()
    expect(cem.locator(".phase-step")).to_have_text("Step 2 of 6")

    # Groups split and end.
    desk.fill("#groups-count", "2")
    desk.click("#groups-form button[type=submit]")
    expect(anna.locator("#group")).to_be_visible()
    expect(screen.locator("#groups .group-column").first).to_be_visible()
    desk.click("#groups-end")
    expect(anna.locator("#group")).to_be_hidden()

    # A contribution becomes a proposal; a dots vote; the facilitator agrees it.
    desk.select_option("#wall-filter", "all")
    said = desk.locator("#wall .contribution", has_text="busshållplatsen")
    said.get_by_role("button", name="Make a proposal").click()
    expect(anna.locator(".proposal .text")).to_have_text(["Det är mörkt vid busshållplatsen"])
    desk.click("#voting-open")
    for person, label in ((anna, "En prick till"), (bo, "En prick till"), (cem, "One dot more")):
        person.locator(".proposal").first.get_by_role("button", name=label).click()
    expect(desk.locator(".proposal .counts")).to_have_text("Dots 3 · Voters 3")
    shoot(desk, "console", tmp_path)
    shoot(screen, "projector", tmp_path)
    desk.click("#voting-close")
    desk.locator(".proposal").first.get_by_role("button", name="Agreed", exact=True).click()
    expect(cem.locator(".proposal .status")).to_have_text("Agreed")

    # It is in the action list, the downloads open, and the public page shows it.
    desk.goto("/dialogues/1/actions")
    expect(desk.locator(".action-items")).to_contain_text("Det är mörkt vid busshållplatsen")
    for fmt, kind in (("xlsx", "spreadsheetml"), ("pdf", "pdf")):
        response = desk.request.get(f"/dialogues/1/actions.{fmt}")
        assert response.ok
        assert kind in response.headers["content-type"]
        assert len(response.body()) > 1000
    public = phone()
    public.goto("/d/1/feedback")
    expect(public.locator("main")).to_contain_text("Det är mörkt vid busshållplatsen")
    expect(public.locator("main")).not_to_contain_text("Anna")
