"""The dialogue and theme endpoints of the JSON API, and its token authentication."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from conftest import PASSWORD, make_config
from flask import Flask
from flask.testing import FlaskClient

from api.test_openapi import Api, error_of
from facilitate import create_app
from facilitate.auth import operations as auth_ops
from facilitate.auth.models import Role, User
from facilitate.db import session
from facilitate.dialogues import operations as ops
from facilitate.dialogues.models import Area, Dialogue, Theme
from facilitate.extensions import db
from facilitate.models import Base


@pytest.fixture
def dialogue_id(app: Flask) -> int:
    with app.app_context():
        dialogue = ops.create_dialogue(
            "Trygghet",
            description="Hur trygg är staden?",
            period_start=dt.date(2025, 3, 1),
            period_end=dt.date(2025, 6, 30),
            action_deadline=dt.date(2025, 6, 1),
            retention_months=12,
            areas=["Myrtorp", "Fröslunda", "Centrum"],
        )
        ops.create_theme(dialogue, "Belysning", description="Mörka gångvägar")
        ops.create_theme(dialogue, "Skolvägar")
        ops.set_area_archived(next(a for a in dialogue.areas if a.name == "Centrum"), True)
        session().commit()
        return dialogue.id


def count(app: Flask, model: type[Any]) -> int:
    with app.app_context():
        return int(session().scalar(sa.select(sa.func.count()).select_from(model)) or 0)


def stored_dialogue(app: Flask, dialogue_id: int) -> dict[str, Any]:
    with app.app_context():
        dialogue = session().get(Dialogue, dialogue_id)
        assert dialogue is not None
        return {
            "title": dialogue.title,
            "description": dialogue.description,
            "period": (dialogue.period_start, dialogue.period_end),
            "action_deadline": dialogue.action_deadline,
            "retention_months": dialogue.retention_months,
            "areas": sorted(a.name for a in dialogue.areas),
            "themes": [t.title for t in dialogue.themes],
        }


# -- GET /dialogues ------------------------------------------------------------------------


def test_dialogues_list_observer_gets_themes_and_areas(
    app: Flask, observer: Api, dialogue_id: int
) -> None:
    response = observer.get("/dialogues")
    assert response.status_code == 200
    with app.app_context():
        dialogue = session().get(Dialogue, dialogue_id)
        assert dialogue is not None
        areas = {a.name: a.id for a in dialogue.areas}
        themes = [t.id for t in dialogue.themes]
    assert response.get_json() == [
        {
            "id": dialogue_id,
            "title": "Trygghet",
            "description": "Hur trygg är staden?",
            "period_start": "2025-03-01",
            "period_end": "2025-06-30",
            "action_deadline": "2025-06-01",
            "retention_months": 12,
            "status": "active",
            # archived districts (Centrum) are left out; names sorted
            "areas": [
                {"id": areas["Fröslunda"], "name": "Fröslunda"},
                {"id": areas["Myrtorp"], "name": "Myrtorp"},
            ],
            "themes": [
                {
                    "id": themes[0],
                    "dialogue_id": dialogue_id,
                    "title": "Belysning",
                    "description": "Mörka gångvägar",
                    "position": 0,
                    "status": "planned",
                    "is_archived": False,
                },
                {
                    "id": themes[1],
                    "dialogue_id": dialogue_id,
                    "title": "Skolvägar",
                    "description": "",
                    "position": 1,
                    "status": "planned",
                    "is_archived": False,
                },
            ],
        }
    ]
    assert response.headers["Cache-Control"] == "private, no-store"


def test_dialogues_list_empty_is_empty_array(observer: Api) -> None:
    response = observer.get("/dialogues")
    assert response.status_code == 200
    assert response.get_json() == []


def test_dialogues_list_archived_included_with_status(
    app: Flask, observer: Api, dialogue_id: int
) -> None:
    with app.app_context():
        ops.archive_dialogue(ops.get_dialogue(dialogue_id))
        ops.create_dialogue("Ny")
        session().commit()
    body = observer.get("/dialogues").get_json()
    assert [(d["title"], d["status"]) for d in body] == [("Trygghet", "archived"), ("Ny", "active")]
    assert body[1]["period_start"] is None
    assert body[1]["themes"] == []


# -- authentication ------------------------------------------------------------------------


def test_dialogues_list_without_token_401(client: FlaskClient) -> None:
    response = Api(client).get("/dialogues")
    error_of(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer fct_not-a-real-token",
        "Bearer not-even-the-prefix",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "fct_token-without-scheme",
    ],
)
def test_dialogues_list_bad_token_401(client: FlaskClient, authorization: str) -> None:
    response = Api(client).get("/dialogues", headers={"Authorization": authorization})
    error_of(response, 401, "unauthorized")


def test_dialogues_list_inactive_user_token_401(
    app: Flask,
    client: FlaskClient,
    make_user: Callable[..., User],
    api_token: Callable[[User], str],
) -> None:
    user = make_user(Role.admin)
    api = Api(client, api_token(user))
    assert api.get("/dialogues").status_code == 200
    with app.app_context():
        auth_ops.update_user(session().get(User, user.id), active=False)  # type: ignore[arg-type]
        session().commit()
    error_of(api.get("/dialogues"), 401, "unauthorized")


def test_dialogues_list_session_cookie_not_accepted_401(
    client: FlaskClient, make_user: Callable[..., User], login: Callable[[User], None]
) -> None:
    login(make_user(Role.admin))
    assert client.get("/dialogues").status_code == 200  # the page accepts the session
    error_of(Api(client).get("/dialogues"), 401, "unauthorized")


# -- POST /dialogues -----------------------------------------------------------------------


def test_dialogue_create_201_returns_object_and_writes(app: Flask, facilitator: Api) -> None:
    response = facilitator.post(
        "/dialogues",
        json={
            "title": "  Trygghet i Västerås ",
            "description": "Om kvällar och ljus",
            "areas": ["Myrtorp", "Fröslunda"],
            "period_start": "2025-03-01",
            "period_end": "2025-06-30",
            "action_deadline": "2025-06-15",
            "retention_months": 36,
        },
    )
    assert response.status_code == 201
    body = response.get_json()
    dialogue_id = body["id"]
    with app.app_context():
        area_ids = {a.name: a.id for a in session().scalars(sa.select(Area))}
    assert body == {
        "id": dialogue_id,
        "title": "Trygghet i Västerås",
        "description": "Om kvällar och ljus",
        "period_start": "2025-03-01",
        "period_end": "2025-06-30",
        "action_deadline": "2025-06-15",
        "retention_months": 36,
        "status": "active",
        "areas": [
            {"id": area_ids["Fröslunda"], "name": "Fröslunda"},
            {"id": area_ids["Myrtorp"], "name": "Myrtorp"},
        ],
        "themes": [],
    }
    assert stored_dialogue(app, dialogue_id) == {
        "title": "Trygghet i Västerås",
        "description": "Om kvällar och ljus",
        "period": (dt.date(2025, 3, 1), dt.date(2025, 6, 30)),
        "action_deadline": dt.date(2025, 6, 15),
        "retention_months": 36,
        "areas": ["Fröslunda", "Myrtorp"],
        "themes": [],
    }


def test_dialogue_create_title_only_gets_defaults(app: Flask, facilitator: Api) -> None:
    response = facilitator.post("/dialogues", json={"title": "Parker"})
    assert response.status_code == 201
    body = response.get_json()
    assert body["description"] == ""
    assert body["areas"] == []
    assert body["retention_months"] == 24
    assert body["period_start"] is body["period_end"] is body["action_deadline"] is None
    assert stored_dialogue(app, body["id"])["retention_months"] == 24


def test_dialogue_create_admin_allowed(app: Flask, as_role: Callable[[Role], Api]) -> None:
    response = as_role(Role.admin).post("/dialogues", json={"title": "Parker"})
    assert response.status_code == 201
    assert count(app, Dialogue) == 1


def test_dialogue_create_observer_403_nothing_written(app: Flask, observer: Api) -> None:
    response = observer.post("/dialogues", json={"title": "Parker", "areas": ["Myrtorp"]})
    error_of(response, 403, "forbidden")
    assert count(app, Dialogue) == 0


def test_dialogue_create_without_token_401_nothing_written(app: Flask, client: FlaskClient) -> None:
    error_of(Api(client).post("/dialogues", json={"title": "Parker"}), 401, "unauthorized")
    assert count(app, Dialogue) == 0


def test_dialogue_create_auth_checked_before_body(
    app: Flask, client: FlaskClient, observer: Api
) -> None:
    """A caller without the right gets 401/403, not a lesson on the body's format."""
    error_of(Api(client).post("/dialogues", json={"colour": 1}), 401, "unauthorized")
    error_of(observer.post("/dialogues", json={"colour": 1}), 403, "forbidden")
    assert count(app, Dialogue) == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "Ok", "description": "x" * 5001}, "description"),
        ({"title": "Ok", "areas": ["Myrtorp", "myrtorp"]}, "areas"),
        ({"title": "Ok", "areas": ["Myrtorp", ""]}, "areas"),
        ({"title": "Ok", "period_start": "2025-06-01", "period_end": "2025-05-01"}, "period_end"),
        ({"title": "Ok", "retention_months": 0}, "retention_months"),
        ({"title": "Ok", "retention_months": 121}, "retention_months"),
        ({}, "title"),
        ({"title": 5}, "title"),
        ({"title": None}, "title"),
        ({"title": "Ok", "areas": "Myrtorp"}, "areas"),
        ({"title": "Ok", "areas": [{"name": "Myrtorp"}]}, "areas.0"),
        ({"title": "Ok", "retention_months": "24"}, "retention_months"),
        ({"title": "Ok", "retention_months": True}, "retention_months"),
        ({"title": "Ok", "retention_months": 24.5}, "retention_months"),
        ({"title": "Ok", "period_start": 20250301}, "period_start"),
        ({"title": "Ok", "period_start": "1 March 2025"}, "period_start"),
        ({"title": "Ok", "action_deadline": "2025-06-01T00:00:00"}, "action_deadline"),
        ({"title": "Ok", "colour": "blue"}, "colour"),
        ({"title": "Ok", "status": "archived"}, "status"),
        ({"title": "Ok", "id": 7}, "id"),
    ],
)
def test_dialogue_create_invalid_422_nothing_written(
    app: Flask, facilitator: Api, body: dict[str, Any], field: str
) -> None:
    error_of(facilitator.post("/dialogues", json=body), 422, "validation_error", field)
    assert count(app, Dialogue) == 0
    assert count(app, Area) == 0


