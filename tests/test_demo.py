"""``flask --app wsgi demo``: the case we build for, loaded through the operations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from flask_babel import force_locale

from facilitate import demo
from facilitate.auth.models import Role, User
from facilitate.db import session
from facilitate.dialogues.models import Area, Dialogue, Theme, ThemeStatus
from facilitate.meetings.agendas import TEMPLATES
from facilitate.meetings.models import Meeting, MeetingStatus

STOCKHOLM = ZoneInfo("Europe/Stockholm")

THEME_TITLES = [
    "Arbete minskar risken för kriminalitet",
    "Arbete ger egenvärde och egen makt – entreprenörskap och innovation",
    "Ojämlik tillgång till utbildning och skola",
    "Många barn är utan fritidsaktiviteter",
    "Misstro till samhället",
    "Området och platsen utarmas",
    "Segregation och isolering men god kontakt mellan oss som bor här",
    "Oro och föräldraskapets svårigheter",
]


def _count(app: Flask, model: type[object]) -> int:
    with app.app_context():
        return session().scalar(sa.select(sa.func.count()).select_from(model)) or 0


def _load(runner: FlaskCliRunner, *args: str) -> str:
    result = runner.invoke(args=["demo", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_demo_loads_the_dialogue(app: Flask, runner: FlaskCliRunner) -> None:
    _load(runner)
    with app.app_context():
        dialogue = session().scalars(sa.select(Dialogue)).one()
        assert dialogue.title == "Trygghet i stadsdelarna"
        assert (dialogue.period_start, dialogue.period_end) == (
            dt.date(2020, 5, 1),
            dt.date(2021, 6, 30),
        )
        assert dialogue.action_deadline == dt.date(2021, 6, 18)
        assert "trygghet" in dialogue.description
        areas = session().scalars(sa.select(Area.name).order_by(Area.id)).all()
        assert areas == [
            "Fröslunda",
            "Lagersberg",
            "Råbergstorp",
            "Myrtorp",
            "Västermalm",
            "Brunnsbacken",
            "Hovängen",
        ]
        themes = [(t.title, t.status, t.position) for t in dialogue.themes]
        assert themes == [
            (title, ThemeStatus.in_depth if i >= 6 else ThemeStatus.planned, i)
            for i, title in enumerate(THEME_TITLES)
        ]
        assert all(t.description for t in dialogue.themes)


def test_demo_plans_one_meeting_per_in_depth_theme(app: Flask, runner: FlaskCliRunner) -> None:
    before = dt.datetime.now(dt.UTC)
    _load(runner)
    with app.app_context():
        meetings = session().scalars(sa.select(Meeting).order_by(Meeting.starts_at)).all()
        assert [m.theme.title for m in meetings] == THEME_TITLES[6:]
        assert [m.place for m in meetings] == ["Fröslunda folkets hus", "Lagersbergs fritidsgård"]
        for meeting in meetings:
            assert meeting.status is MeetingStatus.draft
            assert meeting.starts_at is not None
            assert meeting.starts_at > before
            local = meeting.starts_at.astimezone(STOCKHOLM)
            assert (local.hour, local.minute) == (18, 0)
        with force_locale("sv"):
            expected = [
                (str(s.title), str(s.prompt), s.minutes, s.kind)
                for s in TEMPLATES["in_depth_90"].steps
            ]
        for meeting in meetings:
            phases = [(p.title, p.prompt, p.minutes, p.kind) for p in meeting.phases]
            assert phases == expected
            assert sum(p.minutes for p in meeting.phases) == 90
    # The agenda is Swedish, not the English source strings.
    with app.app_context(), force_locale("en"):
        english = [str(s.title) for s in TEMPLATES["in_depth_90"].steps]
    assert len(expected) == 6
    assert [title for title, *_ in expected] != english


def test_demo_meeting_start_is_18_stockholm_in_summer_and_winter() -> None:
    assert demo.meeting_start(dt.date(2026, 6, 1), 1) == dt.datetime(2026, 6, 8, 16, tzinfo=dt.UTC)
    assert demo.meeting_start(dt.date(2026, 12, 1), 2) == dt.datetime(
        2026, 12, 15, 17, tzinfo=dt.UTC
    )


def test_demo_users_can_log_in(app: Flask, runner: FlaskCliRunner, client: FlaskClient) -> None:
    output = _load(runner)
    assert "demo@facilitate.local" in output
    assert f"password: {demo.DEMO_PASSWORD}" in output
    with app.app_context():
        users = session().execute(sa.select(User.email, User.role).order_by(User.id)).all()
        assert [tuple(u) for u in users] == [
            ("demo@facilitate.local", Role.facilitator),
            ("admin@facilitate.local", Role.admin),
        ]
    response = client.post(
        "/login", data={"email": "demo@facilitate.local", "password": demo.DEMO_PASSWORD}
    )
    assert response.status_code == 302
    dashboard = client.get("/dialogues")
    assert dashboard.status_code == 200
    html = dashboard.get_data(as_text=True)
    assert "Trygghet i stadsdelarna" in html
    # The eight themes, in their order, each linked from the dashboard.
    positions = [html.find(f">{title}</a>") for title in THEME_TITLES]
    assert -1 not in positions
    assert positions == sorted(positions)


def test_demo_if_empty_twice_loads_once(app: Flask, runner: FlaskCliRunner) -> None:
    first = _load(runner, "--if-empty")
    second = _load(runner, "--if-empty")
    assert first.startswith('Demo data loaded: "Trygghet i stadsdelarna", 8 themes, 2 meetings.\n')
    assert second.startswith("Demo data not loaded: the database already has dialogues or users.\n")
    assert "demo@facilitate.local" in second
    assert (_count(app, Dialogue), _count(app, Theme), _count(app, Meeting)) == (1, 8, 2)
    assert _count(app, User) == 2


def test_demo_if_empty_skips_when_a_user_exists(
    app: Flask, runner: FlaskCliRunner, make_user: Callable[..., User]
) -> None:
    make_user(email="real@example.org")
    output = _load(runner, "--if-empty")
    assert output == "Demo data not loaded: the database already has dialogues or users.\n"
    assert (_count(app, Dialogue), _count(app, User)) == (0, 1)


def test_demo_refuses_when_data_exists(app: Flask, runner: FlaskCliRunner) -> None:
    _load(runner)
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: The database already has dialogues or users; the demo is only loaded "
        "into an empty database.\n"
    )
    assert (_count(app, Dialogue), _count(app, Meeting), _count(app, User)) == (1, 2, 2)


def test_demo_has_first_conversations_with_evidence(
    app: Flask, runner: FlaskCliRunner, client: FlaskClient
) -> None:
    _load(runner)
    client.post("/login", data={"email": "demo@facilitate.local", "password": demo.DEMO_PASSWORD})
    page = client.get("/dialogues/1/conversations").get_data(as_text=True)
    assert f"{len(demo.CONVERSATIONS)} conversations" in page
    assert "Det finns inga sommarjobb för oss som bor här." in page
    # the untagged notes come with suggestions from the tagged ones
    assert "Tag: Arbete minskar risken för kriminalitet" in page
    evidence = client.get("/themes/1/evidence").get_data(as_text=True)
    assert "<blockquote" in evidence
