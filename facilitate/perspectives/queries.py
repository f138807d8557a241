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


def statements(meeting: Meeting) -> list[Contribution]:
    """The deck: contributions of the perspectives steps that the whole room may see
    (a resident's waiting under pre-moderation joins once approved)."""
    steps = perspectives_steps(meeting)
    if not steps:
        return []
    return list(
        session().scalars(
            sa.select(Contribution)
            .where(
                Contribution.meeting_id == meeting.id,
                Contribution.phase.in_(steps),
                Contribution.deleted.is_(False),
                Contribution.hidden.is_(False),
                Contribution.waiting.is_(False),
            )
            .order_by(Contribution.id)
        )
    )


def _answers(meeting: Meeting, *columns: Any) -> sa.Select[Any]:
    return (
        sa.select(
            StatementVote.participant_id,
            StatementVote.contribution_id,
            StatementVote.value,
            *columns,
        )
        .join(Contribution, Contribution.id == StatementVote.contribution_id)
        .where(Contribution.meeting_id == meeting.id)
        .order_by(StatementVote.updated_at, StatementVote.id)
    )


def answers(meeting: Meeting) -> list[tuple[int, int, int]]:
    """Every answer given in the meeting as (participant, statement, value), in the order
    given; answers to statements hidden since included (the analysis counts them towards a
    resident's threshold, as Pol.is counts its moderated-out ones)."""
    return [(p, c, v) for p, c, v in session().execute(_answers(meeting))]


def timed_answers(meeting: Meeting) -> list[tuple[int, int, int, dt.datetime]]:
    """Every answer with when it was last given: (participant, statement, value, time)."""
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


def my_answers(meeting: Meeting, participant_id: int) -> dict[int, int]:
    rows = session().execute(
        sa.select(StatementVote.contribution_id, StatementVote.value)
        .join(Contribution, Contribution.id == StatementVote.contribution_id)
        .where(
            StatementVote.participant_id == participant_id,
            Contribution.meeting_id == meeting.id,
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
            .where(Contribution.meeting_id == meeting.id)
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
