"""What every API view shares: the body's type (415) and the database away (503)."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from api.test_openapi import Api, database_away, error_of
from facilitate.db import session
from facilitate.dialogues.models import Dialogue
from facilitate.extensions import db

BODY = '{"title": "Trygghet", "areas": ["Myrtorp"]}'


def dialogues(app: Flask) -> int:
    with app.app_context():
        return session().scalar(sa.select(sa.func.count()).select_from(Dialogue)) or 0


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "text/plain; charset=utf-8",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/octet-stream",
        "application/json-patch+json",
        "application/json; charset=latin-1",
        "application/json; profile=x",
        "",
    ],
)
def test_body_under_other_type_415_nothing_written(
    app: Flask, facilitator: Api, content_type: str
) -> None:
    headers = {"Content-Type": content_type, "Accept-Language": "en"}
    response = facilitator.post("/dialogues", data=BODY, headers=headers)
    message = error_of(response, 415, "unsupported_media_type")
    assert "Content-Type: application/json" in message
    assert dialogues(app) == 0


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "application/json; charset=utf-8", 'Application/JSON;Charset="UTF-8"'],
)
def test_body_under_json_type_accepted(app: Flask, facilitator: Api, content_type: str) -> None:
    response = facilitator.post("/dialogues", data=BODY, headers={"Content-Type": content_type})
    assert response.status_code == 201, response.get_json()
    assert dialogues(app) == 1


def test_body_type_415_on_every_operation_with_a_body(
    facilitator: Api, agreed: dict[str, int]
) -> None:
    operations = [
        (method, path)
        for path, methods in facilitator.doc["paths"].items()
        for method, operation in methods.items()
        if "requestBody" in operation
    ]
    assert len(operations) >= 9  # not vacuous: every operation with a body, nine today
    for method, path in operations:
        concrete = path.removeprefix("/api/v1").replace("{", "").replace("}", "")
        for name, value in agreed.items():
            concrete = concrete.replace(f"{name}_id", str(value))
        concrete = concrete.replace("theme_id", "1").replace("action_id", str(agreed["item"]))
        concrete = concrete.replace("note_id", "1").replace("conversation_id", "1")
        response = facilitator.call(
            method.upper(), concrete, data="{}", headers={"Content-Type": "text/plain"}
        )
        error_of(response, 415, "unsupported_media_type")


def test_body_type_checked_after_the_token(app: Flask, client: Any, observer: Api) -> None:
    headers = {"Content-Type": "text/plain"}
    assert Api(client).post("/dialogues", data=BODY, headers=headers).status_code == 401
    assert observer.post("/dialogues", data=BODY, headers=headers).status_code == 403


def test_body_missing_without_type_400(app: Flask, facilitator: Api) -> None:
    response = facilitator.call("POST", "/dialogues", headers={"Content-Type": ""})
    error_of(response, 400, "bad_request")


def test_body_type_message_in_swedish(facilitator: Api) -> None:
    headers = {"Content-Type": "text/plain", "Accept-Language": "sv"}
    message = error_of(
        facilitator.post("/dialogues", data=BODY, headers=headers), 415, "unsupported_media_type"
    )
    assert "JSON" in message
    assert "Send the body" not in message


@pytest.mark.parametrize(
    "app_config", [{"DATABASE_POOL_SIZE": 1, "DATABASE_POOL_WAIT": 1}], indirect=True
)
def test_pool_busy_503_with_retry_after(app: Flask, facilitator: Api) -> None:
    """Every pooled connection busy past DATABASE_POOL_WAIT: a 503, as when the database is
    away, not a 500; once one is free, the same request works."""
    with app.app_context():
        engine = db.engine
    busy = engine.connect()
    try:
        response = facilitator.post("/dialogues", json={"title": "Trygghet"})
    finally:
        busy.close()
    error_of(response, 503, "unavailable")
    assert response.headers["Retry-After"] == "5"
    assert dialogues(app) == 0
    assert facilitator.post("/dialogues", json={"title": "Trygghet"}).status_code == 201
    assert dialogues(app) == 1


def test_database_away_503_with_retry_after(app: Flask, facilitator: Api) -> None:
    with database_away(app):
        response = facilitator.post("/dialogues", json={"title": "Trygghet"})
        listed = facilitator.get("/dialogues")
    for answer in (response, listed):
        error_of(answer, 503, "unavailable")
        assert answer.headers["Retry-After"] == "5"
    assert dialogues(app) == 0
