"""The dialogue, district and theme pages, through the test client."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from conftest import PASSWORD, make_config
from flask import Flask
from flask.testing import FlaskClient

from facilitate import create_app
from facilitate.auth import operations as auth_ops
from facilitate.auth.models import Role, User
from facilitate.db import session
from facilitate.dialogues import operations as ops
from facilitate.dialogues.models import Area, Dialogue, DialogueStatus, Theme, ThemeStatus
from facilitate.extensions import db
from facilitate.meetings import operations as meeting_ops
from facilitate.models import Base


@pytest.fixture
def dialogue_id(app: Flask) -> int:
    with app.app_context():
        dialogue = ops.create_dialogue("Trygghet", areas=["Fröslunda", "Myrtorp"])
        for title in ("Belysning", "Skolvägar", "Parker"):
            ops.create_theme(dialogue, title)
        session().commit()
        return dialogue.id


def rows(app: Flask, model: type[Any], *where: Any) -> list[Any]:
    with app.app_context():
        return list(session().scalars(sa.select(model).where(*where)))


def theme_titles(app: Flask, dialogue_id: int) -> list[str]:
    with app.app_context():
        return [t.title for t in ops.get_dialogue(dialogue_id).themes]


def test_dashboard_anonymous_redirected_to_login(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_dashboard_lists_dialogues_themes_and_meetings(
    app: Flask, client: FlaskClient, facilitator: User, dialogue_id: int
) -> None:
    with app.app_context():
        theme = ops.get_dialogue(dialogue_id).themes[0]
        meeting_ops.create_meeting(theme, "Kväll i Fröslunda")
        session().commit()
    html = client.get("/").get_data(as_text=True)
    assert "Trygghet" in html
    assert list(re.findall(r">(Belysning|Skolvägar|Parker)<", html)) == [
        "Belysning",
        "Skolvägar",
        "Parker",
    ]
    assert "Kväll i Fröslunda" in html


def test_dashboard_archived_dialogues_listed_apart(
    app: Flask, client: FlaskClient, facilitator: User, dialogue_id: int
) -> None:
    assert client.post(f"/dialogues/{dialogue_id}/archive").status_code == 302
    assert "Trygghet" not in client.get("/").get_data(as_text=True)
    assert "Trygghet" in client.get("/?archived=1").get_data(as_text=True)
    assert client.post(f"/dialogues/{dialogue_id}/restore").status_code == 302
    (dialogue,) = rows(app, Dialogue)
    assert dialogue.status is DialogueStatus.active


def test_dialogue_create_with_districts(app: Flask, client: FlaskClient, facilitator: User) -> None:
    assert client.get("/dialogues/new").status_code == 200
    response = client.post(
        "/dialogues/new",
        data={
            "title": "Trygghet i stadsdelarna",
            "description": "Samtal om trygghet",
            "period_start": "2020-05-01",
            "period_end": "2021-06-30",
            "action_deadline": "2021-06-18",
            "retention_months": "24",
            "areas": "Fröslunda\r\nLagersberg\r\n\r\n  Myrtorp  \r\n",
        },
    )
    assert response.status_code == 302
    (dialogue,) = rows(app, Dialogue)
    assert response.headers["Location"] == f"/dialogues/{dialogue.id}"
    assert dialogue.action_deadline.isoformat() == "2021-06-18"
    assert sorted(a.name for a in rows(app, Area)) == ["Fröslunda", "Lagersberg", "Myrtorp"]
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Lagersberg" in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": ""}, "A title is required."),
        ({"title": "x" * 201}, "At most 200 characters."),
        (
            {"title": "Ok", "period_start": "2021-06-01", "period_end": "2021-01-01"},
            "The period cannot end before it starts.",
        ),
        ({"title": "Ok", "areas": "Myrtorp\nmyrtorp"}, "The district myrtorp is listed twice."),
        ({"title": "Ok", "retention_months": "0"}, "Must be between 1 and 120."),
        ({"title": "Ok", "period_start": "not a date"}, "Not a valid date value."),
    ],
)
def test_dialogue_create_bad_input_refused(
    app: Flask, client: FlaskClient, facilitator: User, data: dict[str, str], message: str
) -> None:
    form = {"retention_months": "24", **data}
    response = client.post("/dialogues/new", data=form)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert rows(app, Dialogue) == []
    assert rows(app, Area) == []


def test_dialogue_edit_saves_and_refuses_reversed_period(
    app: Flask, client: FlaskClient, facilitator: User, dialogue_id: int
) -> None:
    assert "Trygghet" in client.get(f"/dialogues/{dialogue_id}/edit").get_data(as_text=True)
    bad = client.post(
        f"/dialogues/{dialogue_id}/edit",
        data={
            "title": "Changed",
            "period_start": "2021-06-01",
            "period_end": "2020-01-01",
            "retention_months": "24",
        },
    )
    assert bad.status_code == 422
    assert rows(app, Dialogue)[0].title == "Trygghet"
    good = client.post(
        f"/dialogues/{dialogue_id}/edit",
        data={"title": "Trygghet 2", "retention_months": "12", "action_deadline": "2021-06-18"},
    )
    assert good.status_code == 302
    (dialogue,) = rows(app, Dialogue)
    assert (dialogue.title, dialogue.retention_months) == ("Trygghet 2", 12)


def test_area_add_rename_archive(
    app: Flask, client: FlaskClient, facilitator: User, dialogue_id: int
) -> None:
    assert (
        client.post(f"/dialogues/{dialogue_id}/areas", data={"name": "Hovängen"}).status_code == 302
    )
    duplicate = client.post(f"/dialogues/{dialogue_id}/areas", data={"name": "hovängen"})
    assert duplicate.status_code == 422
    assert "The district hovängen is listed twice." in duplicate.get_data(as_text=True)
    (area,) = rows(app, Area, Area.name == "Hovängen")
    url = f"/dialogues/{dialogue_id}/areas/{area.id}"
    assert client.get(f"{url}/edit").status_code == 200
    assert client.post(f"{url}/edit", data={"name": "Fröslunda"}).status_code == 422
    assert client.post(f"{url}/edit", data={"name": "Hovängen norra"}).status_code == 302
    assert client.post(f"{url}/archive").status_code == 302
    (area,) = rows(app, Area, Area.id == area.id)
    assert (area.name, area.is_archived) == ("Hovängen norra", True)
    assert client.post(f"{url}/restore").status_code == 302
    assert rows(app, Area, Area.id == area.id)[0].is_archived is False


def test_area_of_another_dialogue_not_found(
    app: Flask, client: FlaskClient, facilitator: User, dialogue_id: int
) -> None:
    with app.app_context():
        other = ops.create_dialogue("Annan", areas=["Västermalm"])
        session().commit()
        other_area = other.areas[0].id
    response = client.post(f"/dialogues/{dialogue_id}/areas/{other_area}/edit", data={"name": "X"})
    assert response.status_code == 404
    assert rows(app, Area, Area.id == other_area)[0].name == "Västermalm"


def test_theme_create_edit_and_page(
    app: Flask, client: FlaskClient, facilitator: User, dialogue_id: int
) -> None:
    assert client.get(f"/dialogues/{dialogue_id}/themes/new").status_code == 200
    response = client.post(
        f"/dialogues/{dialogue_id}/themes/new",
        data={"title": "Nattvandring", "description": "Vuxna ute på kvällen", "status": "in_depth"},
    )
    assert response.status_code == 302
    (theme,) = rows(app, Theme, Theme.title == "Nattvandring")
    assert (theme.status, theme.position) == (ThemeStatus.in_depth, 3)
    html = client.get(f"/themes/{theme.id}").get_data(as_text=True)
    assert "Vuxna ute på kvällen" in html
    assert f"/themes/{theme.id}/meetings/new" in html
    edited = client.post(
        f"/themes/{theme.id}/edit", data={"title": "Nattvandring 2", "status": "done"}
    )
    assert edited.status_code == 302
    (theme,) = rows(app, Theme, Theme.id == theme.id)
    assert (theme.title, theme.status) == ("Nattvandring 2", ThemeStatus.done)


def test_theme_bad_input_refused(
    app: Flask, client: FlaskClient, facilitator: User, dialogue_id: int
) -> None:
    empty = client.post(
        f"/dialogues/{dialogue_id}/themes/new", data={"title": " ", "status": "planned"}
    )
    assert empty.status_code == 422
    assert "A title is required." in empty.get_data(as_text=True)
    unknown = client.post(
        f"/dialogues/{dialogue_id}/themes/new", data={"title": "Ok", "status": "sleeping"}
    )
    assert unknown.status_code == 422
    assert len(rows(app, Theme)) == 3
    assert client.get("/themes/9999").status_code == 404


def test_theme_move_reorders(
    app: Flask, client: FlaskClient, facilitator: User, dialogue_id: int
) -> None:
    (theme,) = rows(app, Theme, Theme.title == "Parker")
    response = client.post(f"/themes/{theme.id}/move", data={"offset": "-1", "back": "dialogue"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/dialogues/{dialogue_id}#themes"
    assert theme_titles(app, dialogue_id) == ["Belysning", "Parker", "Skolvägar"]
    client.post(f"/themes/{theme.id}/move", data={"offset": "-1"})
    client.post(f"/themes/{theme.id}/move", data={"offset": "-1"})  # already first: stays
    assert theme_titles(app, dialogue_id) == ["Parker", "Belysning", "Skolvägar"]
    client.post(f"/themes/{theme.id}/move", data={"offset": "99"})  # not a step: ignored
    assert theme_titles(app, dialogue_id) == ["Parker", "Belysning", "Skolvägar"]


def test_theme_status_and_archive(
    app: Flask, client: FlaskClient, facilitator: User, dialogue_id: int
) -> None:
    (theme,) = rows(app, Theme, Theme.title == "Skolvägar")
    assert client.post(f"/themes/{theme.id}/status", data={"status": "in_depth"}).status_code == 302
    assert client.post(f"/themes/{theme.id}/status", data={"status": "bogus"}).status_code == 422
    assert client.post(f"/themes/{theme.id}/archive").status_code == 302
    (theme,) = rows(app, Theme, Theme.id == theme.id)
    assert (theme.status, theme.is_archived) == (ThemeStatus.in_depth, True)
    assert ">Skolvägar<" not in client.get("/").get_data(as_text=True)
    assert client.post(f"/themes/{theme.id}/restore").status_code == 302
    assert ">Skolvägar<" in client.get("/").get_data(as_text=True)


def test_observer_reads_but_cannot_write(
    app: Flask,
    client: FlaskClient,
    make_user: Callable[..., User],
    login: Callable[[User], None],
    dialogue_id: int,
) -> None:
    login(make_user(Role.observer))
    (theme,) = rows(app, Theme, Theme.title == "Parker")
    for url in ("/", f"/dialogues/{dialogue_id}", f"/themes/{theme.id}"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "New theme" not in response.get_data(as_text=True)
    for url in (
        "/dialogues/new",
        f"/dialogues/{dialogue_id}/edit",
        f"/dialogues/{dialogue_id}/archive",
        f"/dialogues/{dialogue_id}/areas",
        f"/dialogues/{dialogue_id}/themes/new",
        f"/themes/{theme.id}/edit",
        f"/themes/{theme.id}/move",
        f"/themes/{theme.id}/status",
        f"/themes/{theme.id}/archive",
    ):
        assert client.post(url, data={"title": "x", "name": "x", "offset": "1"}).status_code == 403
    assert theme_titles(app, dialogue_id) == ["Belysning", "Skolvägar", "Parker"]
    assert rows(app, Dialogue)[0].status is DialogueStatus.active


def test_dialogue_create_with_csrf_needs_token(tmp_path: Path) -> None:
    app = create_app(make_config(tmp_path, WTF_CSRF_ENABLED=True))
    with app.app_context():
        Base.metadata.create_all(db.engine)
        auth_ops.create_user("f@example.org", name=None, password=PASSWORD, role="facilitator")
        session().commit()
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"

    def token(url: str) -> str:
        match = re.search(
            r'name="csrf_token"[^>]*value="([^"]+)"', client.get(url).get_data(as_text=True)
        )
        assert match is not None
        return match.group(1)

    login_token = token("/login")
    without = client.post("/login", data={"email": "f@example.org", "password": PASSWORD})
    assert without.status_code == 400
    assert (
        client.post(
            "/login",
            data={"email": "f@example.org", "password": PASSWORD, "csrf_token": login_token},
        ).status_code
        == 302
    )
    refused = client.post("/dialogues/new", data={"title": "Utan token", "retention_months": "24"})
    assert refused.status_code == 400
    accepted = client.post(
        "/dialogues/new",
        data={
            "title": "Med token",
            "retention_months": "24",
            "csrf_token": token("/dialogues/new"),
        },
    )
    assert accepted.status_code == 302
    with app.app_context():
        assert [d.title for d in session().scalars(sa.select(Dialogue))] == ["Med token"]
        db.engine.dispose()
