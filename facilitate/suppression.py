"""Counts of people that cannot point at a person: small groups are never shown, neither
directly nor by subtraction, on one page or across pages one filter apart.

A count under ``SMALL_GROUP`` is hidden (primary suppression). When a column's total is
shown, the hidden cells could be worked out by subtraction, so further cells are hidden,
smallest first, until what is hidden adds up to at least ``SMALL_GROUP`` (secondary
suppression). A total under ``SMALL_GROUP`` is hidden too. Zero is shown: nobody from a
district is exactly what a team needs to see, and it points at no one.

Columns that are related (a sum of other columns, a subset of another column, the same
people filtered once more) need more than that: an auditor can combine every number shown
into linear relations and bound each hidden cell. The guarantee, checked by an independent
linear-programming auditor in tests/reporting/test_representation_audit.py: for every
hidden cell, and for every group implied by a difference (the people in a column but not in
its filtered version, those who joined but did not vote) that has 1 to 4 people, the
smallest and the largest value consistent with everything shown lie at least
``SMALL_GROUP`` apart. The helpers below decide a whole family of columns at once, so a
cell has the same status on every page that shows it:

- ``protect_group``: one group of people counted two ways (by district, by age band), the
  two tables sharing the total; each table is suppressed on its own.
- ``protect_sum``: a column that is the sum of others ("All meetings") shows a cell only
  when every part's cell is shown. It then states nothing the parts do not, so the parts'
  protection carries over, and a difference of two shown sums is a sum of shown parts.
- ``protect_subset``: a column within another, fully shown one ("Voted" within "All
  meetings"), with the complement (who did not vote) protected too; exact bounds, no LP.
- ``protect_filtered``: a column with one more filter than each of its parents (decided
  first): primary and complement suppression, then an LP audit of each parent pair (scipy's
  HiGHS), hiding one more cell per failure. Hiding more only widens the bounds, and a child
  with everything hidden passes, so the loop ends.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog

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


def _small(n: int) -> bool:
    return 0 < n < SMALL_GROUP


def _column_hidden(values: Sequence[int]) -> set[int]:
    """Indices hidden in one column of counts whose total is shown unless it is small."""
    hidden = {i for i, n in enumerate(values) if _small(n)}
    if _small(sum(values)):
        return {i for i, n in enumerate(values) if n > 0}
    shown = sorted(
        (i for i, n in enumerate(values) if n > 0 and i not in hidden), key=lambda i: (values[i], i)
    )
    while hidden and sum(values[i] for i in hidden) < SMALL_GROUP and shown:
        hidden.add(shown.pop(0))
    return hidden


def suppress(counts: Mapping[str, int], order: Sequence[str], *, title: str = "") -> Column:
    """One column of counts in ``order``; labels missing from ``counts`` count as zero."""
    values = [counts.get(label, 0) for label in order]
    hidden = _column_hidden(values)
    total = sum(values)
    return Column(
        title,
        [Count(label, None if i in hidden else values[i]) for i, label in enumerate(order)],
        None if _small(total) else total,
    )


# -- families of columns -------------------------------------------------------------------


@dataclass(frozen=True)
class Group:
    """One group of people counted in several tables (by district, by age band), each in a
    fixed label order; every table adds up to the same total."""

    tables: tuple[tuple[int, ...], ...]

    @property
    def total(self) -> int:
        return sum(self.tables[0])


@dataclass(frozen=True)
class Hidden:
    """Which cells of a ``Group`` are hidden (indices per table), and whether its total is."""

    tables: tuple[frozenset[int], ...]
    total: bool

    def shown(self, group: Group) -> tuple[list[int | None], ...]:
        return tuple(
            [None if i in hidden else n for i, n in enumerate(cells)]
            for cells, hidden in zip(group.tables, self.tables, strict=True)
        )

    @property
    def anything(self) -> bool:
        return self.total or any(self.tables)


def column(group: Group, hidden: Hidden, table: int, labels: Sequence[str], title: str) -> Column:
    cells = hidden.shown(group)[table]
    return Column(
        title,
        [Count(label, n) for label, n in zip(labels, cells, strict=True)],
        None if hidden.total else group.total,
    )


def everything_hidden(group: Group) -> Hidden:
    """The always-safe answer: every count that is not zero hidden."""
    return Hidden(
        tuple(frozenset(i for i, n in enumerate(cells) if n) for cells in group.tables),
        group.total > 0,
    )


def protect_group(group: Group) -> Hidden:
    """A column on its own. With the total shown the tables are independent, and each
    table's hidden cells add up to at least ``SMALL_GROUP``, each free between zero and
    that sum; a small total hides every count that is not zero."""
    return Hidden(
        tuple(frozenset(_column_hidden(cells)) for cells in group.tables),
        _small(group.total),
    )


def protect_sum(parts: Sequence[Hidden], *, tables: int) -> Hidden:
    """The hidden cells of a column that is the cellwise sum of ``parts``."""
    return Hidden(
        tuple(frozenset().union(*(p.tables[t] for p in parts)) for t in range(tables)),
        any(p.total for p in parts),
    )


def protect_subset(sub: Group, whole: Group, whole_hidden: Hidden) -> Hidden:
    """A column within ``whole`` cellwise (who voted, of those who joined).

    Only a fully shown ``whole`` gives constant bounds; otherwise the hidden parts of both
    would constrain each other, so everything of ``sub`` is hidden (with ``sub`` free
    between zero and ``whole``, nothing about ``whole`` can be learned from it).
    The complement ``whole - sub`` is a group too: when both cells would be shown it is
    known, so it must be zero or at least ``SMALL_GROUP`` as well.
    """
    if whole_hidden.anything or _small(sub.total) or _small(whole.total - sub.total):
        return everything_hidden(sub)
    tables: list[frozenset[int]] = []
    for cells, caps in zip(sub.tables, whole.tables, strict=True):
        hidden = {
            i
            for i, (n, u) in enumerate(zip(cells, caps, strict=True))
            if _small(n) or _small(u - n)
        }
        shown = sorted(
            (i for i, n in enumerate(cells) if n > 0 and i not in hidden),
            key=lambda i: (cells[i], i),
        )
        while hidden and not _subset_safe(cells, caps, hidden):
            if not shown:
                return everything_hidden(sub)
            hidden.add(shown.pop(0))
        tables.append(frozenset(hidden))
    return Hidden(tuple(tables), False)


def _subset_safe(cells: Sequence[int], caps: Sequence[int], hidden: set[int]) -> bool:
    """Exact bounds when the hidden cells only know ``0 <= x <= cap`` and their sum: each
    lies in [max(0, sum - other caps), min(cap, sum)], and so does its complement's width."""
    rest = sum(cells[i] for i in hidden)
    room = sum(caps[i] for i in hidden)
    return all(min(caps[i], rest) - max(0, rest - (room - caps[i])) >= SMALL_GROUP for i in hidden)


