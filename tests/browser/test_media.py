"""The pages under the media people bring: more contrast asked for, a forced palette
(Windows high contrast), and paper. Each is emulated in Chromium and read back from the
computed styles, not from the stylesheet's text."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import BrowserContext, Page

from .conftest import Server

SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"


def style(page: Page, selector: str, prop: str, pseudo: str | None = None) -> str:
    return str(
        page.eval_on_selector(
            selector,
            "(node, [prop, pseudo]) => getComputedStyle(node, pseudo).getPropertyValue(prop)",
            [prop, pseudo],
        )
    )


def focus_ring(page: Page, selector: str) -> tuple[str, float]:
    page.focus(selector)
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")  # :focus-visible comes from the keyboard
    return style(page, selector, "outline-style"), float(
        style(page, selector, "outline-width").removesuffix("px")
    )


def test_more_contrast_darkens_text_and_thickens_the_ring(
    staff: BrowserContext, server: Server
) -> None:
    page = staff.new_page()
    page.goto("/dialogues/1/actions")
    normal = style(page, "main", "color")
    page.emulate_media(contrast="more")
    assert style(page, "main", "color") == "rgb(0, 0, 0)" != normal
    ring, width = focus_ring(page, "main a")
    assert ring == "solid"
    assert width >= 4


def test_forced_colors_keep_focus_states_and_cards_visible(
    staff: BrowserContext, server: Server
) -> None:
    page = staff.new_page()
    page.emulate_media(forced_colors="active")
    page.goto("/")  # the dashboard: a card per dialogue
    ring, width = focus_ring(page, "main a")
    assert ring == "solid"
    assert width >= 3
    # A card keeps a border the forced palette draws: its state is not colour alone.
    assert style(page, ".card", "border-top-style") == "solid"
    assert float(style(page, ".card", "border-top-width").removesuffix("px")) >= 1


def test_print_leaves_out_navigation_and_writes_links_out(
    staff: BrowserContext, server: Server
) -> None:
    page = staff.new_page()
    for path, name in (
        ("/dialogues/1/actions", "action-list"),
        ("/meetings/1/report", "report"),
        ("/themes/1/evidence", "evidence"),
    ):
        response = page.goto(path)
        assert response is not None
        assert response.ok, path
        page.emulate_media(media="print")
        assert style(page, ".site-header", "display") == "none", path
        for control in page.query_selector_all("main button, main form"):
            assert not control.is_visible(), path
        link = page.query_selector("main a[href^='/']")
        assert link is not None, path
        href = link.get_attribute("href")
        written = style(page, "main a[href^='/']", "content", "::after")
        assert href is not None
        assert href in written, path
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.pdf(path=str(SHOTS / f"print-{name}.pdf"))
        page.emulate_media(media="screen")
