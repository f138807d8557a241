"""Reads for perspectives: a meeting's statements, the answers to them, quotes to offer."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from facilitate.db import session
from facilitate.intake.models import Conversation, Note, NoteTheme
from facilitate.live.models import Contribution, Participant
from facilitate.meetings.models import Meeting, PhaseKind

from .models import PerspectivesResult, StatementQuote, StatementVote


def perspectives_steps(meeting: Meeting) -> list[int]:
    """The indexes of the meeting's perspectives steps."""
    return [p.position for p in meeting.phases if p.kind is PhaseKind.perspectives]


def in_perspectives(meeting: Meeting) -> bool:
    return meeting.current_phase is not None and meeting.current_phase in perspectives_steps(
        meeting
    )


def deck(meeting: Meeting) -> dict[int, str]:
    """The deck, id → words, by id: contributions of the perspectives steps that the whole
    room may see (a resident's waiting under pre-moderation joins once approved). Two
    columns, not the rows as objects: every flush of a 1,000-statement room reads it twice
    on the event loop."""
    steps = perspectives_steps(meeting)
    if not steps:
        return {}
    rows = session().execute(
        sa.select(Contribution.id, Contribution.text)
        .where(
            Contribution.meeting_id == meeting.id,
            Contribution.phase.in_(steps),
            Contribution.deleted.is_(False),
            Contribution.hidden.is_(False),
            Contribution.waiting.is_(False),
        )
        .order_by(Contribution.id)
    )
    return dict(rows.all())


def _answers(meeting: Meeting, *columns: Any) -> sa.Select[Any]:
    # Subqueries, not joins: the meeting's contributions by their index, and the blocked
    # (few or none) left out by id, where a join looked up each answer's participant (a
    # fifth of the read's CPU in a room of 60,000 answers, which the flush reads on the loop).
    statements = sa.select(Contribution.id).where(Contribution.meeting_id == meeting.id)
    blocked = sa.select(Participant.id).where(
        Participant.meeting_id == meeting.id, Participant.blocked.is_(True)
    )
    return (
        sa.select(
            StatementVote.participant_id,
            StatementVote.contribution_id,
            StatementVote.value,
            *columns,
        )
        .where(
            StatementVote.contribution_id.in_(statements),
            StatementVote.participant_id.not_in(blocked),
        )
        .order_by(StatementVote.updated_at, StatementVote.id)
    )


def answers(meeting: Meeting) -> list[tuple[int, int, int]]:
    """Every answer given in the meeting as (participant, statement, value), in the order
    given; answers to statements hidden since included (the analysis counts them towards a
    resident's threshold, as Pol.is counts its moderated-out ones). A blocked resident's
    answers are left out, as their words leave the wall: whoever was blocked for abusing
    the room does not shape its groups or its common ground either."""
    return [(p, c, v) for p, c, v in session().execute(_answers(meeting))]


def timed_answers(meeting: Meeting) -> list[tuple[int, int, int, dt.datetime]]:
    """The answers of ``answers`` with when each was last given: (participant, statement,
    value, time)."""
    rows = session().execute(_answers(meeting, StatementVote.updated_at))
    return [(p, c, v, at) for p, c, v, at in rows]


def imported(meeting: Meeting) -> set[int]:
    """The meeting's participants imported from a Pol.is conversation."""
    return set(
        session().scalars(
            sa.select(Participant.id).where(
                Participant.meeting_id == meeting.id, Participant.imported.is_(True)
            )
        )
    )


def answers_of(meeting_id: int, participant_id: int) -> dict[int, int]:
    rows = session().execute(
        sa.select(StatementVote.contribution_id, StatementVote.value)
        .join(Contribution, Contribution.id == StatementVote.contribution_id)
        .where(
            StatementVote.participant_id == participant_id,
            Contribution.meeting_id == meeting_id,
        )
    )
    return dict(rows.all())


def result(meeting_id: int) -> PerspectivesResult | None:
    return session().get(PerspectivesResult, meeting_id)


def quoted(meeting: Meeting) -> set[int]:
    """The meeting's statements taken from notes of the first conversations."""
    return set(
        session().scalars(
            sa.select(StatementQuote.contribution_id)
            .join(Contribution, Contribution.id == StatementQuote.contribution_id)
            .where(Contribution.meeting_id == meeting.id, Participant.blocked.is_(False))
        )
    )


def theme_quotes(meeting: Meeting, limit: int = 50) -> list[Note]:
    """Notes of the meeting's theme a facilitator may offer as statements, the ones the
    team marked as speaking for the theme first."""
    return list(
        session().scalars(
            sa.select(Note)
            .join(NoteTheme, NoteTheme.note_id == Note.id)
            .join(Conversation, Conversation.id == Note.conversation_id)
            .where(NoteTheme.theme_id == meeting.theme_id)
            .order_by(NoteTheme.representative.desc(), Conversation.held_on.desc(), Note.id)
            .limit(limit)
        )
    )