def protect_filtered(child: Group, parents: Sequence[tuple[Group, Hidden]]) -> Hidden:
    """A column that is each parent with one more filter (a subset, cellwise).

    Primary suppression, then the complements: a cell whose parent cell is shown and whose
    difference to it is small, and every cell whose parent cell is hidden (showing it would
    bound the parent's from below). Then each parent pair is audited with linear
    programming, and while a hidden cell or a small complement can be bounded to a range
    narrower than ``SMALL_GROUP``, one more cell of the child is hidden.
    """
    tables: list[set[int]] = []
    for t, cells in enumerate(child.tables):
        first = _column_hidden(cells)
        for parent, parent_hidden in parents:
            for i, n in enumerate(cells):
                if n and (i in parent_hidden.tables[t] or _small(parent.tables[t][i] - n)):
                    first.add(i)
        tables.append(first)
    total = _small(child.total) or any(h.total or _small(p.total - child.total) for p, h in parents)
    if total:
        tables = [set(h) for h in everything_hidden(child).tables]
    while True:
        hidden = Hidden(tuple(frozenset(h) for h in tables), total)
        failure = next(
            (f for p, h in parents if (f := _pair_failure(p, h, child, hidden)) is not None),
            None,
        )
        if failure is None:
            return hidden
        more = _next_to_hide(child, hidden, failure)
        if more is None:
            if not total:
                total = True
                continue
            return everything_hidden(child)
        tables[more[0]].add(more[1])


