"""People who took part on paper: staff count them per district and age band, so "Who is
in the room" and the meeting report count the people without phones too."""

from __future__ import annotations

from collections.abc import Mapping

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from facilitate.db import session
from facilitate.dialogues.models import Area
from facilitate.errors import ValidationError
from facilitate.meetings.models import Meeting

from .models import PAPER_MAX, AgeBand, PaperCount

#: A cell of the grid: a district's id and an age band's value, ``None`` for not known.
Cell = tuple[int | None, str | None]


def cell_field(cell: Cell) -> str:
    """The form field (and error ``field``) of a cell."""
    area_id, band = cell
    return f"paper-{area_id or 'none'}-{band or 'none'}"


def paper_areas(meeting: Meeting) -> list[Area]:
    """The districts a count may name: the dialogue's active ones, and archived ones the
    meeting already counts people from (so saving the grid again keeps them)."""
    used = {c.area_id for c in paper_counts(meeting)}
    return sorted(
        (a for a in meeting.theme.dialogue.areas if not a.is_archived or a.id in used),
        key=lambda a: a.name.casefold(),
    )


def paper_counts(meeting: Meeting) -> list[PaperCount]:
    return list(
        session().scalars(
            sa.select(PaperCount).where(PaperCount.meeting_id == meeting.id).order_by(PaperCount.id)
        )
    )


def _count(cell: Cell, value: object) -> int:
    if value is None or (isinstance(value, str) and not value.strip()):
        return 0  # an empty cell: nobody
    text = str(value).strip()
    if isinstance(value, bool) or not text.isascii() or not text.isdigit():
        raise ValidationError(_l("Write a whole number, 0 or more."), field=cell_field(cell))
    number = int(text)
    if number > PAPER_MAX:
        raise ValidationError(
            _l("At most %(max)d people in one cell.", max=PAPER_MAX), field=cell_field(cell)
        )
    return number


def record_paper(meeting: Meeting, cells: Mapping[Cell, object]) -> int:
    """Replace the meeting's paper counts with ``cells`` (missing cells count as zero);
    returns how many people that is. A refused cell changes nothing."""
    areas = {a.id for a in paper_areas(meeting)}
    rows: list[tuple[int | None, AgeBand | None, int]] = []
    for (area_id, band), value in cells.items():
        if area_id is not None and area_id not in areas:
            raise ValidationError(_l("Unknown district."), field=cell_field((area_id, band)))
        try:
            age = None if band is None else AgeBand(band)
        except ValueError:
            raise ValidationError(
                _l("Unknown age band."), field=cell_field((area_id, band))
            ) from None
        number = _count((area_id, band), value)
        if number:
            rows.append((area_id, age, number))
    for old in paper_counts(meeting):
        session().delete(old)
    session().add_all(
        PaperCount(meeting_id=meeting.id, area_id=a, age_band=b, count=n) for a, b, n in rows
    )
    session().flush()
    return sum(n for _, _, n in rows)
