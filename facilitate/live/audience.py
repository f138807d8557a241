"""Who hears an event: named audiences, mapped one to one onto Socket.IO rooms.

Residents and the projector ("screen") see the same things; staff see more
(hidden contributions with their reasons, the presence list).
"""

from __future__ import annotations


def everyone(meeting_id: int) -> str:
    return f"m{meeting_id}"


def staff(meeting_id: int) -> str:
    return f"m{meeting_id}:staff"


def public(meeting_id: int) -> str:
    """Residents and the projector: what is said to the whole room."""
    return f"m{meeting_id}:public"


def screen(meeting_id: int) -> str:
    return f"m{meeting_id}:screen"


def group(meeting_id: int, number: int) -> str:
    """Residents of one breakout group, while groups run."""
    return f"m{meeting_id}:g{number}"


def participant(meeting_id: int, participant_id: int) -> str:
    """Every connection of one phone (a participant may have two tabs open)."""
    return f"m{meeting_id}:p{participant_id}"


def meeting_of(room: str | None) -> int | None:
    """The meeting an audience belongs to: every audience is one meeting's."""
    if room is None or not room.startswith("m"):
        return None
    number = room[1:].split(":", 1)[0]
    return int(number) if number.isdigit() else None


def personal(room: str | None) -> bool:
    """Whether it is one phone's own audience (what only that participant hears)."""
    if room is None or ":" not in room:
        return False
    last = room.rsplit(":", 1)[1]
    return last.startswith("p") and last[1:].isdigit()