def _next_to_hide(child: Group, hidden: Hidden, failure: tuple[int, int]) -> tuple[int, int] | None:
    """The cell of the same row if shown, else the smallest shown count of the same table,
    else of any table; None when only the total is left to hide."""
    table, row = failure
    order = list(range(len(child.tables)))
    if table >= 0:
        order.remove(table)
        order.insert(0, table)
    if table >= 0 and row not in hidden.tables[table] and child.tables[table][row]:
        return table, row
    for t in order:
        shown = [i for i, n in enumerate(child.tables[t]) if n and i not in hidden.tables[t]]
        if shown:
            return t, min(shown, key=lambda i: (child.tables[t][i], i))
    return None


def _pair_failure(
    parent: Group, parent_hidden: Hidden, child: Group, child_hidden: Hidden
) -> tuple[int, int] | None:
    """The (table, row) of a cell the pair pins too narrowly, or (-1, -1) for a total."""
    # Variables: each column's cells table by table, then its total; parent first.
    groups = (parent, child)
    hiddens = (parent_hidden, child_hidden)
    offsets: list[list[int]] = []
    size = 0
    for g in groups:
        starts = []
        for cells in g.tables:
            starts.append(size)
            size += len(cells)
        starts.append(size)  # the total
        size += 1
        offsets.append(starts)
    truth = np.zeros(size)
    bounds: list[tuple[float, float | None]] = [(0.0, None)] * size
    eq_rows: list[np.ndarray] = []
    for k, (g, h) in enumerate(zip(groups, hiddens, strict=True)):
        total_at = offsets[k][-1]
        truth[total_at] = g.total
        if not h.total:
            bounds[total_at] = (g.total, g.total)
        for t, cells in enumerate(g.tables):
            row = np.zeros(size)
            row[total_at] = -1
            for i, n in enumerate(cells):
                at = offsets[k][t] + i
                truth[at] = n
                row[at] = 1
                if i not in h.tables[t]:
                    bounds[at] = (n, n)
            eq_rows.append(row)
    ub_rows: list[np.ndarray] = []
    targets: list[tuple[np.ndarray, tuple[int, int]]] = []
    for t, cells in enumerate(child.tables):
        for i in range(len(cells)):
            diff = np.zeros(size)
            diff[offsets[0][t] + i] = 1
            diff[offsets[1][t] + i] = -1
            ub_rows.append(-diff)  # child <= parent
            if _small(parent.tables[t][i] - cells[i]):
                targets.append((diff, (t, i)))
            for k in (0, 1):
                if i in hiddens[k].tables[t]:
                    unit = np.zeros(size)
                    unit[offsets[k][t] + i] = 1
                    targets.append((unit, (t, i)))
    diff = np.zeros(size)
    diff[offsets[0][-1]] = 1
    diff[offsets[1][-1]] = -1
    ub_rows.append(-diff)
    if _small(parent.total - child.total):
        targets.append((diff, (-1, -1)))
    for k in (0, 1):
        if hiddens[k].total:
            unit = np.zeros(size)
            unit[offsets[k][-1]] = 1
            targets.append((unit, (-1, -1)))
    a_eq, a_ub = np.array(eq_rows), np.array(ub_rows)
    b_eq, b_ub = np.zeros(len(eq_rows)), np.zeros(len(ub_rows))
    for objective, where in targets:
        value = float(objective @ truth)
        high = _extreme(-objective, a_eq, b_eq, a_ub, b_ub, bounds)
        if high is not None and -high >= value + SMALL_GROUP:
            continue  # the true value is feasible, so the range is wide enough
        low = _extreme(objective, a_eq, b_eq, a_ub, b_ub, bounds)
        top = float("inf") if high is None else -high
        bottom = float("-inf") if low is None else low
        if top - bottom < SMALL_GROUP - 1e-6:
            return where
    return None


def _extreme(
    objective: np.ndarray,
    a_eq: np.ndarray,
    b_eq: np.ndarray,
    a_ub: np.ndarray,
    b_ub: np.ndarray,
    bounds: list[tuple[float, float | None]],
) -> float | None:
    """The minimum of ``objective`` over what the auditor knows; None when unbounded."""
    result = linprog(
        objective, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs"
    )
    if result.status == 3:  # unbounded
        return None
    if result.status != 0:
        # The true counts always satisfy what the auditor knows, so this is a bug in how
        # the relations were written, never a property of the data.
        raise RuntimeError(f"suppression audit: the linear program failed ({result.message})")
    return float(result.fun)
