"""Every socket event tried by every identity: allowed exactly for those it declares.

An event registered without a permission, or with one this table does not know, fails.
"""

from __future__ import annotations

import time
import typing
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_socketio import SocketIOTestClient
from pydantic import BaseModel

from facilitate.auth.models import Role
from facilitate.db import Base, session
from facilitate.dialogues.models import Theme
from facilitate.live.models import Contribution, Participant
from facilitate.meetings import operations as meeting_ops
from facilitate.proposals.models import Proposal
from rooms import handlers
from rooms.engine import EVENTS, PERMISSIONS

from .conftest import NS, cid, open_meeting
from .test_protocol import ack, comparable, state_of

ALLOWED = {
    "participant": {"anna"},
    "facilitator": {"console", "admin"},
    "staff": {"console", "notes", "admin"},
    "room": {"anna", "console", "notes", "admin"},
    # observers only with on_behalf, which the generated payload leaves out
    "anyone": {"anna", "console", "admin"},
}
IDENTITIES = ("anna", "console", "notes", "screen", "preview", "admin")


def sample(model: type[BaseModel]) -> dict[str, Any]:
    """A payload of the right shape for ``model``: every field, with a plausible value."""
    values: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        kind = field.annotation
        args = typing.get_args(kind)
        origins = {typing.get_origin(kind), *(typing.get_origin(a) for a in args)}
        if typing.Literal in origins:
            literal = kind if typing.get_origin(kind) is typing.Literal else args[0]
            values[name] = typing.get_args(literal)[0]
        elif list in origins:
            values[name] = [1]
        elif dict in origins:
            values[name] = {"yes": 1}
        elif kind is bool:
            values[name] = False
        elif kind is int or int in args:
            values[name] = 1
        elif name == "language":
            values[name] = "sv"
        elif kind is str or str in args:
            values[name] = "Ett rimligt värde"
    values["client_id"] = cid()
    return values


MODELS = {
    name: next(
        obj.__annotations__.get("p")
        for obj in vars(handlers).values()
        if callable(obj) and getattr(obj, "__name__", "") == name
    )
    for name in EVENTS
}


@pytest.fixture
def everyone(
    app: Flask,
    meeting_id: int,
    join: Callable[..., str],
    connect: Callable[..., SocketIOTestClient],
    staff: Callable[[Role], str],
) -> dict[str, SocketIOTestClient]:
    open_meeting(app, meeting_id)
    return {
        "anna": connect({"token": join(meeting_id, "Anna")}),
        "console": connect({"token": staff(Role.facilitator), "meeting_id": meeting_id}),
        "notes": connect({"token": staff(Role.observer), "meeting_id": meeting_id}),
        "screen": connect(
            {"token": staff(Role.facilitator), "meeting_id": meeting_id, "view": "screen"}
        ),
        "preview": connect(
            {"token": staff(Role.facilitator), "meeting_id": meeting_id, "view": "preview"}
        ),
        "admin": connect({"token": staff(Role.admin), "meeting_id": meeting_id}),
    }


def test_every_event_declares_a_known_permission() -> None:
    assert set(PERMISSIONS) == set(EVENTS)
    assert set(PERMISSIONS.values()) <= set(ALLOWED)
    assert len(EVENTS) > 25


@pytest.mark.parametrize("event", sorted(EVENTS))
def test_event_allowed_exactly_for_its_declared_identities(
    everyone: dict[str, SocketIOTestClient], event: str
) -> None:
    model = getattr(handlers, MODELS[event]) if isinstance(MODELS[event], str) else MODELS[event]
    allowed = ALLOWED[PERMISSIONS[event]]
    for who in IDENTITIES:
        answer = everyone[who].emit(event, sample(model), namespace=NS, callback=True)
        assert isinstance(answer, dict), (event, who, answer)
        refused = answer.get("ok") is False and answer["error"]["code"] == "forbidden"
        assert refused == (who not in allowed), (event, who, answer)


