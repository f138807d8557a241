"""Proposals, the votes on them, and paper counts from the room; all in the database."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from facilitate.db import Base, Holds, UtcDateTime, holds, utcnow, value_enum
from facilitate.live.models import REASON_MAX, Participant
from facilitate.meetings.models import Meeting

TITLE_MIN = 3
TITLE_MAX = 120
BODY_MAX = 1000
NOTE_MAX = 1000


class ProposalStatus(enum.StrEnum):
    open = "open"
    voting = "voting"  # on the ballot of an open vote
    agreed = "agreed"
    not_agreed = "not_agreed"
    parked = "parked"
    merged = "merged"  # folded into another; ``merged_into_id`` says which


class VotingStatus(enum.StrEnum):
    open = "open"
    closed = "closed"


class Proposal(Base):
    """Something the room may agree to do, added in the room or promoted from a contribution."""

    __tablename__ = "proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    #: The theme, kept here so duplicates are found across all of a theme's meetings.
    theme_id: Mapped[int] = mapped_column(sa.ForeignKey("themes.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(TITLE_MAX), info=holds(Holds.room))
    body: Mapped[str] = mapped_column(sa.Text, default="", info=holds(Holds.room))
    source_contribution_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("contributions.id", ondelete="SET NULL")
    )
    participant_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("participants.id", ondelete="SET NULL")
    )
    author_user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    status: Mapped[ProposalStatus] = mapped_column(
        value_enum(ProposalStatus), default=ProposalStatus.open
    )
    #: A resident's, added under pre-moderation and not yet approved: staff and its author
    #: see it, nobody else; a rejected one is ``hidden`` with the reason, for staff only.
    waiting: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    hidden: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    hidden_reason: Mapped[str] = mapped_column(
        sa.String(REASON_MAX), default="", server_default="", info=holds(Holds.staff)
    )
    #: Frozen when a vote opens: the proposals that vote is about.
    on_ballot: Mapped[bool] = mapped_column(default=False)
    merged_into_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("proposals.id", ondelete="SET NULL"), index=True
    )
    decision_note: Mapped[str] = mapped_column(sa.Text, default="", info=holds(Holds.staff))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)

    meeting: Mapped[Meeting] = relationship()
    votes: Mapped[list[Vote]] = relationship(
        back_populates="proposal", cascade="all, delete-orphan", passive_deletes=True
    )
    paper: Mapped[list[PaperVotes]] = relationship(
        back_populates="proposal", cascade="all, delete-orphan", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<Proposal {self.id} {self.status.value} {self.title!r}>"


class Vote(Base):
    """One participant's ballot on one proposal; a change overwrites it."""

    __tablename__ = "votes"
    __table_args__ = (sa.UniqueConstraint("proposal_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        sa.ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    value: Mapped[int] = mapped_column()
    cast_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    proposal: Mapped[Proposal] = relationship(back_populates="votes")
    participant: Mapped[Participant] = relationship()

    def __repr__(self) -> str:
        return f"<Vote {self.participant_id}→{self.proposal_id} {self.value}>"


class PaperVotes(Base):
    """Counts from a paper or show-of-hands vote, typed in by staff; kept apart from phones."""

    __tablename__ = "paper_votes"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        sa.ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    counts: Mapped[dict[str, Any]] = mapped_column(sa.JSON, info=holds(Holds.machine))
    added_by_user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    added_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)

    proposal: Mapped[Proposal] = relationship(back_populates="paper")

    def __repr__(self) -> str:
        return f"<PaperVotes {self.proposal_id} {self.counts}>"
