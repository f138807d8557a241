"""Counts of people that cannot point at a person: small groups are never shown.

A count under ``SMALL_GROUP`` is hidden (primary suppression). When a column's total is
shown, the hidden cells could be worked out by subtraction, so further cells are hidden,
smallest first, until what is hidden adds up to at least ``SMALL_GROUP`` (secondary
suppression). A total under ``SMALL_GROUP`` is hidden too. Zero is shown: nobody from a
district is exactly what a team needs to see, and it points at no one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

SMALL_GROUP = 5


@dataclass(frozen=True)
class Count:
    label: str
    number: int | None  # None: hidden, a small group (or a cell that would reveal one)


@dataclass(frozen=True)
class Column:
    title: str
    cells: list[Count]
    total: int | None


def suppress(counts: Mapping[str, int], order: Sequence[str], *, title: str = "") -> Column:
    """One column of counts in ``order``; labels missing from ``counts`` count as zero."""
    values = {label: counts.get(label, 0) for label in order}
    total = sum(values.values())
    hidden = {label for label, n in values.items() if 0 < n < SMALL_GROUP}
    if total < SMALL_GROUP:
        hidden = {label for label, n in values.items() if n > 0}
    else:
        shown = sorted(
            (label for label, n in values.items() if n > 0 and label not in hidden),
            key=lambda label: (values[label], order.index(label)),
        )
        while hidden and sum(values[label] for label in hidden) < SMALL_GROUP and shown:
            hidden.add(shown.pop(0))
    return Column(
        title,
        [Count(label, None if label in hidden else values[label]) for label in order],
        total if total >= SMALL_GROUP else None,
    )
