"""The ``state`` a client gets on connect: the whole room as this viewer may see it.

A client's picture is this snapshot plus the events that follow; a test checks
that applying the events to a first snapshot gives the same as a fresh one.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from facilitate.db import session
from facilitate.meetings.models import Meeting
from facilitate.proposals import operations as proposal_ops

from .models import Contribution, Participant
from .room import groups_json, open_hands, visible_to
from .views_json import (
    Viewer,
    contribution_json,
    hand_json,
    meeting_json,
    phases_json,
    timer_json,
)


def snapshot(
    meeting: Meeting, viewer: Viewer, participant: Participant | None, presence: dict[str, Any]
) -> dict[str, Any]:
    group = participant.group if participant is not None else None
    mine = participant.id if participant is not None else None
    proposals, on_ballot = proposal_ops.proposals_and_ballot(meeting)
    contributions = session().scalars(
        sa.select(Contribution)
        .where(Contribution.meeting_id == meeting.id, Contribution.deleted.is_(False))
        .options(selectinload(Contribution.reactions))
        .order_by(Contribution.id)
    )
    return {
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
        "groups": groups_json(meeting),
        "presence": presence,
        "proposals": [proposal_ops.proposal_json(p) for p in proposals],
        "voting": proposal_ops.voting_json(meeting, on_ballot),
        "tally": (
            proposal_ops.staff_tally(meeting, on_ballot)
            if viewer.is_staff
            else proposal_ops.public_tally(meeting, on_ballot)
        ),
        "me": {
            "participant_id": mine,
            "role": viewer.role.value,
            "group": group,
            **proposal_ops.my_votes(meeting, participant),
        },
    }
