"""The accessibility statement in a real browser: axe-core finds nothing at any impact under
WCAG 2.1 A and AA, in Swedish and in Arabic, on a 320 px phone; the admin's form too, with
its refusal showing. Screenshots (phone and laptop, Swedish and Arabic) in build/screenshots."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, ViewportSize, expect

from facilitate import demo

from .conftest import LAPTOP, NARROW, PHONE, Server, logged_in
from .test_accessibility import AXE
from .test_languages import LAYOUT_PROBLEMS

SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
#: WCAG 2.0 and 2.1, levels A and AA, and axe's best practices on top; every impact counts.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
#: Everything on the page a person reads or operates, the footer included.
CONTROLS = "main a, main button, main input, main select, main textarea, header a, footer a"


def violations(page: Page) -> list[dict[str, Any]]:
    page.evaluate(AXE)
    result = page.evaluate(
        """async (tags) => await axe.run(document, {
            runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]})""",
        TAGS,
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]


def fits(page: Page, width: int) -> list[Any]:
    """What leaves a ``width`` px screen or overlaps something else; [] when all is well."""
    problems: list[Any] = page.evaluate(LAYOUT_PROBLEMS, CONTROLS)
    scroll = page.evaluate("document.documentElement.scrollWidth")
    return [*problems, *([("scroll width", scroll)] if scroll > width else [])]


def test_statement_accessible_in_swedish_and_arabic_on_a_narrow_phone(
    server: Server, browser: Browser, phone: Callable[..., Page]
) -> None:
    admin = logged_in(browser, server, demo.ADMIN_EMAIL, "sv-SE", NARROW)
    form = admin.new_page()
    form.goto("/")
    form.click("header a[href='/admin/accessibility']")
    found = {"form": violations(form)}
    form.fill("#organisation", "Exempelby kommun")
    form.fill("#email", "inte en adress")
    form.fill("#phone", "08-123 456 78")
    form.fill("#made_on", "2026-09-01")
    form.fill("#reviewed_on", "2026-11-20")
    form.fill("#intro_ar", "يشمل هذا البيان خدمة الحوار في Exempelby kommun.")
    form.click("main form button[type=submit]")
    expect(form.locator("#email-error")).to_be_visible()
    expect(form.locator("#email")).to_have_attribute("aria-invalid", "true")
    found["form refused"] = violations(form)
    assert fits(form, NARROW["width"]) == []
    form.fill("#email", "tillganglighet@exempelby.se")
    form.click("main form button[type=submit]")
    form.wait_for_url(f"{server.url}/accessibility")
    expect(form.locator(".flash-success")).to_be_visible()
    expect(form.locator("main")).to_contain_text("Exempelby kommun")
    admin.close()

    pages = {}
    for locale, lang in (("sv-SE", "sv"), ("ar", "ar")):
        page = phone(locale, NARROW)
        page.goto("/login")  # the footer leads there from any page
        page.click("footer a[href='/accessibility']")
        expect(page.locator("html")).to_have_attribute("lang", lang)
        expect(page.locator("html")).to_have_attribute("dir", "rtl" if lang == "ar" else "ltr")
        expect(page.locator("main")).to_contain_text("Myndigheten för digital förvaltning")
        found[lang] = violations(page)
        assert fits(page, NARROW["width"]) == [], lang
        pages[lang] = page
    assert found == {name: [] for name in found}
    # Mirrored in Arabic: the heading starts at the right edge; the custom text shows.
    heading = pages["ar"].locator("h1").evaluate("e => e.getBoundingClientRect().right")
    assert heading > NARROW["width"] - 40
    expect(pages["ar"].locator(".custom-intro")).to_contain_text("Exempelby kommun")
    expect(pages["sv"].locator(".custom-intro")).to_have_count(0)
    # The check can fail: a form field without a label breaks WCAG 2.1 A.
    pages["sv"].evaluate("document.querySelector('main').append(document.createElement('input'))")
    assert "label" in {v["id"] for v in violations(pages["sv"])}

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    sizes: dict[str, ViewportSize] = {"phone": PHONE, "laptop": LAPTOP}
    for locale, lang in (("sv-SE", "sv"), ("ar", "ar")):
        for name, viewport in sizes.items():
            context = browser.new_context(locale=locale, base_url=server.url, viewport=viewport)
            shot = context.new_page()
            shot.goto("/accessibility")
            assert fits(shot, viewport["width"]) == [], (lang, name)
            shot.screenshot(path=str(SCREENSHOTS / f"statement-{lang}-{name}.png"), full_page=True)
            context.close()