def test_dialogue_create_body_not_object_422(app: Flask, facilitator: Api) -> None:
    message = error_of(facilitator.post("/dialogues", json=["Parker"]), 422, "validation_error")
    assert "dictionary" in message or "object" in message
    assert count(app, Dialogue) == 0


def test_dialogue_create_duplicate_districts_message_names_it(facilitator: Api) -> None:
    response = facilitator.post("/dialogues", json={"title": "Ok", "areas": ["Rönnby", "RÖNNBY"]})
    assert "RÖNNBY" in error_of(response, 422, "validation_error", "areas")


def test_dialogue_create_with_csrf_enabled_201(tmp_path: Path) -> None:
    """CSRF protection stays on for the pages but never asks bearer-token calls for a token."""
    guarded = create_app(make_config(tmp_path, WTF_CSRF_ENABLED=True))
    with guarded.app_context():
        Base.metadata.create_all(db.engine)
        user = auth_ops.create_user(
            "csrf@example.org", name=None, password=PASSWORD, role=Role.facilitator
        )
        token = auth_ops.issue_api_token(user)
        session().commit()
    try:
        browser = guarded.test_client()
        form = {"email": "csrf@example.org", "password": PASSWORD}
        assert browser.post("/login", data=form).status_code == 400  # no CSRF token
        response = Api(browser, token).post("/dialogues", json={"title": "Parker"})
        assert response.status_code == 201
        with guarded.app_context():
            assert session().scalar(sa.select(Dialogue.title)) == "Parker"
    finally:
        with guarded.app_context():
            db.engine.dispose()


