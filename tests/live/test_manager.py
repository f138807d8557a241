"""The client manager that keeps each connection's rooms (rooms/manager.py): its state is
the library's own manager's after any sequence of entering, leaving, closing and leaving
altogether, and a connection that goes leaves nothing behind."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import socketio  # type: ignore[import-untyped]
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st

from facilitate.extensions import socketio as app_socketio
from rooms.manager import LocalManager

from .conftest import NS, open_meeting
from .test_room_states import Connect

ROOMS = ["meeting:1", "meeting:1:participant:2", "meeting:1:staff", "meeting:2"]


class _Ids:
    def __init__(self) -> None:
        self.n = 0

    def generate_id(self) -> str:
        self.n += 1
        return f"sid{self.n}"


class _Server:
    packet_class = socketio.packet.Packet

    def __init__(self) -> None:
        self.eio = _Ids()


def _manager(kind: type[Any]) -> Any:
    manager = kind()
    manager.set_server(_Server())
    return manager


def _state(manager: Any) -> dict[str, object]:
    """What the library keeps, comparable between two managers."""
    return {
        "rooms": {
            ns: {room: dict(members) for room, members in rooms.items()}
            for ns, rooms in manager.rooms.items()
        },
        "callbacks": sorted(manager.callbacks),
        "pending_connect": manager.pending_connect,
        "pending_disconnect": manager.pending_disconnect,
    }


#: One step: (what, which connection, which room).
step = st.tuples(
    st.sampled_from(["connect", "enter", "leave", "close", "ack", "pre_disconnect", "disconnect"]),
    st.integers(min_value=0, max_value=5),
    st.sampled_from(ROOMS),
)


def _apply(manager: Any, what: str, n: int, room: str) -> str | None:
    """Do the step; the error's type if it failed."""
    sid = f"sid{n}"
    try:
        if what == "connect":
            manager.connect(f"eio{n}", NS)
        elif what == "enter":
            manager.basic_enter_room(sid, NS, room)
        elif what == "leave":
            manager.basic_leave_room(sid, NS, room)
        elif what == "close":
            manager.basic_close_room(room, NS)
        elif what == "ack":
            manager._generate_ack_id(sid, print)
        elif what == "pre_disconnect":
            manager.pre_disconnect(sid, NS)
        else:
            manager.disconnect(sid, NS)
    except Exception as error:
        return type(error).__name__
    return None


@settings(max_examples=300, deadline=None)
@given(steps=st.lists(step, max_size=40))
def test_manager_state_as_the_library_s_after_any_steps(steps: list[tuple[str, int, str]]) -> None:
    theirs, ours = _manager(socketio.Manager), _manager(LocalManager)
    for what, n, room in steps:
        assert _apply(ours, what, n, room) == _apply(theirs, what, n, room)
        assert _state(ours) == _state(theirs)
        for sid in {f"sid{i}" for i in range(7)}:
            assert sorted(ours.get_rooms(sid, NS)) == sorted(theirs.get_rooms(sid, NS))
    # What it keeps of each connection is exactly the rooms the connection is in.
    kept = {
        (ns, sid, room)
        for ns, by_sid in ours.joined.items()
        for sid, rs in by_sid.items()
        for room in rs
    }
    held = {
        (ns, sid, room)
        for ns, rs in ours.rooms.items()
        for room, members in rs.items()
        for sid in members
    }
    assert kept == held


def test_manager_forgets_the_phones_that_left_the_hall(
    app: Flask, connect: Connect, join: Callable[..., str], meeting_id: int
) -> None:
    open_meeting(app, meeting_id)
    manager = app_socketio.server.manager  # type: ignore[attr-defined]
    assert isinstance(manager, LocalManager)
    phones = [connect({"token": join(meeting_id, f"Boende {n}")}) for n in range(4)]
    sids = {sid for sid, _ in manager.get_participants(NS, None)}
    assert len(sids) == 4
    # Each phone is in its own room, its resident's and the meeting's residents' at least.
    for sid in sids:
        assert len(manager.get_rooms(sid, NS)) >= 3
        assert sorted(manager.get_rooms(sid, NS)) == sorted(
            socketio.Manager.get_rooms(manager, sid, NS)
        )
    for phone in phones[:3]:
        phone.disconnect(NS)
    (staying,) = {sid for sid, _ in manager.get_participants(NS, None)}
    assert set(manager.joined[NS]) == {staying}
    # Nothing is left of the three in any room: only the one still here is anywhere.
    members = {sid for room in manager.rooms[NS].values() for sid in room}
    assert members == {staying}
    phones[3].disconnect(NS)
    assert NS not in manager.joined
    assert NS not in manager.rooms