def table_rows(app: Flask) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table but the write log: what a refused event must leave as it was."""
    with app.app_context():
        tables = [t for t in Base.metadata.sorted_tables if t.name != "client_writes"]
        return {
            t.name: sorted(tuple(map(str, row)) for row in session().execute(sa.select(t)))
            for t in tables
        }


def fresh_state(like: SocketIOTestClient, connect: Callable[..., SocketIOTestClient]) -> Any:
    client = connect(like.connect_auth)  # type: ignore[attr-defined]
    state = state_of(client)
    client.disconnect(NS)
    return state


@pytest.fixture
def stranger(
    app: Flask,
    room: dict[str, SocketIOTestClient],
    join: Callable[..., str],
    connect: Callable[..., SocketIOTestClient],
    staff: Callable[[Role], str],
) -> SocketIOTestClient:
    """A resident of another meeting, after this meeting got contribution 1 and proposal 1."""
    ack(room["anna"], "contribution_add", text="Mörkt vid busshållplatsen")
    ack(room["anna"], "proposal_add", title="Fler lampor")
    ack(room["anna"], "hand_raise")
    ack(room["console"], "voting_open")
    with app.app_context():
        theme = session().scalars(sa.select(Theme)).one()
        other = meeting_ops.create_meeting(theme, "Dagtid", template="in_depth_90")
        session().commit()
        other_id = other.id
    open_meeting(app, other_id)
    console = connect({"token": staff(Role.facilitator), "meeting_id": other_id})
    ack(console, "proposal_add", title="Trygga gångvägar")
    ack(console, "voting_open")  # a vote open there too, so a ballot gets as far as its id
    client = connect({"token": join(other_id, "Cecilia")})
    assert client.is_connected(NS)
    return client


def test_resident_of_another_meeting_cannot_connect_here(
    app: Flask, meeting_id: int, stranger: SocketIOTestClient, connect: Callable[..., Any]
) -> None:
    token = stranger.connect_auth["token"]  # type: ignore[attr-defined]
    assert not connect({"token": token, "meeting_id": meeting_id}).is_connected(NS)
    # Their own room is the other meeting: its state, not this one's.
    state = state_of(stranger)
    assert state["meeting"]["id"] != meeting_id
    assert state["contributions"] == []


@pytest.mark.parametrize("event", sorted(EVENTS))
def test_resident_of_another_meeting_changes_nothing_here(
    app: Flask,
    meeting_id: int,
    room: dict[str, SocketIOTestClient],
    stranger: SocketIOTestClient,
    connect: Callable[..., SocketIOTestClient],
    event: str,
) -> None:
    with app.app_context():  # the ids a stranger's payload names are this meeting's
        assert session().get(Contribution, 1).meeting_id == meeting_id  # type: ignore[union-attr]
        assert session().get(Proposal, 1).meeting_id == meeting_id  # type: ignore[union-attr]
        assert session().get(Participant, 1).meeting_id == meeting_id  # type: ignore[union-attr]
    before = table_rows(app)
    here = comparable(fresh_state(room["console"], connect))
    for client in room.values():
        client.get_received(NS)
    model = getattr(handlers, MODELS[event]) if isinstance(MODELS[event], str) else MODELS[event]
    payload = sample(model)
    answer = stranger.emit(event, payload, namespace=NS, callback=True)
    assert isinstance(answer, dict), (event, answer)
    names_something = any(
        isinstance(v, int) and not isinstance(v, bool) for k, v in payload.items()
    ) or any(isinstance(v, list) for v in payload.values())
    if names_something:
        assert answer["ok"] is False, (event, answer)
        assert answer["error"]["code"] in {"forbidden", "not_found"}, (event, answer)
    if not answer["ok"]:
        assert table_rows(app) == before, (event, answer)
    # Allowed or not, this meeting looks as it did to a fresh console.
    assert comparable(fresh_state(room["console"], connect)) == here, (event, answer)
    time.sleep(0.3)  # past the tally's coalescing interval
    for name, client in room.items():
        heard = {e["name"] for e in client.get_received(NS)} - {"presence"}
        assert heard == set(), (event, name, heard)
