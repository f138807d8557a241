"""Socket.IO client managers that keep each connection's rooms.

python-socketio's managers find the rooms of a connection that leaves by looking in every
room of the namespace (``BaseManager.basic_disconnect`` and ``get_rooms``). Each
connection has a room of its own, and each resident one for their phones, so in a hall
of 1,000 phones one leaving looked through some 2,000 rooms (a Python-level membership
test in each), and a thousand leaving together, at a meeting's end or in a Wi-Fi blip,
cost a thousand times that: it grows with the square of the room (docs/performance.md).
``RoomIndex`` keeps each connection's rooms as it enters and leaves them, and a leaving
connection leaves just those.

``basic_disconnect`` is python-socketio's own but for where the rooms come from; the
library is pinned (``python-socketio==5.18.1``), and tests/live/test_manager.py holds its
state equal to the library's manager's after any sequence of entering, leaving,
closing and disconnecting.
"""

from __future__ import annotations

from typing import Any

import socketio  # type: ignore[import-untyped]


class RoomIndex:
    """A mixin for a ``socketio.Manager`` or a pub/sub manager: each connection's rooms,
    by namespace (``None`` is the room of all connections, as in the library)."""

    rooms: dict[str, dict[Any, Any]]
    callbacks: dict[str, Any]
    pending_connect: dict[str, list[str]]
    pending_disconnect: dict[str, list[str]]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: namespace → sid → its rooms, in the order it entered them.
        self.joined: dict[str, dict[str, dict[Any, None]]] = {}

    def basic_enter_room(self, sid: str, namespace: str, room: Any, eio_sid: Any = None) -> None:
        super().basic_enter_room(sid, namespace, room, eio_sid=eio_sid)  # type: ignore[misc]
        self.joined.setdefault(namespace, {}).setdefault(sid, {})[room] = None

    def basic_leave_room(self, sid: str, namespace: str, room: Any) -> None:
        super().basic_leave_room(sid, namespace, room)  # type: ignore[misc]
        by_sid = self.joined.get(namespace)
        rooms = by_sid.get(sid) if by_sid is not None else None
        if by_sid is None or rooms is None:
            return
        rooms.pop(room, None)
        if not rooms:
            del by_sid[sid]
            if not by_sid:
                del self.joined[namespace]

    def basic_disconnect(self, sid: str, namespace: str, **kwargs: Any) -> None:
        if namespace not in self.rooms:
            return
        for room in list(self.joined.get(namespace, {}).get(sid, ())):
            self.basic_leave_room(sid, namespace, room)
        self.callbacks.pop(sid, None)
        for pending in (self.pending_connect, self.pending_disconnect):
            waiting = pending.get(namespace)
            if waiting is not None and sid in waiting:
                waiting.remove(sid)
                if not waiting:
                    del pending[namespace]

    def get_rooms(self, sid: str, namespace: str) -> list[Any]:
        return [room for room in self.joined.get(namespace, {}).get(sid, ()) if room is not None]


class LocalManager(RoomIndex, socketio.Manager):  # type: ignore[misc]
    """One instance's connections, without a message queue."""

    def __repr__(self) -> str:
        return f"<LocalManager namespaces={sorted(self.joined)}>"
