"""A Socket.IO event's Flask session: the connection's copy, not the cookie read again."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from flask.testing import FlaskClient

from facilitate.auth.models import Role, User
from facilitate.extensions import socketio

from .conftest import NS, cid, open_meeting


def test_event_session_is_the_connect_s_copy_cookie_read_once(
    app: Flask,
    client: FlaskClient,
    make_user: Callable[..., User],
    login: Callable[[User], None],
    meeting_id: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    open_meeting(app, meeting_id)
    login(make_user(Role.facilitator))
    reads: list[str] = []
    read_cookie = SecureCookieSessionInterface.open_session

    def counted(self: SecureCookieSessionInterface, app: Flask, request: Any) -> Any:
        reads.append(request.path)
        return read_cookie(self, app, request)

    monkeypatch.setattr(SecureCookieSessionInterface, "open_session", counted)
    console = socketio.test_client(
        app, namespace=NS, auth={"meeting_id": meeting_id}, flask_test_client=client
    )
    try:
        assert len(reads) == 1  # the connect's
        # The facilitator's session (Flask-Login's user) holds for every later event.
        for event, payload in (
            ("timer_start", {"seconds": 60}),
            ("timer_pause", {}),
            ("phase_goto", {"index": 1}),
        ):
            answer = console.emit(
                event, {"client_id": cid(), **payload}, namespace=NS, callback=True
            )
            assert answer["ok"] is True, answer
        assert len(reads) == 1
        # An HTTP request still reads its cookie.
        assert client.get(f"/meetings/{meeting_id}/console").status_code == 200
        assert len(reads) == 2
    finally:
        console.disconnect(NS)
