"""Who is missing and what moved, in the browser: the population and indicators imported
through their pages (a refused file first), then the charts where people read them — the
action list, "Who is in the room" with shares and marks, the feedback page with what moved.
axe on every page, in Swedish on a laptop and in Arabic (right to left) on a phone, and in
forced colours; screenshots at 1366 × 768 and 360 × 740 to look at."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa
from playwright.sync_api import BrowserContext, Page, expect
from processes import DATABASE

from facilitate import create_app, demo
from facilitate.actions.models import ActionItem, ActionStatus, ActionStatusChange
from facilitate.db import session
from facilitate.dialogues.models import Theme

from .conftest import Server
from .test_accessibility import findings

SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
DIALOGUE = 1
#: Residents per district and age band, in Statistics Sweden's bands (0-15 år, 65+).
POPULATION = "district;age_band;count;year;source\n" + "".join(
    f"{district};{band};{count};2025;SCB\n"
    for district, counts in (
        ("Fröslunda", (1450, 310, 1020, 1180, 1240, 860)),
        ("Lagersberg", (1100, 260, 880, 900, 950, 700)),
        ("Råbergstorp", (700, 150, 520, 640, 720, 640)),
        ("Myrtorp", (820, 200, 610, 700, 810, 930)),
        ("Västermalm", (380, 120, 900, 760, 820, 1100)),
        ("Brunnsbacken", (300, 90, 260, 420, 610, 480)),
        ("Hovängen", (260, 80, 210, 330, 520, 700)),
    )
    for band, count in zip(
        ("0-15 år", "16–19", "20-29", "30-44", "45-64", "65+"), counts, strict=True
    )
)
INDICATORS = "indicator;district;theme;year;value;source\n" + "".join(
    f"Trygghetsindex;{district};{theme};{year};{value};Medborgarundersökningen\n"
    for district, theme, values in (
        ("", "", (52, 51, 53.5, 55)),
        ("Fröslunda", "3", (41, 40.5, 44, 47)),
        ("Lagersberg", "3", (45, 46, 45.5, 48)),
    )
    for year, value in zip(range(2022, 2026), values, strict=True)
)


def seed_action_items(server: Server) -> None:
    """Action items in several states, some done, as months of work would leave them (the
    demo has none until a meeting agrees one)."""
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{Path(server.env['INSTANCE_PATH']) / DATABASE}",
            "INSTANCE_PATH": server.env["INSTANCE_PATH"],
            "SECRET_KEY": "browser-tests",
        }
    )
    with app.app_context():
        themes = list(
            session().scalars(
                sa.select(Theme).where(Theme.dialogue_id == DIALOGUE).order_by(Theme.position)
            )
        )
        plan = {
            2: ["proposed", "accepted", "done"],
            3: ["in_progress", "done", "done", "proposed", "accepted"],
            4: ["declined", "in_progress"],
            5: ["proposed"],
        }
        for index, statuses in plan.items():
            for n, status in enumerate(statuses):
                item = ActionItem(
                    dialogue_id=DIALOGUE,
                    theme_id=themes[index].id,
                    title=f"Åtgärd {index}.{n + 1}",
                    status=ActionStatus(status),
                    owner="Tekniska förvaltningen",
                    public_note="Polisen ansvarar." if status == "declined" else "",
                )
                if status == "done":
                    at = dt.datetime(2023, 9, 15, 10, tzinfo=dt.UTC) + dt.timedelta(days=150 * n)
                    item.history.append(ActionStatusChange(to_status="done", at=at))
                session().add(item)
        session().commit()


def shoot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"baseline-{name}.png"), full_page=True)


def upload(page: Page, path: str, name: str, content: str) -> None:
    page.goto(path)
    file = {"name": name, "mimeType": "text/csv", "buffer": content.encode()}
    page.set_input_files("main input[type=file]", files=[file])  # type: ignore[list-item]
    page.locator("main form button[type=submit]").click()


def clean(page: Page, name: str) -> None:
    """No axe findings with every table unfolded, and nothing wider than the screen."""
    page.evaluate("for (const d of document.querySelectorAll('details')) d.open = true")
    assert findings(page) == [], name
    width = page.viewport_size["width"] if page.viewport_size else 0
    assert page.evaluate("document.documentElement.scrollWidth") <= width, name


def test_imports_and_charts_in_the_browser(
    server: Server, contexts: Callable[..., BrowserContext]
) -> None:
    seed_action_items(server)
    laptop = contexts("sv", demo.FACILITATOR_EMAIL).new_page()
    population = f"/dialogues/{DIALOGUE}/population"
    upload(laptop, population, "scb.csv", "district;age_band;count\nSöderby;15-19;12\n")
    expect(laptop.locator(".problems td").nth(1)).to_contain_text("Okänd stadsdel Söderby")
    clean(laptop, "population refused")
    shoot(laptop, "population-refused-laptop")
    upload(laptop, population, "scb.csv", POPULATION)
    expect(laptop.locator("h1")).to_have_text("Kontrollera importen")
    clean(laptop, "population preview")
    shoot(laptop, "population-preview-laptop")
    laptop.locator("main button[name=confirm]").click()
    expect(laptop.locator(".flash").first).to_contain_text("42 rader importerades.")
    clean(laptop, "population")
    upload(laptop, f"/dialogues/{DIALOGUE}/indicators", "index.csv", INDICATORS)
    laptop.locator("main button[name=confirm]").click()
    expect(laptop.locator(".flash").first).to_contain_text("12 rader importerades.")
    clean(laptop, "indicators")
    shoot(laptop, "indicators-laptop")

    pages = (
        (f"/dialogues/{DIALOGUE}/actions", "actions"),
        (f"/dialogues/{DIALOGUE}/participation", "participation"),
        (f"/d/{DIALOGUE}/feedback", "feedback"),
        (f"/d/{DIALOGUE}", "dialogue"),
        (population, "population"),
    )
    for path, name in pages:
        laptop.goto(path)
        expect(laptop.locator("svg.svg-chart").first).to_be_visible()
        clean(laptop, f"sv {name}")
        shoot(laptop, f"{name}-laptop")
    # Sixty street conversations in Fröslunda: the other districts are now clearly missing.
    talks = "date,channel,district,age_band,note\n" + "".join(
        f"2025-0{3 + n % 3}-1{n % 10},street,Fröslunda,30-44,Mörkt vid busshållplatsen {n}\n"
        for n in range(60)
    )
    upload(laptop, f"/dialogues/{DIALOGUE}/conversations/import", "samtal.csv", talks)
    laptop.locator("main button[name=confirm]").click()
    expect(laptop.locator(".flash").first).to_contain_text("60")
    laptop.goto(f"/dialogues/{DIALOGUE}/participation")
    expect(laptop.locator("td.under").first).to_be_visible()
    clean(laptop, "participation with the missing marked")
    shoot(laptop, "participation-marked-laptop")
    laptop.emulate_media(forced_colors="active")
    laptop.goto(f"/d/{DIALOGUE}/feedback")
    clean(laptop, "forced colours")
    shoot(laptop, "feedback-forced-colours-laptop")

    phone = contexts("ar", demo.FACILITATOR_EMAIL, mobile=True).new_page()
    for path, name in pages[:4]:
        phone.goto(path)
        clean(phone, f"ar {name}")
        shoot(phone, f"{name}-phone-ar")
        if name not in ("actions", "participation"):
            continue  # line charts: no bars
        # Right to left, the bars start at the right edge of their picture.
        box = phone.locator("svg.svg-chart").first.bounding_box()
        bar = phone.locator("svg.svg-chart rect[data-value]").first.bounding_box()
        assert box is not None
        assert bar is not None
        assert abs(bar["x"] + bar["width"] - (box["x"] + box["width"])) < 2, name
    resident = contexts("sv", mobile=True).new_page()
    resident.goto(f"/d/{DIALOGUE}/feedback")
    clean(resident, "sv phone feedback")
    shoot(resident, "feedback-phone-sv")
