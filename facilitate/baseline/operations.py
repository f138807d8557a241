"""Importing the population and outcome indicators (the only write path here; never commits).

Both read a CSV or XLSX file the way the conversation import does (``intake.imports``):
a header row naming the columns, every row checked before anything is written; one bad
row refuses the file, every bad row listed with its line and the reason. A file that
passes replaces the dialogue's earlier import whole, so a corrected table is imported
again rather than patched.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from facilitate.db import session
from facilitate.dialogues.models import Area, Dialogue, Theme
from facilitate.errors import Conflict, DomainError, ValidationError
from facilitate.intake.imports import ImportRejected, read_rows
from facilitate.live.models import AgeBand
from facilitate.validation import clean_text

from .models import NAME_MAX, SOURCE_MAX, Indicator, Population

INDICATOR_COLUMNS = ("indicator", "district", "theme", "year", "value", "source")
INDICATOR_REQUIRED = ("indicator", "district", "year", "value")
POPULATION_COLUMNS = ("district", "age_band", "count", "year", "source")
POPULATION_REQUIRED = ("district", "age_band", "count")
YEARS = range(1900, 2101)
#: Our bands as (first age, last age); None: no upper limit.
BANDS: tuple[tuple[int, int | None, AgeBand], ...] = (
    (0, 15, AgeBand.up_to_15),
    (16, 19, AgeBand.from_16),
    (20, 29, AgeBand.from_20),
    (30, 44, AgeBand.from_30),
    (45, 64, AgeBand.from_45),
    (65, None, AgeBand.from_65),
)
COUNT_MAX = 10_000_000

Cells = dict[str, object]


def _text(row: Cells, column: str) -> str:
    value = row.get(column, "")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean_text(str(value))


def _number(row: Cells, column: str) -> float:
    value = row.get(column, "")
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    else:
        # Swedish tables write 12 345,6: spaces group thousands, a comma marks decimals.
        text = re.sub(r"[\s\u00a0\u202f]", "", _text(row, column)).replace(",", ".")
        try:
            number = float(text)
        except ValueError:
            raise ValidationError(
                _l("%(column)s must be a number.", column=column), field=column
            ) from None
    if not math.isfinite(number):
        raise ValidationError(_l("%(column)s must be a number.", column=column), field=column)
    return number


def _whole(row: Cells, column: str, allowed: range) -> int:
    number = _number(row, column)
    if not number.is_integer() or int(number) not in allowed:
        raise ValidationError(
            _l(
                "%(column)s must be a whole number from %(low)d to %(high)d.",
                column=column,
                low=allowed.start,
                high=allowed.stop - 1,
            ),
            field=column,
        )
    return int(number)


def _source(row: Cells) -> str:
    source = _text(row, "source")
    if len(source) > SOURCE_MAX:
        raise ValidationError(
            _l("The source is longer than %(max)d characters.", max=SOURCE_MAX), field="source"
        )
    return source


def _district(dialogue: Dialogue, name: str, *, required: bool) -> Area | None:
    if not name:
        if required:
            raise ValidationError(_l("Give the district."), field="district")
        return None
    for area in dialogue.areas:
        if area.name.casefold() == name.casefold():
            return area
    raise ValidationError(
        _l(
            "Unknown district %(name)s: use one of %(names)s.",
            name=name,
            names=", ".join(a.name for a in dialogue.areas if not a.is_archived),
        ),
        field="district",
    )


def _theme(dialogue: Dialogue, cell: str) -> Theme | None:
    """A theme by its number on the dialogue page or its title, as in the conversation import."""
    if not cell:
        return None
    themes = sorted((t for t in dialogue.themes if not t.is_archived), key=lambda t: t.position)
    for number, theme in enumerate(themes, 1):
        if cell == str(number) or cell.casefold() == theme.title.casefold():
            return theme
    raise ValidationError(_l("Unknown theme %(name)s.", name=cell), field="theme")


def age_band(cell: str) -> AgeBand:
    """One of our bands from a table's: ours as written, or a band that fits inside one of
    ours ("0-15 år", "16–19", "25-29", "65+", "85-w"); one that spans two is refused."""
    text = cell.casefold().replace("–", "-").replace("—", "-").replace("år", "")
    text = re.sub(r"\s|years?|w$", "", text)
    try:
        return AgeBand(text)
    except ValueError:
        pass
    found = re.fullmatch(r"(\d+)?-(\d+)?|(\d+)\+|(\d+)", text)
    if found is not None and any(found.groups()):
        lower, upper, plus, single = found.groups()
        first = int(lower or plus or single or 0)
        last = int(upper or single) if (upper or single) else None
        for low, high, band in BANDS:
            fits = high is None or (last is not None and last <= high)
            if first >= low and fits and (last is None or first <= last):
                return band
    raise ValidationError(
        _l(
            "The age band %(band)s does not fit inside one of ours (%(ours)s).",
            band=cell or "–",
            ours=", ".join(b.value for b in AgeBand),
        ),
        field="age_band",
    )


def _check_rows(
    filename: str,
    data: bytes,
    columns: tuple[str, ...],
    required: tuple[str, ...],
    check: Callable[[Cells], tuple[object, ...]],
) -> list[tuple[int, tuple[object, ...]]]:
    """Every row checked by ``check``; any problems refuse the file, all of them listed."""
    checked: list[tuple[int, tuple[object, ...]]] = []
    problems: list[tuple[int, str]] = []
    for line, row in read_rows(filename, data, columns=columns, required=required):
        if "" in row:  # read_rows found the row wrong already
            problems.append((line, str(row[""])))
            continue
        try:
            checked.append((line, check(row)))
        except DomainError as error:
            problems.append((line, str(error.message)))
    if problems:
        raise ImportRejected(problems)
    return checked


def _writable(dialogue: Dialogue) -> None:
    if dialogue.is_archived:
        raise Conflict(_l("The dialogue is archived."), code="archived")


@dataclass(frozen=True)
class Replaced:
    rows: int  # rows of the file stored
    before: int  # rows the earlier import had


def import_indicators(dialogue: Dialogue, filename: str, data: bytes) -> Replaced:
    """Replace the dialogue's indicator values with the file's."""
    _writable(dialogue)

    def check(row: Cells) -> tuple[object, ...]:
        name = _text(row, "indicator")
        if not name:
            raise ValidationError(_l("Name the indicator."), field="indicator")
        if len(name) > NAME_MAX:
            raise ValidationError(
                _l("The indicator's name is longer than %(max)d characters.", max=NAME_MAX),
                field="indicator",
            )
        return (
            name,
            _district(dialogue, _text(row, "district"), required=False),
            _theme(dialogue, _text(row, "theme")),
            _whole(row, "year", YEARS),
            _number(row, "value"),
            _source(row),
        )

    checked = _check_rows(filename, data, INDICATOR_COLUMNS, INDICATOR_REQUIRED, check)
    seen: dict[tuple[object, ...], int] = {}
    problems = []
    for line, (name, area, theme, year, *_) in checked:
        key = (str(name).casefold(), area, theme, year)
        if key in seen:
            message = _l(
                "Line %(line)d has the same indicator, district, theme and year.", line=seen[key]
            )
            problems.append((line, str(message)))
        seen.setdefault(key, line)
    if problems:
        raise ImportRejected(problems)
    before = session().execute(sa.delete(Indicator).where(Indicator.dialogue_id == dialogue.id))
    for _line, (name, area, theme, year, value, source) in checked:
        session().add(
            Indicator(
                dialogue_id=dialogue.id,
                name=name,
                area=area,
                theme=theme,
                year=year,
                value=value,
                source=source,
            )
        )
    session().flush()
    return Replaced(len(checked), before.rowcount)  # type: ignore[attr-defined]


def import_population(dialogue: Dialogue, filename: str, data: bytes) -> Replaced:
    """Replace the dialogue's population with the file's; rows of one district and band
    (a table by sex, or five-year bands inside one of ours) are added up."""
    _writable(dialogue)

    def check(row: Cells) -> tuple[object, ...]:
        year_cell = _text(row, "year")
        return (
            _district(dialogue, _text(row, "district"), required=True),
            age_band(_text(row, "age_band")),
            _whole(row, "count", range(COUNT_MAX + 1)),
            _whole(row, "year", YEARS) if year_cell else None,
            _source(row),
        )

    checked = _check_rows(filename, data, POPULATION_COLUMNS, POPULATION_REQUIRED, check)
    totals: dict[tuple[object, object], Population] = {}
    for _line, (area, band, count, year, source) in checked:
        key = (area, band)
        if key in totals:
            totals[key].count += int(count)  # type: ignore[call-overload]
            continue
        totals[key] = Population(
            dialogue_id=dialogue.id, area=area, age_band=band, count=count, year=year, source=source
        )
    before = session().execute(sa.delete(Population).where(Population.dialogue_id == dialogue.id))
    session().add_all(totals.values())
    session().flush()
    return Replaced(len(checked), before.rowcount)  # type: ignore[attr-defined]


def indicators(dialogue: Dialogue) -> list[Indicator]:
    return list(
        session().scalars(
            sa.select(Indicator)
            .where(Indicator.dialogue_id == dialogue.id)
            .order_by(Indicator.name, Indicator.area_id.is_not(None), Indicator.year)
        )
    )


def population(dialogue: Dialogue) -> list[Population]:
    return list(
        session().scalars(sa.select(Population).where(Population.dialogue_id == dialogue.id))
    )
