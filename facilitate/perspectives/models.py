"""Residents' answers to a perspectives step's statements, and the room's last analysis."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from facilitate.db import Base, Holds, UtcDateTime, holds, utcnow

#: agree, pass, disagree: Pol.is's values.
AGREE, PASS, DISAGREE = 1, 0, -1
VALUES = (AGREE, PASS, DISAGREE)


class StatementVote(Base):
    """One resident's answer to one statement; a changed answer overwrites it."""

    __tablename__ = "statement_votes"
    __table_args__ = (sa.UniqueConstraint("participant_id", "contribution_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    contribution_id: Mapped[int] = mapped_column(
        sa.ForeignKey("contributions.id", ondelete="CASCADE"), index=True
    )
    value: Mapped[int] = mapped_column()
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<StatementVote {self.participant_id}→{self.contribution_id} {self.value}>"


class StatementQuote(Base):
    """A statement the facilitator took from a note of the theme's first conversations."""

    __tablename__ = "statement_quotes"

    contribution_id: Mapped[int] = mapped_column(
        sa.ForeignKey("contributions.id", ondelete="CASCADE"), primary_key=True
    )
    note_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("notes.id", ondelete="SET NULL"), index=True
    )

    def __repr__(self) -> str:
        return f"<StatementQuote {self.contribution_id} from note {self.note_id}>"


class PerspectivesResult(Base):
    """The meeting's last analysis, so a client that connects gets what the room sees.

    Ids and numbers only: the statements' words stay in their contributions, and are
    read when the result is shown, so hiding or erasing one leaves no copy here.
    """

    __tablename__ = "perspectives_results"

    meeting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True
    )
    data: Mapped[dict[str, Any]] = mapped_column(sa.JSON, info=holds(Holds.machine))
    computed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<PerspectivesResult meeting {self.meeting_id} at {self.computed_at}>"
