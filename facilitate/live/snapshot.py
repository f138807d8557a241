"""The ``state`` a client gets on connect: the whole room as this viewer may see it.

A client's picture is this snapshot plus the events that follow; a test checks
that applying the events to a first snapshot gives the same as a fresh one.

Domains above ``live`` (proposals: the ballot, the tally, this phone's votes) add their
part of the room through ``section``, so ``live`` imports none of them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from facilitate.db import session
from facilitate.meetings.models import Meeting

from .models import Contribution, Participant
from .operations import groups_json, open_hands, speaker_hand, visible_to
from .views_json import (
    Viewer,
    contribution_json,
    hand_json,
    meeting_json,
    phases_json,
    screen_json,
    speaker_json,
    timer_json,
)

#: A higher domain's part of the room: top-level keys of the state, and ``me``'s additions.
Section = Callable[["Meeting", Viewer, "Participant | None"], dict[str, Any]]
_sections: list[Section] = []


def section(build: Section) -> Section:
    """Register ``build`` to add its keys to every snapshot (its ``me`` merges into ``me``)."""
    _sections.append(build)
    return build


def snapshot(
    meeting: Meeting, viewer: Viewer, participant: Participant | None, presence: dict[str, Any]
) -> dict[str, Any]:
    group = participant.group if participant is not None else None
    mine = participant.id if participant is not None else None
    contributions = session().scalars(
        sa.select(Contribution)
        .where(Contribution.meeting_id == meeting.id, Contribution.deleted.is_(False))
        .options(selectinload(Contribution.reactions))
        .order_by(Contribution.id)
    )
    state: dict[str, Any] = {
        "meeting": meeting_json(meeting),
        "phases": phases_json(meeting),
        "current_phase": meeting.current_phase,
        "timer": timer_json(meeting),
        "contributions": [
            contribution_json(
                c,
                staff=viewer.is_staff,
                own=mine is not None and c.participant_id == mine,
                reacted=mine is not None and any(r.participant_id == mine for r in c.reactions),
            )
            for c in contributions
            if visible_to(c, meeting, viewer, group)
        ],
        "hands": [hand_json(h) for h in open_hands(meeting)],
        "speaker": speaker_json(speaker_hand(meeting)),
        "groups": groups_json(meeting),
        "presence": presence,
        "screen": screen_json(meeting),
        "me": {"participant_id": mine, "role": viewer.role.value, "group": group},
    }
    for build in _sections:
        part = build(meeting, viewer, participant)
        state["me"].update(part.pop("me", {}))
        state.update(part)
    return state
