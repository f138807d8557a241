"""Each live input's limit is one number: what the server refuses just past it, the
templates' ``maxlength`` (or ``max``) and the scripts' (through ``room-config``) say it too,
so a browser never lets through what the server would refuse, nor refuses what it takes."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_socketio import SocketIOTestClient

from facilitate.auth.models import User
from facilitate.live.participants import cookie_name

from .conftest import open_meeting
from .test_protocol import ack

STATIC_JS = Path(__file__).resolve().parents[2] / "static" / "js"

#: Which limit each input of the live pages carries.
INPUTS = {
    "write-text": "contribution",
    "proposal-title": "proposal_title",
    "proposal-body": "proposal_body",
    "notice-text": "notice",
    "hand-label": "hand_label",
    "timer-minutes": "timer_minutes",
    "groups-count": "groups",
}


class Inputs(HTMLParser):
    """Every input and textarea with an id: its ``maxlength`` or ``max``; and the config."""

    def __init__(self) -> None:
        super().__init__()
        self.bounds: dict[str, int] = {}
        self.config: dict[str, Any] = {}
        self._in_config = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag in ("input", "textarea") and found.get("id"):
            bound = found.get("maxlength") or found.get("max")
            if bound is not None:
                self.bounds[str(found["id"])] = int(bound)
        self._in_config = tag == "script" and found.get("id") == "room-config"

    def handle_data(self, data: str) -> None:
        if self._in_config:
            self.config = json.loads(data)
            self._in_config = False


def read(page: str) -> Inputs:
    parser = Inputs()
    parser.feed(page)
    return parser


@pytest.fixture
def limits(app: Flask) -> dict[str, int]:
    return dict(app.jinja_env.globals["limits"])  # type: ignore[call-overload]


def test_live_pages_inputs_carry_the_server_limits(
    app: Flask,
    client: FlaskClient,
    facilitator: User,
    meeting_id: int,
    join: Callable[..., str],
    limits: dict[str, int],
) -> None:
    open_meeting(app, meeting_id)
    pages = {view: f"/meetings/{meeting_id}/{view}" for view in ("console", "notes", "screen")}
    seen: set[str] = set()
    for view, url in pages.items():
        page = read(client.get(url).get_data(as_text=True))
        assert page.config["limits"] == limits, view
        for input_id, bound in page.bounds.items():
            assert input_id in INPUTS, f"{view}: #{input_id} has a bound no test checks"
            assert bound == limits[INPUTS[input_id]], f"{view}: #{input_id}"
            seen.add(input_id)
    client.set_cookie(cookie_name(meeting_id), join(meeting_id, "Anna"))
    phone = client.get(f"/m/{meeting_id}")
    assert phone.status_code == 200
    page = read(phone.get_data(as_text=True))
    assert page.config["limits"] == limits
    for input_id, bound in page.bounds.items():
        assert bound == limits[INPUTS[input_id]], f"phone: #{input_id}"
        seen.add(input_id)
    assert seen == set(INPUTS)


def test_scripts_take_limits_from_the_config_only() -> None:
    for script in STATIC_JS.glob("*.js"):
        text = script.read_text()
        assert not re.search(r"\bmax(length)?\s*:\s*[\"']?\d", text), script.name


def over(limit: int) -> tuple[str, str]:
    """A text of exactly ``limit`` characters, and one a character longer."""
    return "å" * limit, "å" * (limit + 1)


def refused_at(answer: dict[str, Any], field: str) -> None:
    assert answer["ok"] is False, answer
    assert answer["error"]["code"] == "validation_error", answer
    assert answer["error"]["field"] == field, answer


def test_server_takes_each_text_up_to_its_limit_and_no_further(
    room: dict[str, SocketIOTestClient], limits: dict[str, int]
) -> None:
    anna, console = room["anna"], room["console"]

    fits, too_long = over(limits["contribution"])
    made = ack(anna, "contribution_add", text=fits)
    assert made["ok"] is True, made
    refused_at(ack(anna, "contribution_add", text=too_long), "text")
    refused_at(ack(anna, "contribution_edit", id=made["id"], text=too_long), "text")
    assert ack(anna, "contribution_edit", id=made["id"], text=fits)["ok"] is True

    fits, too_long = over(limits["translation"])
    refused_at(ack(console, "contribution_translate", id=made["id"], text=too_long), "text")
    assert ack(console, "contribution_translate", id=made["id"], text=fits)["ok"] is True

    fits, too_long = over(limits["reason"])
    refused_at(ack(console, "contribution_hide", id=made["id"], reason=too_long), "reason")
    assert ack(console, "contribution_hide", id=made["id"], reason=fits)["ok"] is True

    fits, too_long = over(limits["notice"])
    refused_at(ack(console, "notice", text=too_long), "text")
    assert ack(console, "notice", text=fits)["ok"] is True

    fits, too_long = over(limits["proposal_title"])
    refused_at(ack(anna, "proposal_add", title=too_long), "title")
    proposal = ack(anna, "proposal_add", title=fits)
    assert proposal["ok"] is True, proposal

    fits, too_long = over(limits["proposal_body"])
    refused_at(ack(anna, "proposal_add", title="Bänkar", body=too_long), "body")
    assert ack(anna, "proposal_add", title="Bänkar vid ån", body=fits)["ok"] is True


def test_server_takes_timer_and_groups_up_to_their_limits(
    room: dict[str, SocketIOTestClient], limits: dict[str, int]
) -> None:
    console = room["console"]
    minutes = limits["timer_minutes"]
    refused_at(ack(console, "timer_start", seconds=(minutes + 1) * 60), "seconds")
    assert ack(console, "timer_start", seconds=minutes * 60)["ok"] is True
    refused_at(ack(console, "groups_split", count=limits["groups"] + 1), "count")
    assert ack(console, "groups_split", count=limits["groups"])["ok"] is True
