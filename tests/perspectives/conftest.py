"""A meeting with a perspectives step, and the /live fixtures of tests/live."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import make_config
from flask import Flask
from flask_socketio import SocketIOTestClient
from live.conftest import NS, connect, join, staff  # noqa: F401 -- fixtures used here

from facilitate.db import session
from facilitate.dialogues import operations as dialogue_ops
from facilitate.meetings import operations as meeting_ops

#: The perspectives step of the "common_ground_90" agenda.
STEP = 2


@pytest.fixture
def app_config(tmp_path: Path, request: pytest.FixtureRequest) -> dict[str, Any]:
    # Short, so tests wait little for the coalesced analysis; still coalesced.
    overrides = {"PERSPECTIVES_INTERVAL": 0.3, **getattr(request, "param", {})}
    return make_config(tmp_path, **overrides)


@pytest.fixture
def meeting_id(app: Flask) -> int:
    with app.app_context():
        dialogue = dialogue_ops.create_dialogue("Trygghet", areas=["Fröslunda", "Myrtorp"])
        theme = dialogue_ops.create_theme(dialogue, "Belysning")
        meeting = meeting_ops.create_meeting(theme, "Kväll", template="common_ground_90")
        session().commit()
        return meeting.id


class Inbox:
    """What one client received, kept across reads, so a test can wait for an event."""

    def __init__(self, client: SocketIOTestClient) -> None:
        self.client = client
        self.received: list[dict[str, Any]] = []

    def __repr__(self) -> str:
        return f"<Inbox {len(self.received)} events>"

    def read(self) -> list[dict[str, Any]]:
        self.received.extend(self.client.get_received(NS))
        return self.received

    def named(self, name: str) -> list[Any]:
        return [e["args"][0] for e in self.read() if e["name"] == name]

    def wait(
        self, name: str, until: Callable[[Any], bool] = lambda _: True, timeout: float = 10.0
    ) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [payload for payload in self.named(name) if until(payload)]
            if found:
                return found[-1]
            time.sleep(0.05)
        raise AssertionError(f"no {name} within {timeout} s: {self.named(name)!r}")
