"""A dialogue, its districts (areas) and its themes."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from facilitate.db import Base, Holds, UtcDateTime, holds, utcnow

TITLE_MAX = 200
DESCRIPTION_MAX = 5000
AREA_NAME_MAX = 100


class DialogueStatus(enum.StrEnum):
    active = "active"
    archived = "archived"


class ThemeStatus(enum.StrEnum):
    planned = "planned"
    in_depth = "in_depth"
    done = "done"


class Dialogue(Base):
    __tablename__ = "dialogues"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(TITLE_MAX), info=holds(Holds.staff))
    description: Mapped[str] = mapped_column(sa.Text, default="", info=holds(Holds.staff))
    period_start: Mapped[dt.date | None] = mapped_column(sa.Date)
    period_end: Mapped[dt.date | None] = mapped_column(sa.Date)
    #: The date the action list aims at ("before summer").
    action_deadline: Mapped[dt.date | None] = mapped_column(sa.Date)
    #: How long residents' free text is kept before it is purged.
    retention_months: Mapped[int] = mapped_column(default=24)
    status: Mapped[DialogueStatus] = mapped_column(
        sa.Enum(DialogueStatus, native_enum=False, length=20, validate_strings=True),
        default=DialogueStatus.active,
    )
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)

    areas: Mapped[list[Area]] = relationship(
        back_populates="dialogue", order_by="Area.name", cascade="all, delete-orphan"
    )
    themes: Mapped[list[Theme]] = relationship(
        back_populates="dialogue", order_by="Theme.position", cascade="all, delete-orphan"
    )

    @property
    def is_archived(self) -> bool:
        return self.status is DialogueStatus.archived

    def __repr__(self) -> str:
        return f"<Dialogue {self.id} {self.title!r}>"


class Area(Base):
    """A district (stadsdel) of a dialogue."""

    __tablename__ = "areas"
    __table_args__ = (sa.UniqueConstraint("dialogue_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dialogue_id: Mapped[int] = mapped_column(
        sa.ForeignKey("dialogues.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(AREA_NAME_MAX), info=holds(Holds.staff))
    is_archived: Mapped[bool] = mapped_column(default=False)

    dialogue: Mapped[Dialogue] = relationship(back_populates="areas")

    def __repr__(self) -> str:
        return f"<Area {self.id} {self.name!r}>"


class Theme(Base):
    __tablename__ = "themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    dialogue_id: Mapped[int] = mapped_column(
        sa.ForeignKey("dialogues.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(TITLE_MAX), info=holds(Holds.staff))
    description: Mapped[str] = mapped_column(sa.Text, default="", info=holds(Holds.staff))
    #: 0-based order within the dialogue.
    position: Mapped[int] = mapped_column(default=0)
    status: Mapped[ThemeStatus] = mapped_column(
        sa.Enum(ThemeStatus, native_enum=False, length=20, validate_strings=True),
        default=ThemeStatus.planned,
    )
    is_archived: Mapped[bool] = mapped_column(default=False)
    #: Set when the team merged this theme into another: its notes, meetings and
    #: action items moved there, and this one was archived.
    merged_into_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("themes.id", ondelete="SET NULL")
    )

    dialogue: Mapped[Dialogue] = relationship(back_populates="themes")

    def __repr__(self) -> str:
        return f"<Theme {self.id} {self.title!r} {self.status.value}>"