# -- POST /dialogues/{id}/themes -----------------------------------------------------------


def test_theme_create_201_appends_and_writes(
    app: Flask, facilitator: Api, dialogue_id: int
) -> None:
    response = facilitator.post(
        f"/dialogues/{dialogue_id}/themes",
        json={"title": "Parker och grönska", "description": "Var vill du vistas?"},
    )
    assert response.status_code == 201
    body = response.get_json()
    with app.app_context():
        theme = session().get(Theme, body["id"])
        assert theme is not None
        assert (theme.dialogue_id, theme.title, theme.description, theme.position) == (
            dialogue_id,
            "Parker och grönska",
            "Var vill du vistas?",
            2,
        )
    assert body == {
        "id": body["id"],
        "dialogue_id": dialogue_id,
        "title": "Parker och grönska",
        "description": "Var vill du vistas?",
        "position": 2,
        "status": "planned",
        "is_archived": False,
    }
    listed = facilitator.get("/dialogues").get_json()[0]["themes"]
    assert [t["title"] for t in listed] == ["Belysning", "Skolvägar", "Parker och grönska"]


def test_theme_create_unknown_dialogue_404(app: Flask, facilitator: Api) -> None:
    response = facilitator.post("/dialogues/999/themes", json={"title": "Parker"})
    error_of(response, 404, "not_found")
    assert count(app, Theme) == 0


def test_theme_create_observer_403_nothing_written(
    app: Flask, observer: Api, dialogue_id: int
) -> None:
    error_of(
        observer.post(f"/dialogues/{dialogue_id}/themes", json={"title": "Parker"}),
        403,
        "forbidden",
    )
    assert count(app, Theme) == 2


def test_theme_create_bad_token_401(app: Flask, client: FlaskClient, dialogue_id: int) -> None:
    response = Api(client, "fct_wrong").post(
        f"/dialogues/{dialogue_id}/themes", json={"title": "Parker"}
    )
    error_of(response, 401, "unauthorized")
    assert count(app, Theme) == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "Ok", "description": "x" * 5001}, "description"),
        ({"title": ["Parker"]}, "title"),
        ({"title": "Ok", "description": 3}, "description"),
        ({"title": "Ok", "status": "done"}, "status"),
        ({"description": "no title"}, "title"),
    ],
)
def test_theme_create_invalid_422_nothing_written(
    app: Flask, facilitator: Api, dialogue_id: int, body: dict[str, Any], field: str
) -> None:
    response = facilitator.post(f"/dialogues/{dialogue_id}/themes", json=body)
    error_of(response, 422, "validation_error", field)
    assert count(app, Theme) == 2
