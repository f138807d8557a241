"""The agenda pages on PostgreSQL, whose read committed isolation lets a concurrent
opening commit in the middle of a request, unlike SQLite's single writer."""

from __future__ import annotations

import threading
from typing import Any

import psycopg
import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from facilitate.auth.models import User
from facilitate.meetings import operations as ops

from .test_views import meeting_id, phase_rows

__all__ = ["meeting_id"]  # the fixture, used here by name


@pytest.fixture
def app_config(postgres_config: dict[str, Any]) -> dict[str, Any]:
    return postgres_config


def test_phase_move_during_concurrent_opening_refused(
    app: Flask, client: FlaskClient, facilitator: User, meeting_id: int, postgres_url: str
) -> None:
    """The room opens the meeting (and the first contributions may follow) while a move is
    under way: the move waits for the opening and is then refused, not applied after it."""
    before = phase_rows(app, meeting_id)
    with app.app_context():
        second = ops.get_meeting(meeting_id).phases[1].id
    answers: list[TestResponse] = []
    mover = threading.Thread(
        target=lambda: answers.append(
            client.post(f"/meetings/{meeting_id}/phases/{second}/move", data={"offset": "-1"})
        )
    )
    with psycopg.connect(postgres_url.replace("+psycopg", "")) as room:
        room.execute(
            "UPDATE meetings SET status = 'open', current_phase = 0 WHERE id = %s", (meeting_id,)
        )
        mover.start()
        mover.join(timeout=1.5)
        assert mover.is_alive(), "the move went ahead beside an uncommitted opening"
        room.commit()
    mover.join(timeout=10)
    assert answers[0].status_code == 409
    assert phase_rows(app, meeting_id) == before
