"""Connecting, the first state, and a contribution reaching the right screens."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask

from facilitate.auth.models import Role

from .conftest import NS, cid, open_meeting


def test_connect_participant_gets_state(
    app: Flask, meeting_id: int, join: Callable[..., str], connect: Callable
) -> None:
    open_meeting(app, meeting_id)
    phone = connect({"token": join(meeting_id, "Anna")})
    assert phone.is_connected(NS)
    (state,) = [e["args"][0] for e in phone.get_received(NS) if e["name"] == "state"]
    assert set(state) == {
        "meeting",
        "phases",
        "current_phase",
        "timer",
        "contributions",
        "hands",
        "speaker",
        "groups",
        "presence",
        "screen",
        "proposals",
        "voting",
        "tally",
        "perspectives",
        "quotes",
        "me",
    }
    assert state["meeting"] == {
        "id": meeting_id,
        "title": "Kväll",
        "status": "open",
        "intro": "",
        "intros": {},
        "premoderation": False,
        "video_url": "",
    }
    assert state["me"]["role"] == "participant"
    assert len(state["phases"]) == 6


def test_contribution_add_reaches_room_and_staff(
    app: Flask,
    meeting_id: int,
    join: Callable[..., str],
    connect: Callable,
    staff: Callable[[Role], str],
) -> None:
    open_meeting(app, meeting_id)
    anna = connect({"token": join(meeting_id, "Anna")})
    assert anna.is_connected(NS)
    bo = connect({"token": join(meeting_id, "Bo")})
    console = connect({"token": staff(Role.facilitator), "meeting_id": meeting_id})
    for c in (anna, bo, console):
        c.get_received(NS)
    ack = anna.emit(
        "contribution_add",
        {"client_id": cid(), "text": "Mörkt vid busshållplatsen"},
        namespace=NS,
        callback=True,
    )
    assert ack["ok"] is True
    (mine,) = [e["args"][0] for e in anna.get_received(NS) if e["name"] == "contribution"]
    (theirs,) = [e["args"][0] for e in bo.get_received(NS) if e["name"] == "contribution"]
    (seen,) = [e["args"][0] for e in console.get_received(NS) if e["name"] == "contribution"]
    assert mine["own"] is True
    assert theirs["own"] is False
    assert mine["id"] == theirs["id"] == seen["id"] == ack["id"]
    assert "hidden" not in theirs
    assert seen["hidden"] is False
