"""The unsubscribe link of a mail in a real browser: one click ends the mail (its page
presses its own button by script), while a fetch that runs no script, as a mail program's
link checker does, ends nothing and finds one button."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Browser, Page, expect
from processes import DATABASE

from .conftest import PHONE, Server
from .test_accessibility import findings
from .test_hybrid import shoot

ADDRESS = "anna@example.se"


def query(server: Server, sql: str) -> list[tuple[object, ...]]:
    """Read the server's database: without SMTP_URL its mail stays in the outbox."""
    with sqlite3.connect(Path(server.env["INSTANCE_PATH"]) / DATABASE) as db:
        return db.execute(sql).fetchall()


def mailed_link(server: Server, path: str) -> str:
    ((body,),) = query(server, "SELECT body FROM mail_outbox ORDER BY id DESC LIMIT 1")
    found = re.search(rf"https?://[^/\s]+({re.escape(path)}\S+)", str(body))
    assert found, body
    return found.group(1)


def test_one_click_on_the_mails_link_ends_the_subscription(
    server: Server, browser: Browser, phone: Callable[..., Page]
) -> None:
    anna = phone("en-GB")
    anna.goto("/d/1/follow")
    anna.fill("input[name=email]", ADDRESS)
    anna.check("input[name=news]")
    anna.click("main button[type=submit]")
    expect(anna.locator("h1")).to_have_text("Check your e-mail")
    anna.goto(mailed_link(server, "/mail/confirm/"))
    anna.click("main button[type=submit]")
    assert query(server, "SELECT count(*) FROM mail_subscriptions WHERE confirmed_at IS NOT NULL")
    unsubscribe = mailed_link(server, "/mail/unsubscribe/")

    # A link checker: no script, so the page only asks, and nothing ends.
    checker = browser.new_context(
        java_script_enabled=False, base_url=server.url, viewport=PHONE, locale="en-GB"
    )
    scanned = checker.new_page()
    scanned.goto(unsubscribe)
    expect(scanned.locator("main button[type=submit]")).to_have_text(
        "Stop the mail and delete my address"
    )
    assert query(server, "SELECT count(*) FROM mail_subscriptions") == [(1,)]
    # axe needs script: the page as it shows without its own, in a browser that runs axe.
    asking = anna.context.new_page()
    asking.route("**/js/unsubscribe*.js", lambda route: route.abort())
    asking.goto(unsubscribe)
    expect(asking.locator("main button[type=submit]")).to_be_visible()
    assert findings(asking) == []
    asking.close()
    assert query(server, "SELECT count(*) FROM mail_subscriptions") == [(1,)]

    # Anna: one click on the link, and the mail stops.
    anna.goto(unsubscribe)
    expect(anna.locator("h1")).to_have_text("No more mail")
    expect(anna.locator("main [role=status]")).to_have_text(
        "You will get no more mail about this dialogue, and your address is deleted."
    )
    assert query(server, "SELECT count(*) FROM mail_subscriptions") == [(0,)]
    expect(anna.locator("main button[type=submit]")).to_have_text("Subscribe again")
    assert findings(anna) == []
    shoot(anna, "unsubscribed-360x740")
    # Subscribing again is a sign-up like the first: a new mail to confirm.
    anna.click("main button[type=submit]")
    expect(anna.locator("h1")).to_have_text("Check your e-mail")
    assert query(server, "SELECT count(*) FROM mail_subscriptions WHERE confirmed_at IS NULL") == [
        (1,)
    ]
    checker.close()
