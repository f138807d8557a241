"""What happens in a live room, kept in the database so a restart loses nothing."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from facilitate.db import Base, Holds, UtcDateTime, holds, utcnow, value_enum
from facilitate.dialogues.models import Area
from facilitate.meetings.models import Meeting

DISPLAY_NAME_MAX = 40
TEXT_MAX = 500
LANGUAGE_MAX = 12
REASON_MAX = 200
#: A notice on every screen, the projector's included: a line the back row can read.
NOTICE_MAX = 280
#: Who a hand raised by a note-taker is for ("Fatima", "person at table 3"): it stands
#: where a resident's display name stands in the queue, so it is as short.
HAND_LABEL_MAX = DISPLAY_NAME_MAX


class AgeBand(enum.StrEnum):
    """Asked for representativeness only; never required."""

    up_to_15 = "-15"
    from_16 = "16-19"
    from_20 = "20-29"
    from_30 = "30-44"
    from_45 = "45-64"
    from_65 = "65-"


class ContributionKind(enum.StrEnum):
    experience = "experience"
    cause = "cause"
    idea = "idea"
    question = "question"


class Participant(Base):
    """A resident's phone in one meeting: no account, just a token kept in a cookie."""

    __tablename__ = "participants"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    #: sha256 of the participant token; the token itself is only ever in the cookie.
    token_hash: Mapped[str] = mapped_column(
        sa.String(64), unique=True, info=holds(Holds.resident_identity)
    )
    display_name: Mapped[str] = mapped_column(
        sa.String(DISPLAY_NAME_MAX), default="", info=holds(Holds.resident_identity)
    )
    area_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("areas.id", ondelete="SET NULL"), index=True
    )
    age_band: Mapped[AgeBand | None] = mapped_column(value_enum(AgeBand))
    #: Breakout group (1-based) while groups run; ``None`` otherwise.
    group: Mapped[int | None] = mapped_column("group_no")
    #: A blocked participant's writes are refused and their contributions hidden.
    blocked: Mapped[bool] = mapped_column(default=False)
    #: Bumped by every vote: the update locks this row, so one phone's concurrent votes
    #: are counted one after another and the dots budget holds (SQLite and PostgreSQL).
    vote_seq: Mapped[int] = mapped_column(default=0, server_default="0")
    joined_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    #: A voter of an imported Pol.is conversation: their answers count in the analysis,
    #: but nobody joined on a phone, so they are no one "in the room" (or at its limit).
    imported: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    meeting: Mapped[Meeting] = relationship()
    area: Mapped[Area | None] = relationship()

    def __repr__(self) -> str:
        return f"<Participant {self.id} of meeting {self.meeting_id}>"


class Contribution(Base):
    """One thing said in the room: written on a phone, or typed in by a note-taker."""

    __tablename__ = "contributions"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    #: 0-based index of the phase that was current when it was written.
    phase: Mapped[int] = mapped_column()
    participant_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("participants.id", ondelete="SET NULL"), index=True
    )
    #: The staff member who typed it in (note-taker or facilitator), if not a resident.
    author_user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    on_behalf: Mapped[bool] = mapped_column(default=False)
    text: Mapped[str] = mapped_column(sa.String(TEXT_MAX), info=holds(Holds.resident_words))
    #: The language it is written in: chosen by the writer, else guessed cheaply.
    language: Mapped[str | None] = mapped_column(sa.String(LANGUAGE_MAX), info=holds(Holds.machine))
    #: A translation staff typed in by hand, shown beneath the original.
    translation: Mapped[str] = mapped_column(
        sa.String(TEXT_MAX), default="", server_default="", info=holds(Holds.resident_words)
    )
    translation_language: Mapped[str | None] = mapped_column(
        sa.String(LANGUAGE_MAX), info=holds(Holds.machine)
    )
    kind: Mapped[ContributionKind] = mapped_column(
        value_enum(ContributionKind), default=ContributionKind.experience
    )
    #: The breakout group it was written in, if groups were running.
    group: Mapped[int | None] = mapped_column("group_no")
    hidden: Mapped[bool] = mapped_column(default=False)
    hidden_reason: Mapped[str] = mapped_column(
        sa.String(REASON_MAX), default="", info=holds(Holds.resident_words)
    )
    pinned: Mapped[bool] = mapped_column(default=False)
    #: Written under pre-moderation and not yet approved: only staff and its author see it.
    waiting: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    #: A question the facilitator marked as answered (kind ``question`` only).
    answered: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    #: Deleted by its author: gone for everyone, kept only as a tombstone.
    deleted: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    edited_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)

    reactions: Mapped[list[Reaction]] = relationship(
        back_populates="contribution", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Contribution {self.id} of meeting {self.meeting_id}>"


class Reaction(Base):
    """One "me too" per participant per contribution."""

    __tablename__ = "reactions"
    __table_args__ = (sa.UniqueConstraint("contribution_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contribution_id: Mapped[int] = mapped_column(
        sa.ForeignKey("contributions.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)

    contribution: Mapped[Contribution] = relationship(back_populates="reactions")

    def __repr__(self) -> str:
        return f"<Reaction {self.participant_id} on {self.contribution_id}>"


class Hand(Base):
    """A raised hand; the queue is the open ones in the order raised.

    A resident's own (``participant_id``), or one staff raised for someone in the room
    without a phone (no participant, a ``label`` saying who).
    """

    __tablename__ = "hands"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    #: Who a hand raised on someone's behalf is for; empty for a resident's own.
    label: Mapped[str] = mapped_column(
        sa.String(HAND_LABEL_MAX),
        default="",
        server_default="",
        info=holds(Holds.resident_identity),
    )
    raised_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    #: Set when the hand leaves the queue: lowered, given the word, or cleared.
    closed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    given: Mapped[bool] = mapped_column(default=False)

    participant: Mapped[Participant | None] = relationship()

    def __repr__(self) -> str:
        return f"<Hand {self.id} of participant {self.participant_id}>"


class ClientWrite(Base):
    """The answer to a write, kept so a retry with the same client_id gets it again."""

    __tablename__ = "client_writes"
    __table_args__ = (sa.UniqueConstraint("actor", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Who wrote: ``p<participant id>`` or ``u<user id>``.
    actor: Mapped[str] = mapped_column(sa.String(24), info=holds(Holds.machine))
    client_id: Mapped[str] = mapped_column(sa.String(64), info=holds(Holds.machine))
    event: Mapped[str] = mapped_column(sa.String(40), info=holds(Holds.machine))
    response: Mapped[dict[str, object]] = mapped_column(sa.JSON, info=holds(Holds.machine))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<ClientWrite {self.actor} {self.client_id!r} {self.event}>"


#: The most one cell of paper counts may hold: a hall, not a typo's extra digits.
PAPER_MAX = 2000


class PaperCount(Base):
    """How many people took part on paper in a meeting, from one district and age band
    (either may be unknown): people without phones, counted by staff, no one named.

    Counted with the phones in "Who is in the room" and the meeting report, under the
    same suppression (see ``facilitate.reporting.queries``).
    """

    __tablename__ = "paper_counts"
    __table_args__ = (sa.CheckConstraint("count >= 0", name="count_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    area_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("areas.id", ondelete="SET NULL"), index=True
    )
    age_band: Mapped[AgeBand | None] = mapped_column(value_enum(AgeBand))
    count: Mapped[int]

    area: Mapped[Area | None] = relationship()

    def __repr__(self) -> str:
        band = self.age_band.value if self.age_band else None
        return f"<PaperCount {self.count} in meeting {self.meeting_id} ({self.area_id}, {band})>"
