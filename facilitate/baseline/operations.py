"""Importing the population and outcome indicators (the only write path here; never commits).

Both read a CSV or XLSX file the way the conversation import does (``intake.imports``):
a header row naming the columns, every row checked before anything is written; one bad
row refuses the file, every bad row listed with its line and the reason. A file that
passes replaces the dialogue's earlier import whole, so a corrected table is imported
again rather than patched.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from typing import TypeVar

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
Row = TypeVar("Row")


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


def _district(dialogue: Dialogue, name: str) -> Area | None:
    """The dialogue's district of that name (any case); None when the cell is empty."""
    if not name:
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
    check: Callable[[Cells], Row],
) -> list[tuple[int, Row]]:
    """Every row checked by ``check``; any problems refuse the file, all of them listed."""
    checked: list[tuple[int, Row]] = []
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


@dataclass(frozen=True)
class IndicatorRow:
    name: str
    area: Area | None
    theme: Theme | None
    year: int
    value: float
    source: str


@dataclass(frozen=True)
class PopulationRow:
    area: Area
    age_band: AgeBand
    count: int
    year: int | None
    source: str


@dataclass(frozen=True)
class Plan:
    """A file read and checked: what importing it would store. Nothing is written until
    ``write_plan``, so it is also the preview."""

    kind: str  # "population" or "indicators"
    lines: int  # the file's data rows
    rows: list[IndicatorRow] | list[PopulationRow]

    def digest(self) -> str:
        """What would be written, as a fingerprint: confirming writes only what the
        preview showed, not what the dialogue's districts or themes make of it since."""
        shape = [self.kind] + [
            [getattr(getattr(row, f.name), "id", getattr(row, f.name)) for f in fields(row)]
            for row in self.rows
        ]
        return hashlib.sha256(json.dumps(shape, default=str).encode()).hexdigest()


def plan_indicators(dialogue: Dialogue, filename: str, data: bytes) -> Plan:
    """Every row of an indicator file checked; writes nothing."""
    _writable(dialogue)

    def check(row: Cells) -> IndicatorRow:
        name = _text(row, "indicator")
        if not name:
            raise ValidationError(_l("Name the indicator."), field="indicator")
        if len(name) > NAME_MAX:
            raise ValidationError(
                _l("The indicator's name is longer than %(max)d characters.", max=NAME_MAX),
                field="indicator",
            )
        return IndicatorRow(
            name,
            _district(dialogue, _text(row, "district")),
            _theme(dialogue, _text(row, "theme")),
            _whole(row, "year", YEARS),
            _number(row, "value"),
            _source(row),
        )

    checked = _check_rows(filename, data, INDICATOR_COLUMNS, INDICATOR_REQUIRED, check)
    seen: dict[tuple[object, ...], int] = {}
    problems = []
    for line, row in checked:
        key = (row.name.casefold(), row.area, row.theme, row.year)
        if key in seen:
            message = _l(
                "Line %(line)d has the same indicator, district, theme and year.", line=seen[key]
            )
            problems.append((line, str(message)))
        seen.setdefault(key, line)
    if problems:
        raise ImportRejected(problems)
    return Plan("indicators", len(checked), [row for _, row in checked])


def plan_population(dialogue: Dialogue, filename: str, data: bytes) -> Plan:
    """Every row of a population file checked; rows of one district and band (a table by
    sex, or five-year bands inside one of ours) added up. Writes nothing."""
    _writable(dialogue)

    def check(row: Cells) -> PopulationRow:
        district = _district(dialogue, _text(row, "district"))
        if district is None:
            raise ValidationError(_l("Give the district."), field="district")
        return PopulationRow(
            district,
            age_band(_text(row, "age_band")),
            _whole(row, "count", range(COUNT_MAX + 1)),
            _whole(row, "year", YEARS) if _text(row, "year") else None,
            _source(row),
        )

    checked = _check_rows(filename, data, POPULATION_COLUMNS, POPULATION_REQUIRED, check)
    totals: dict[tuple[int, AgeBand], PopulationRow] = {}
    for _line, row in checked:
        key = (row.area.id, row.age_band)
        if key in totals:
            row = replace(totals[key], count=totals[key].count + row.count)
        totals[key] = row
    return Plan("population", len(checked), list(totals.values()))


def existing(dialogue: Dialogue, kind: str) -> int:
    """How many rows an import of ``kind`` would replace."""
    model = Population if kind == "population" else Indicator
    return (
        session().scalar(
            sa.select(sa.func.count()).select_from(model).where(model.dialogue_id == dialogue.id)
        )
        or 0
    )


def write_plan(dialogue: Dialogue, plan: Plan) -> Replaced:
    """Replace the dialogue's earlier import of the plan's kind with the plan's rows."""
    _writable(dialogue)
    before = existing(dialogue, plan.kind)
    if plan.kind == "population":
        session().execute(sa.delete(Population).where(Population.dialogue_id == dialogue.id))
        session().add_all(
            Population(
                dialogue_id=dialogue.id,
                area_id=row.area.id,
                age_band=row.age_band,
                count=row.count,
                year=row.year,
                source=row.source,
            )
            for row in plan.rows
            if isinstance(row, PopulationRow)
        )
    else:
        session().execute(sa.delete(Indicator).where(Indicator.dialogue_id == dialogue.id))
        session().add_all(
            Indicator(
                dialogue_id=dialogue.id,
                name=row.name,
                area_id=row.area.id if row.area is not None else None,
                theme_id=row.theme.id if row.theme is not None else None,
                year=row.year,
                value=row.value,
                source=row.source,
            )
            for row in plan.rows
            if isinstance(row, IndicatorRow)
        )
    session().flush()
    return Replaced(plan.lines, before)


def import_indicators(dialogue: Dialogue, filename: str, data: bytes) -> Replaced:
    """Replace the dialogue's indicator values with the file's (the API's one step)."""
    return write_plan(dialogue, plan_indicators(dialogue, filename, data))


def import_population(dialogue: Dialogue, filename: str, data: bytes) -> Replaced:
    """Replace the dialogue's population with the file's (the API's one step)."""
    return write_plan(dialogue, plan_population(dialogue, filename, data))


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
