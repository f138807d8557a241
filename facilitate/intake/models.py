"""Conversations the team held, the notes taken in them, and which themes each note supports."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from facilitate.db import Base, Holds, UtcDateTime, holds, utcnow, value_enum
from facilitate.dialogues.models import Area, Dialogue, Theme
from facilitate.live.models import AgeBand

NOTE_MAX = 2000
NOTES_MAX = 50


class Channel(enum.StrEnum):
    """Where the conversation took place."""

    street = "street"
    shop = "shop"
    door = "door"
    digital = "digital"
    meeting = "meeting"
    other = "other"


class SpeakerRole(enum.StrEnum):
    """Lives in the area, or works there (staff of the municipality, a shop, a school)."""

    resident = "resident"
    staff = "staff"


class Conversation(Base):
    """One conversation: when, where and with whom, never who. The notes hold what was said."""

    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(primary_key=True)
    dialogue_id: Mapped[int] = mapped_column(
        sa.ForeignKey("dialogues.id", ondelete="CASCADE"), index=True
    )
    held_on: Mapped[dt.date] = mapped_column(sa.Date)
    channel: Mapped[Channel] = mapped_column(value_enum(Channel))
    area_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("areas.id", ondelete="SET NULL"), index=True
    )
    age_band: Mapped[AgeBand | None] = mapped_column(value_enum(AgeBand))
    role: Mapped[SpeakerRole | None] = mapped_column(value_enum(SpeakerRole))
    #: The team member who recorded it; kept for questions about the record, not shown.
    recorded_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)

    dialogue: Mapped[Dialogue] = relationship()
    area: Mapped[Area | None] = relationship()
    notes: Mapped[list[Note]] = relationship(
        back_populates="conversation", cascade="all, delete-orphan", order_by="Note.id"
    )

    def __repr__(self) -> str:
        return f"<Conversation {self.id} {self.channel.value} {self.held_on}>"


class Note(Base):
    """A short note or quote from a conversation."""

    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(sa.Text, info=holds(Holds.resident_words))

    conversation: Mapped[Conversation] = relationship(back_populates="notes")
    links: Mapped[list[NoteTheme]] = relationship(
        back_populates="note", cascade="all, delete-orphan", order_by="NoteTheme.theme_id"
    )

    @property
    def theme_ids(self) -> list[int]:
        return [link.theme_id for link in self.links]

    def __repr__(self) -> str:
        return f"<Note {self.id} of conversation {self.conversation_id}>"


class NoteTheme(Base):
    """A note supports a theme; the team may mark it as a quote that speaks for the theme."""

    __tablename__ = "note_themes"

    note_id: Mapped[int] = mapped_column(
        sa.ForeignKey("notes.id", ondelete="CASCADE"), primary_key=True
    )
    theme_id: Mapped[int] = mapped_column(
        sa.ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    representative: Mapped[bool] = mapped_column(default=False)

    note: Mapped[Note] = relationship(back_populates="links")
    theme: Mapped[Theme] = relationship()

    def __repr__(self) -> str:
        star = " *" if self.representative else ""
        return f"<NoteTheme note {self.note_id} theme {self.theme_id}{star}>"
