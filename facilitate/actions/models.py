"""Action items: an agreed proposal becomes work with an owner, a due date and a history."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from facilitate.db import Base, Holds, UtcDateTime, holds, utcnow, value_enum
from facilitate.dialogues.models import Dialogue, Theme
from facilitate.meetings.models import Meeting
from facilitate.proposals.models import Proposal

TITLE_MAX = 200
FIELD_MAX = 200
TEXT_MAX = 2000


class ActionStatus(enum.StrEnum):
    proposed = "proposed"
    accepted = "accepted"
    in_progress = "in_progress"
    done = "done"
    declined = "declined"


class ActionItem(Base):
    """One agreed initiative of a dialogue, traceable to its meeting and the words it came from."""

    __tablename__ = "action_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    dialogue_id: Mapped[int] = mapped_column(sa.ForeignKey("dialogues.id"), index=True)
    theme_id: Mapped[int] = mapped_column(sa.ForeignKey("themes.id"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("meetings.id", ondelete="SET NULL")
    )
    proposal_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("proposals.id", ondelete="SET NULL"), unique=True
    )
    title: Mapped[str] = mapped_column(sa.String(TITLE_MAX), info=holds(Holds.staff))
    description: Mapped[str] = mapped_column(sa.Text, default="", info=holds(Holds.staff))
    #: Who acts: a department, the police, a housing company, an association, residents.
    owner: Mapped[str] = mapped_column(sa.String(FIELD_MAX), default="", info=holds(Holds.staff))
    contact: Mapped[str] = mapped_column(sa.String(FIELD_MAX), default="", info=holds(Holds.staff))
    due_date: Mapped[dt.date | None] = mapped_column(sa.Date)
    status: Mapped[ActionStatus] = mapped_column(
        value_enum(ActionStatus), default=ActionStatus.proposed
    )
    next_step: Mapped[str] = mapped_column(sa.Text, default="", info=holds(Holds.staff))
    #: Shown on the public feedback page; a declined item says why here.
    public_note: Mapped[str] = mapped_column(sa.Text, default="", info=holds(Holds.staff))
    #: When the public note last changed (``None``: never written); with the status
    #: changes in ``history``, what makes the feedback feed's entry for this item new.
    public_note_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    #: The tally at the decision, as the tally event had it; the record of why it was agreed.
    tally: Mapped[dict[str, int] | None] = mapped_column(sa.JSON, info=holds(Holds.machine))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    dialogue: Mapped[Dialogue] = relationship()
    theme: Mapped[Theme] = relationship()
    meeting: Mapped[Meeting | None] = relationship()
    proposal: Mapped[Proposal | None] = relationship()
    history: Mapped[list[ActionStatusChange]] = relationship(
        back_populates="item",
        cascade="all, delete-orphan",
        order_by="ActionStatusChange.id",
    )

    def __repr__(self) -> str:
        return f"<ActionItem {self.id} {self.status.value} {self.title!r}>"


class ActionStatusChange(Base):
    __tablename__ = "action_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        sa.ForeignKey("action_items.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[str | None] = mapped_column(sa.String(20), info=holds(Holds.machine))
    to_status: Mapped[str] = mapped_column(sa.String(20), info=holds(Holds.machine))
    note: Mapped[str] = mapped_column(sa.Text, default="", info=holds(Holds.staff))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)

    item: Mapped[ActionItem] = relationship(back_populates="history")

    def __repr__(self) -> str:
        return f"<ActionStatusChange {self.item_id} {self.from_status}→{self.to_status}>"
