"""Who is missing: each column of "Who is in the room" as shares, beside the population's.

A share is a shown count divided by its column's shown total, and nothing else: a hidden
count, or any count of a column whose total is hidden, has no share, so a share tells no
more than the two numbers already on the page (tests/reporting/test_representation_audit.py
checks this). The population is the imported table of residents (``facilitate.baseline``),
public statistics that count no one in the dialogue, so it is shown whole.

A group is flagged as clearly under-represented when at least ``EXPECTED_MIN`` people of it
would be expected in the column from its population share, and its shown share is under
``UNDER`` of that. Only shown numbers decide a flag, so a hidden count is never flagged:
its true size must not show through a mark.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from facilitate.baseline import operations as baseline_ops
from facilitate.dialogues.models import Dialogue
from facilitate.suppression import Column, Count

from .queries import Representation

UNDER = 0.5
EXPECTED_MIN = 10


@dataclass(frozen=True)
class Share:
    percent: float | None  # None: the count or the total is not shown
    under: bool = False  # clearly under-represented against the population


def population_columns(
    dialogue: Dialogue, area_labels: Sequence[str], age_labels: Sequence[str], title: str
) -> tuple[Column, Column] | None:
    """The residents in the rows of the page's two tables (districts and age bands); none
    in "not given". ``None`` when no population is imported."""
    rows = [p for p in baseline_ops.population(dialogue) if p.area.name in area_labels]
    if not rows:
        return None
    areas = Counter[str]()
    ages = Counter[str]()
    for row in rows:
        areas[row.area.name] += row.count
        ages[row.age_band.value] += row.count
    total = sum(areas.values())
    return (
        Column(title, [Count(label, areas[label]) for label in area_labels], total),
        Column(title, [Count(label, ages[label]) for label in age_labels], total),
    )


@dataclass(frozen=True)
class SharedTable:
    """One table of the page (by district or by age band): the population's column first
    when there is one, then the page's columns, each with its shares by row."""

    labels: list[str]
    columns: list[Column]
    shares: list[dict[str, Share]]
    with_population: bool

    def charted(self) -> list[tuple[str, list[float | None]]]:
        """Population beside conversations, all meetings and voters, as shares: the first
        column or two, and the page's "All meetings" and "Voted" (third and first from the
        end, after "On paper"). A column nobody is counted in has no shares to draw."""
        first = 1 if self.with_population else 0
        picked = [*range(first + 1), len(self.columns) - 3, len(self.columns) - 1]
        return [
            (self.columns[i].title, [self.shares[i][label].percent for label in self.labels])
            for i in picked
            if self.columns[i].total != 0
        ]


def with_population(
    dialogue: Dialogue, table: Representation, title: str
) -> tuple[SharedTable, SharedTable]:
    """The page's two tables with shares, beside the population titled ``title``."""
    population = population_columns(dialogue, table.area_labels, table.age_labels, title)
    sides = []
    for index, (labels, columns) in enumerate(
        ((table.area_labels, table.by_area), (table.age_labels, table.by_age))
    ):
        base = population[index] if population is not None else None
        every = [base, *columns] if base is not None else list(columns)
        sides.append(SharedTable(labels, every, [shares(c, base) for c in every], base is not None))
    return sides[0], sides[1]


def shares(column: Column, population: Column | None) -> dict[str, Share]:
    """Each shown cell's share of the shown total, flagged against ``population``."""
    known = {c.label: c.number for c in population.cells} if population else {}
    out: dict[str, Share] = {}
    for cell in column.cells:
        if cell.number is None or not column.total:
            out[cell.label] = Share(None)
            continue
        percent = 100 * cell.number / column.total
        under = False
        if population is not None and population.total and column is not population:
            resident_share = (known.get(cell.label) or 0) / population.total
            expected = resident_share * column.total
            under = expected >= EXPECTED_MIN and cell.number < UNDER * expected
        out[cell.label] = Share(percent, under)
    return out
