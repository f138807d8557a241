"""What a dialogue measures itself against: the residents per district and age band, and
outcome indicators by area and year. Imported from official tables; replaced whole."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from facilitate.db import Base, Holds, holds, value_enum
from facilitate.dialogues.models import Area, Theme
from facilitate.live.models import AgeBand

NAME_MAX = 200
SOURCE_MAX = 300


class Indicator(Base):
    """One value of an outcome indicator (the citizen survey's perceived-safety index, a
    safety walk's score) for a district, or the whole town, in a year."""

    __tablename__ = "indicators"
    __table_args__ = (sa.UniqueConstraint("dialogue_id", "name", "area_id", "theme_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dialogue_id: Mapped[int] = mapped_column(
        sa.ForeignKey("dialogues.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(NAME_MAX), info=holds(Holds.staff))
    #: ``None``: the whole town.
    area_id: Mapped[int | None] = mapped_column(sa.ForeignKey("areas.id", ondelete="CASCADE"))
    #: The theme it speaks to, if the file says; its action items are marked on its chart.
    theme_id: Mapped[int | None] = mapped_column(sa.ForeignKey("themes.id", ondelete="CASCADE"))
    year: Mapped[int]
    value: Mapped[float]
    source: Mapped[str] = mapped_column(sa.String(SOURCE_MAX), default="", info=holds(Holds.staff))

    area: Mapped[Area | None] = relationship()
    theme: Mapped[Theme | None] = relationship()

    def __repr__(self) -> str:
        return f"<Indicator {self.name!r} {self.area_id} {self.year}: {self.value}>"


class Population(Base):
    """How many residents of a district are in an age band (a Statistics Sweden table)."""

    __tablename__ = "population"
    __table_args__ = (
        sa.UniqueConstraint("dialogue_id", "area_id", "age_band"),
        sa.CheckConstraint("count >= 0", name="count_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dialogue_id: Mapped[int] = mapped_column(
        sa.ForeignKey("dialogues.id", ondelete="CASCADE"), index=True
    )
    area_id: Mapped[int] = mapped_column(sa.ForeignKey("areas.id", ondelete="CASCADE"))
    age_band: Mapped[AgeBand] = mapped_column(value_enum(AgeBand))
    count: Mapped[int]
    year: Mapped[int | None]
    source: Mapped[str] = mapped_column(sa.String(SOURCE_MAX), default="", info=holds(Holds.staff))

    area: Mapped[Area] = relationship()

    def __repr__(self) -> str:
        return f"<Population {self.area_id} {self.age_band.value}: {self.count}>"
