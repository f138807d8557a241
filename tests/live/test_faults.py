"""Bad days: a locked database gets a clear error ack, never a false success, and the
same write goes through once the database is back."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_socketio import SocketIOTestClient

from facilitate.db import session
from facilitate.live.models import Contribution

from .conftest import NS


def test_locked_database_refuses_then_takes_the_retry(
    app: Flask,
    room: dict[str, SocketIOTestClient],
    app_config: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    path = Path(app_config["DATABASE_URL"].removeprefix("sqlite:///"))
    payload = {"client_id": "held-1", "text": "Skrivet medan databasen var låst"}
    blocker = sqlite3.connect(path, timeout=0)
    try:
        blocker.execute("BEGIN EXCLUSIVE")
        answer = room["anna"].emit("contribution_add", payload, namespace=NS, callback=True)
    finally:
        blocker.rollback()
        blocker.close()
    assert answer["ok"] is False
    assert answer["error"]["code"] == "unavailable"
    assert "write contribution_add failed in the database" in caplog.text
    assert room["anna"].is_connected(NS)
    again = room["anna"].emit("contribution_add", payload, namespace=NS, callback=True)
    assert again["ok"] is True
    with app.app_context():
        stored = session().scalars(sa.select(Contribution.text)).all()
    assert stored == ["Skrivet medan databasen var låst"]
