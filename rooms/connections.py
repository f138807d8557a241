"""Who is connected to which room, in this process.

Presence is the one piece of room state not in the database: it is about live
connections, which a restart ends anyway. With several instances, each shares its
part of it through Redis (rooms/shared.py); this registry stays the truth about the
connections here.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass, field

from facilitate.live.views_json import Viewer


@dataclass
class Connection:
    sid: str
    viewer: Viewer
    #: Socket.IO rooms this connection is in, so a regroup knows what to leave.
    rooms: set[str] = field(default_factory=set)


class Registry:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_sid: dict[str, Connection] = {}
        self._by_meeting: dict[int, set[str]] = defaultdict(set)

    def add(self, connection: Connection) -> None:
        with self._lock:
            self._by_sid[connection.sid] = connection
            self._by_meeting[connection.viewer.meeting_id].add(connection.sid)

    def remove(self, sid: str) -> Connection | None:
        with self._lock:
            connection = self._by_sid.pop(sid, None)
            if connection is not None:
                sids = self._by_meeting[connection.viewer.meeting_id]
                sids.discard(sid)
                if not sids:
                    del self._by_meeting[connection.viewer.meeting_id]
            return connection

    def get(self, sid: str) -> Connection | None:
        return self._by_sid.get(sid)

    def in_meeting(self, meeting_id: int) -> list[Connection]:
        with self._lock:
            return [self._by_sid[sid] for sid in self._by_meeting.get(meeting_id, ())]

    def has_meeting(self, meeting_id: int) -> bool:
        """Whether anyone here sits in the meeting: asked at every disconnect, so without
        ``in_meeting``'s list of all of them (a wave of a thousand leaving built a
        thousand lists of up to a thousand)."""
        return bool(self._by_meeting.get(meeting_id))

    def meetings(self) -> list[int]:
        """The meetings with a connection to this instance."""
        with self._lock:
            return list(self._by_meeting)

    def online_participants(self, meeting_id: int) -> set[int]:
        return {
            c.viewer.participant_id
            for c in self.in_meeting(meeting_id)
            if c.viewer.participant_id is not None
        }

    def clear(self) -> None:
        with self._lock:
            self._by_sid.clear()
            self._by_meeting.clear()


registry = Registry()
