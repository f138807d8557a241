"""A stand-in for ``analysis.analyse`` (branch ``analysis``) with its interface, until it lands."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class StatementScore:
    statement_id: int
    agree: int
    disagree: int
    passed: int
    votes: int
    agree_share: float
    disagree_share: float
    score: float


@dataclass(frozen=True)
class Group:
    id: int
    members: tuple[int, ...]
    distinct: tuple[StatementScore, ...]
    shown: bool


@dataclass(frozen=True)
class Analysis:
    placed: tuple[int, ...]
    positions: dict[int, tuple[float, float]]
    groups: tuple[Group, ...]
    common_ground: tuple[StatementScore, ...]
    common_disagreement: tuple[StatementScore, ...]
    divisive: tuple[StatementScore, ...]


def _score(sid: int, column: np.ndarray, score: float) -> StatementScore:
    agree, disagree, passed = (int((column == v).sum()) for v in (1, -1, 0))
    votes = agree + disagree + passed
    return StatementScore(
        sid,
        agree,
        disagree,
        passed,
        votes,
        (agree + 1) / (votes + 2),
        (disagree + 1) / (votes + 2),
        score,
    )


def analyse(
    answers: Iterable[tuple[int, int, int]],
    statement_ids: Sequence[int],
    *,
    min_answers: int = 7,
    min_group: int = 5,
    limit: int = 10,
) -> Analysis:
    column = {sid: i for i, sid in enumerate(statement_ids)}
    rows: dict[int, dict[int, int]] = {}
    for pid, sid, value in answers:
        if sid in column:
            rows.setdefault(pid, {})[column[sid]] = value
    need = min(min_answers, len(statement_ids))
    placed = tuple(sorted(p for p, a in rows.items() if need and len(a) >= need))
    empty = Analysis(placed, {}, (), (), (), ())
    if len(placed) < 2:
        return empty
    matrix = np.full((len(placed), len(statement_ids)), np.nan)
    for i, pid in enumerate(placed):
        for j, value in rows[pid].items():
            matrix[i, j] = value
    filled = np.where(np.isnan(matrix), np.nanmean(np.nan_to_num(matrix), axis=0), matrix)
    centred = filled - filled.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    xy = centred @ vt[:2].T if vt.shape[0] >= 2 else np.c_[centred @ vt[:1].T, np.zeros(len(placed))]
    positions = {pid: (float(xy[i, 0]), float(xy[i, 1])) for i, pid in enumerate(placed)}
    labels = (xy[:, 0] > 0).astype(int)
    groups = []
    for g in (0, 1):
        members = tuple(p for p, label in zip(placed, labels, strict=True) if label == g)
        if members:
            groups.append((g, members, matrix[labels == g]))
    common = []
    for sid, j in column.items():
        score = 1.0
        for _, _, sub in groups:
            score *= _score(sid, sub[:, j], 0).agree_share
        common.append(_score(sid, matrix[:, j], score))
    common.sort(key=lambda s: -s.score)
    return Analysis(
        placed,
        positions,
        tuple(
            Group(g, members, (), len(members) >= min_group) for g, members, _ in groups
        ),
        tuple(common[:limit]),
        (),
        (),
    )
