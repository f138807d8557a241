"""A meeting with people in it, and Socket.IO test clients on /live for each of them."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask_socketio import SocketIOTestClient

from facilitate.auth.models import Role, User
from facilitate.db import session
from facilitate.dialogues import operations as dialogue_ops
from facilitate.extensions import socketio
from facilitate.live import participants
from facilitate.meetings import operations as meeting_ops
from facilitate.meetings.models import MeetingStatus
from rooms.connections import registry

NS = "/live"
_ids = itertools.count(1)


def cid() -> str:
    return f"c{next(_ids)}"


@pytest.fixture
def meeting_id(app: Flask) -> int:
    with app.app_context():
        dialogue = dialogue_ops.create_dialogue("Trygghet", areas=["Fröslunda", "Myrtorp"])
        theme = dialogue_ops.create_theme(dialogue, "Belysning")
        meeting = meeting_ops.create_meeting(theme, "Kväll", template="in_depth_90")
        session().commit()
        return meeting.id


def open_meeting(app: Flask, meeting_id: int) -> None:
    with app.app_context():
        meeting = meeting_ops.get_meeting(meeting_id)
        meeting.status = MeetingStatus.open
        meeting.current_phase = 0
        session().commit()


@pytest.fixture
def join(app: Flask) -> Callable[..., str]:
    """Join a meeting the way a phone does; returns the participant token."""

    def _join(meeting_id: int, name: str = "", area: str | None = None) -> str:
        with app.app_context():
            meeting = meeting_ops.get_meeting(meeting_id)
            _, token = participants.join(meeting, display_name=name, area=area)
            session().commit()
            return token

    return _join


@pytest.fixture
def connect(app: Flask) -> Iterator[Callable[..., SocketIOTestClient]]:
    clients: list[SocketIOTestClient] = []

    def _connect(auth: dict[str, Any] | None = None, **kwargs: Any) -> SocketIOTestClient:
        client = socketio.test_client(app, namespace=NS, auth=auth, **kwargs)
        client.connect_auth = auth  # type: ignore[attr-defined] -- to reconnect as the same one
        clients.append(client)
        return client

    yield _connect
    for client in clients:
        if client.is_connected(NS):
            client.disconnect(NS)
    registry.clear()


@pytest.fixture
def staff(
    make_user: Callable[..., User], api_token: Callable[[User], str]
) -> Callable[[Role], str]:
    return lambda role: api_token(make_user(role))


def events(client: SocketIOTestClient, name: str | None = None) -> list[Any]:
    received = client.get_received(NS)
    return [e["args"][0] for e in received if name is None or e["name"] == name]


def named(received: list[dict[str, Any]], name: str) -> list[Any]:
    return [e["args"][0] for e in received if e["name"] == name]


@pytest.fixture
def room(
    app: Flask,
    meeting_id: int,
    join: Callable[..., str],
    connect: Callable[..., SocketIOTestClient],
    staff: Callable[[Role], str],
) -> dict[str, SocketIOTestClient]:
    """An open meeting with two phones, the console, a note-taker and the projector."""
    open_meeting(app, meeting_id)
    clients = {
        "anna": connect({"token": join(meeting_id, "Anna", "Fröslunda")}),
        "bo": connect({"token": join(meeting_id, "Bo", "Myrtorp")}),
        "console": connect({"token": staff(Role.facilitator), "meeting_id": meeting_id}),
        "notes": connect({"token": staff(Role.observer), "meeting_id": meeting_id}),
        "screen": connect(
            {"token": staff(Role.facilitator), "meeting_id": meeting_id, "view": "screen"}
        ),
    }
    for client in clients.values():
        assert client.is_connected(NS)
    return clients
