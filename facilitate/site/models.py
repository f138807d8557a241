"""The accessibility statement (*tillgänglighetsredogörelse*): one row, kept by an admin."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from facilitate.db import Base, Holds, UtcDateTime, holds, utcnow, value_enum

ORGANISATION_MAX = 200
EMAIL_MAX = 254
PHONE_MAX = 40
SHORTCOMINGS_MAX = 5000
INTRO_MAX = 5000
#: The id of the one row there is.
THE_STATEMENT = 1


class Compliance(enum.StrEnum):
    """How far the service meets the law, in the words of the DOS template
    (EU implementing decision 2018/1523): the municipality states it."""

    compliant = "compliant"
    partially_compliant = "partially_compliant"
    not_compliant = "not_compliant"


class AccessibilityStatement(Base):
    """What the municipality states about this service; absent until an admin first saves it,
    and until then the page shows our default text with no contact and no date."""

    __tablename__ = "accessibility_statement"
    __table_args__ = (sa.CheckConstraint(f"id = {THE_STATEMENT}", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, default=THE_STATEMENT)
    organisation: Mapped[str] = mapped_column(sa.String(ORGANISATION_MAX), info=holds(Holds.staff))
    email: Mapped[str] = mapped_column(sa.String(EMAIL_MAX), default="", info=holds(Holds.staff))
    phone: Mapped[str] = mapped_column(sa.String(PHONE_MAX), default="", info=holds(Holds.staff))
    status: Mapped[Compliance] = mapped_column(value_enum(Compliance))
    #: Known shortcomings, one a line, as the admin wrote them.
    shortcomings: Mapped[str] = mapped_column(sa.Text, default="", info=holds(Holds.staff))
    #: The municipality's own introduction by language code, replacing ours for that language.
    intros: Mapped[dict[str, str]] = mapped_column(
        sa.JSON, default=dict, server_default="{}", info=holds(Holds.staff)
    )
    made_on: Mapped[dt.date] = mapped_column(sa.Date)
    reviewed_on: Mapped[dt.date] = mapped_column(sa.Date)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    def shortcoming_lines(self) -> list[str]:
        return [line.strip() for line in self.shortcomings.splitlines() if line.strip()]

    def __repr__(self) -> str:
        return (
            f"<AccessibilityStatement {self.organisation!r} {self.status.value} "
            f"reviewed={self.reviewed_on.isoformat()}>"
        )
