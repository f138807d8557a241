"""Every socket event tried by every identity: allowed exactly for those it declares.

An event registered without a permission, or with one this table does not know, fails.
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask_socketio import SocketIOTestClient
from pydantic import BaseModel

from facilitate.auth.models import Role
from rooms import handlers
from rooms.engine import EVENTS, PERMISSIONS

from .conftest import NS, cid, open_meeting

ALLOWED = {
    "participant": {"anna"},
    "facilitator": {"console", "admin"},
    "staff": {"console", "notes", "admin"},
    "room": {"anna", "console", "notes", "admin"},
    # observers only with on_behalf, which the generated payload leaves out
    "anyone": {"anna", "console", "admin"},
}
IDENTITIES = ("anna", "console", "notes", "screen", "admin")


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
