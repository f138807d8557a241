"""Synthetic opinion data with planted groups, for the analysis's bench and its tests.

Each group holds a point on a circle of opinions, and each partisan statement a direction on
it: a group agrees the more the statement points its way (a two-dimensional opinion space, the
kind Pol.is's two-component PCA is made to see). Bridging statements are agreed by every
group, divisive ones agreed by one group and rejected by the group across the circle. Every
resident answers a random part of the deck, with noise and passes, in a shuffled order that
sometimes changes an earlier answer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Opinions:
    answers: list[tuple[int, int, int]]  # (participant, statement, value), in time order
    statements: list[int]
    group_of: dict[int, int]  # participant id → planted group (0..k-1)
    bridging: frozenset[int]
    divisive: frozenset[int]


def planted(
    groups: int,
    *,
    size: int | list[int] = 30,
    partisan: int = 30,
    bridging: int = 3,
    divisive: int = 3,
    answered: float = 0.8,
    noise: float = 0.1,
    seed: int = 0,
) -> Opinions:
    """``groups`` groups of ``size`` residents each (or the sizes listed), who answer about a
    share ``answered`` of the deck; ``noise`` is the chance that an answer is random."""
    rng = np.random.default_rng(seed)
    sizes = [size] * groups if isinstance(size, int) else list(size)
    angles = [2 * math.pi * g / groups for g in range(groups)]
    statements = list(range(1, partisan + bridging + divisive + 1))
    bridge_ids = statements[partisan : partisan + bridging]
    divide_ids = statements[partisan + bridging :]
    # P(agree) and P(disagree) per group and statement; the rest is a pass.
    agree = np.zeros((groups, len(statements)))
    disagree = np.zeros((groups, len(statements)))
    directions = rng.uniform(0, 2 * math.pi, partisan)
    for g, angle in enumerate(angles):
        lean = np.cos(angle - directions)
        agree[g, :partisan] = 0.05 + 0.85 * np.clip(lean, 0, None) ** 0.5
        disagree[g, :partisan] = 0.05 + 0.85 * np.clip(-lean, 0, None) ** 0.5
        agree[g, partisan : partisan + bridging] = 0.9
        disagree[g, partisan : partisan + bridging] = 0.05
    across = groups // 2
    for j in range(partisan + bridging, len(statements)):
        agree[:, j], disagree[:, j] = 0.2, 0.2
        agree[0, j], disagree[0, j] = 0.95, 0.03
        agree[across, j], disagree[across, j] = 0.03, 0.95
    answers: list[tuple[int, int, int]] = []
    group_of: dict[int, int] = {}
    participant = 1000
    for g, count in enumerate(sizes):
        for _ in range(count):
            participant += 1
            group_of[participant] = g
            for column in np.flatnonzero(rng.random(len(statements)) < answered):
                j = int(column)
                if rng.random() < noise:
                    value = int(rng.integers(-1, 2))
                else:
                    # agree below P(agree), disagree up to P(agree) + P(disagree), else pass
                    draw = rng.random()
                    value = 1 if draw < agree[g, j] else 0
                    if agree[g, j] <= draw < agree[g, j] + disagree[g, j]:
                        value = -1
                answers.append((participant, statements[j], value))
    order = rng.permutation(len(answers))
    timeline = [answers[i] for i in order]
    # Some residents answer again; their first answer, earlier in time, must not count.
    changed = [(p, s, -v or 1) for p, s, v in timeline[: len(timeline) // 20]]
    return Opinions(
        answers=changed + timeline,
        statements=statements,
        group_of=group_of,
        bridging=frozenset(bridge_ids),
        divisive=frozenset(divide_ids),
    )
