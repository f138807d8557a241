"""How room things look on the wire: one serialiser per thing, shared by snapshot and events."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import Any

from facilitate.db import utcnow
from facilitate.meetings.models import Meeting

from .models import Contribution, Hand, Participant


class ViewerRole(enum.StrEnum):
    participant = "participant"
    facilitator = "facilitator"
    observer = "observer"
    #: The projector: connects as staff, sees exactly what residents see.
    screen = "screen"
    #: Staff looking at the phone view as residents see it: not a participant, not
    #: counted, and every write refused.
    preview = "preview"


@dataclass(frozen=True)
class Viewer:
    """Who is looking, as the server established it at connect; never what the client claims."""

    meeting_id: int
    role: ViewerRole
    participant_id: int | None = None
    user_id: int | None = None

    @property
    def is_staff(self) -> bool:
        return self.role in (ViewerRole.facilitator, ViewerRole.observer)

    @property
    def actor(self) -> str:
        """The key a write's idempotency and rate limit are counted under."""
        if self.participant_id is not None:
            return f"p{self.participant_id}"
        # Read-only views get keys of their own, so no stored ack of the same user's
        # console is ever replayed to them.
        prefix = {ViewerRole.screen: "s", ViewerRole.preview: "v"}.get(self.role, "u")
        return f"{prefix}{self.user_id}"


@dataclass(frozen=True)
class Audience:
    """Whose shared picture of the room: everyone with the same one sees the same
    ``state`` but for what is theirs alone. Staff; the projector and previews (every
    group's wall); or the residents of one breakout ``group`` (``None``: no group)."""

    staff: bool
    resident: bool
    group: int | None = None

    @classmethod
    def of(cls, viewer: Viewer, group: int | None) -> Audience:
        if viewer.is_staff:
            return cls(staff=True, resident=False)
        if viewer.participant_id is None:
            return cls(staff=False, resident=False)
        return cls(staff=False, resident=True, group=group)


def iso(value: dt.datetime | None) -> str | None:
    return None if value is None else value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def meeting_json(meeting: Meeting) -> dict[str, Any]:
    """``intros`` are the intro's translations: each phone picks its own language."""
    return {
        "id": meeting.id,
        "title": meeting.title,
        "status": meeting.status.value,
        "intro": meeting.intro,
        "intros": dict(meeting.intro_translations),
        "premoderation": meeting.premoderation,
        "video_url": meeting.video_url,
    }


def phases_json(meeting: Meeting) -> list[dict[str, Any]]:
    """``titles`` and ``prompts`` are the translations: each phone picks its own language."""
    return [
        {
            "index": index,
            "title": phase.title,
            "titles": dict(phase.title_translations),
            "prompt": phase.prompt,
            "prompts": dict(phase.prompt_translations),
            "minutes": phase.minutes,
            "kind": phase.kind.value,
        }
        for index, phase in enumerate(meeting.phases)
    ]


def screen_json(meeting: Meeting) -> dict[str, Any]:
    """How the projector shows the room, as the facilitator set it on the console: the
    second language beneath the original (``None``: the original only), the mode it fills
    itself with and its theme. One object, so later settings join it as keys."""
    return {
        "language": meeting.screen_language,
        "mode": meeting.screen_mode.value,
        "theme": meeting.screen_theme.value,
    }


def timer_json(meeting: Meeting, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """The authoritative end time plus the server's clock, so every screen counts alike."""
    return {
        "running": meeting.timer_ends_at is not None,
        "ends_at": iso(meeting.timer_ends_at),
        "remaining": meeting.timer_remaining,
        "now": iso(now or utcnow()),
    }


def contribution_json(
    contribution: Contribution, *, staff: bool, own: bool, reacted: bool | None = None
) -> dict[str, Any]:
    """``reacted`` is per viewer: a broadcast leaves it out and a client keeps its own."""
    data: dict[str, Any] = {
        "id": contribution.id,
        "text": contribution.text,
        "kind": contribution.kind.value,
        "phase": contribution.phase,
        "group": contribution.group,
        "reactions": len(contribution.reactions),
        "own": own,
        "on_behalf": contribution.on_behalf,
        "pinned": contribution.pinned,
        "waiting": contribution.waiting,
        "answered": contribution.answered,
        "language": contribution.language,
        "translation": contribution.translation,
        "translation_language": contribution.translation_language,
    }
    if reacted is not None:
        data["reacted"] = reacted
    if staff:
        data["hidden"] = contribution.hidden
        data["reason"] = contribution.hidden_reason
    return data


def display_name(participant: Participant) -> str:
    return participant.display_name


def speaker_json(hand: Hand | None) -> dict[str, Any] | None:
    """Who has the word, told as the queue told it: the same name, nothing more."""
    if hand is None:
        return None
    shown = hand_json(hand)
    return {"name": shown["name"], "participant_id": shown["participant_id"]}


def hand_json(hand: Hand) -> dict[str, Any]:
    """A resident's own hand, or one staff raised for someone without a phone
    (``on_behalf``: no participant, and the label they gave where the name goes)."""
    return {
        "id": hand.id,
        "participant_id": hand.participant_id,
        "name": display_name(hand.participant) if hand.participant is not None else hand.label,
        "on_behalf": hand.participant_id is None,
        "raised_at": iso(hand.raised_at),
    }
