"""Joining a meeting: POST /api/v1/join, the /j/<code> page, and the failed-join limit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from api.test_openapi import Api
from flask import Flask
from flask.testing import FlaskClient
from flask_socketio import SocketIOTestClient

from facilitate.db import session
from facilitate.live.models import Participant
from facilitate.meetings import operations as meeting_ops
from facilitate.meetings.models import MeetingStatus

from .conftest import NS, open_meeting


def code_of(app: Flask, meeting_id: int) -> str:
    with app.app_context():
        return meeting_ops.get_meeting(meeting_id).join_code


def set_status(app: Flask, meeting_id: int, status: MeetingStatus) -> None:
    with app.app_context():
        meeting_ops.get_meeting(meeting_id).status = status
        session().commit()


def participants(app: Flask) -> list[Participant]:
    with app.app_context():
        rows = session().query(Participant).order_by(Participant.id).all()
        for row in rows:
            session().expunge(row)
        return rows


@pytest.fixture
def api(client: FlaskClient) -> Api:
    return Api(client)


def test_api_join_open_meeting_returns_token(
    app: Flask, api: Api, meeting_id: int, connect: Callable[..., SocketIOTestClient]
) -> None:
    open_meeting(app, meeting_id)
    code = code_of(app, meeting_id)
    spaced = f"{code[:4].lower()} {code[4:]}"  # as read off the projector
    response = api.post(
        "/join",
        json={"join_code": spaced, "display_name": "Anna", "area": "Fröslunda", "age_band": "65-"},
    )
    assert response.status_code == 201
    body = response.get_json()
    assert body["meeting_id"] == meeting_id
    assert body["participant_token"].startswith("fcp_")
    (joined,) = participants(app)
    assert (joined.display_name, joined.age_band.value if joined.age_band else None) == (
        "Anna",
        "65-",
    )
    # The token is good for the room.
    phone = connect({"token": body["participant_token"]})
    assert phone.is_connected(NS)


def test_api_join_anonymous_with_nothing_but_the_code(
    app: Flask, api: Api, meeting_id: int
) -> None:
    open_meeting(app, meeting_id)
    response = api.post("/join", json={"join_code": code_of(app, meeting_id)})
    assert response.status_code == 201
    (joined,) = participants(app)
    assert (joined.display_name, joined.area_id, joined.age_band) == ("", None, None)


@pytest.mark.parametrize("status", [MeetingStatus.draft, MeetingStatus.closed])
def test_api_join_not_open_is_404(
    app: Flask, api: Api, meeting_id: int, status: MeetingStatus
) -> None:
    set_status(app, meeting_id, status)
    response = api.post("/join", json={"join_code": code_of(app, meeting_id)})
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    assert participants(app) == []


@pytest.mark.parametrize("code", ["ZZZZ2222", "abc", "", "ÅÄÖ!ÅÄÖ!"])
def test_api_join_unknown_or_malformed_code_is_404(
    app: Flask, api: Api, meeting_id: int, code: str
) -> None:
    open_meeting(app, meeting_id)
    response = api.post("/join", json={"join_code": code})
    assert response.status_code == 404
    assert response.get_json()["error"] == {
        "code": "not_found",
        "message": "No open meeting has this code.",
        "field": "join_code",
    }


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"age_band": "12-13"}, "age_band"),
        ({"area": "Atlantis"}, "area"),
        ({"display_name": "x" * 200}, "display_name"),
        ({"display_name": 5}, "display_name"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_api_join_bad_input_is_422_and_joins_nobody(
    app: Flask, api: Api, meeting_id: int, body: dict[str, Any], field: str
) -> None:
    open_meeting(app, meeting_id)
    response = api.post("/join", json={"join_code": code_of(app, meeting_id), **body})
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    assert error["field"] == field
    assert participants(app) == []


@pytest.mark.parametrize("app_config", [{"MAX_PARTICIPANTS": 2}], indirect=True)
def test_api_join_full_meeting_is_409(app: Flask, api: Api, meeting_id: int) -> None:
    open_meeting(app, meeting_id)
    code = code_of(app, meeting_id)
    assert [api.post("/join", json={"join_code": code}).status_code for _ in range(3)] == [
        201,
        201,
        409,
    ]
    assert api.post("/join", json={"join_code": code}).get_json()["error"]["code"] == (
        "meeting_full"
    )
    assert len(participants(app)) == 2


def test_api_join_documented_without_security(api: Api) -> None:
    operation = api.doc["paths"]["/api/v1/join"]["post"]
    # Operations that need a token list their scheme; this one lists none (and no global one).
    assert "security" not in operation
    assert "security" not in api.doc
    assert {"201", "404", "409", "422", "429"} <= set(operation["responses"])


@pytest.mark.parametrize(
    "app_config",
    [{"RATELIMIT_ENABLED": True, "JOIN_FAILURE_LIMIT": "3 per minute"}],
    indirect=True,
)
def test_failed_joins_limited_per_address_successful_never(
    app: Flask, api: Api, meeting_id: int, client: FlaskClient
) -> None:
    open_meeting(app, meeting_id)
    code = code_of(app, meeting_id)
    misses = [api.post("/join", json={"join_code": "ZZZZ2222"}).status_code for _ in range(4)]
    assert misses == [404, 404, 404, 429]
    assert api.post("/join", json={"join_code": "ZZZZ2222"}).get_json()["error"]["code"] == (
        "rate_limited"
    )
    # The whole hall shares this address, and every valid join still gets in.
    hall = [api.post("/join", json={"join_code": code}).status_code for _ in range(40)]
    assert hall == [201] * 40
    # The join page counts against the same budget.
    assert client.get("/j/ZZZZ2222").status_code == 429
    assert client.get(f"/j/{code}").status_code == 200
    # Another address is not affected.
    other = client.post(
        "/api/v1/join", json={"join_code": "ZZZZ2222"}, environ_base={"REMOTE_ADDR": "10.0.0.9"}
    )
    assert other.status_code == 404
