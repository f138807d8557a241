"""Opinion groups and common ground from agree / disagree / pass answers, as Pol.is finds them.

A pure function over answers: no database, no clock, no randomness that is not seeded, so the
same answers always give the same analysis. It follows Pol.is's published math
(``compdemocracy/polis``, ``math/src/polismath/math/``: ``conversation.clj``, ``pca.clj``,
``clusters.clj``, ``repness.clj``, ``stats.clj``):

1. The answer matrix: participants × statements, agree 1, disagree -1, pass 0, missing where a
   participant has not answered. A participant's last answer to a statement counts.
2. Participants who answered at least ``min_answers`` statements (every statement anyone
   answered, when there are fewer) are *placed*: only they are grouped (Pol.is's
   ``in-conv``). Statements that have left the deck (hidden: Pol.is's "moderated out") and
   answers to them count here, as in Pol.is, and nowhere else but in the scaling of step 3.
3. Missing answers are filled with the statement's mean answer, and a PCA with two components
   is fitted over every participant's row, as Pol.is fits it over the whole matrix. Since a
   filled-in answer equals the centre the PCA subtracts, it adds nothing to a projection, which
   is Pol.is's sparsity-aware projection; that projection is then scaled by
   ``sqrt(statements / statements answered)``, so that people who answered little are not
   pulled to the centre. Pol.is sets a moderated-out statement's column to 0 for everyone, so
   each hidden statement that has answers counts as answered by all in that scale.
4. The placed participants are clustered in two levels: up to 100 base clusters by Pol.is's
   k-means (Lloyd's, from the first 100 distinct positions in the order participants first
   answered, as its rows are ordered), then the base clusters' centres, weighted by their
   sizes, by k-means into k = 2..5 groups (at most ``2 + base clusters // 12``), k chosen by
   the mean silhouette of the base clusters' centres (Pol.is's own silhouette: a singleton
   scores 0; ties go to the larger k).
5. Group-informed consensus of a statement: the product over *all* groups of
   ``(agree_g + 1) / (answers_g + 2)``, small groups included; shared disagreement alike.
6. What sets a group apart ("repness"): Pol.is's comparison of the group with the rest of the
   placed participants, kept only when both the group's own share and its difference from the
   rest pass Pol.is's one-sided 90 % z tests (``passes-by-test?``), ranked by Pol.is's
   ``repness × repness-test × p-success × p-test``.

Where this differs from Pol.is, and why:

- Pol.is remembers its previous clustering between updates (k-means starts from the last
  centres, and a new k must win four updates running before it is shown), so its groups
  depend on the conversation's history. This function keeps no state: the base clusters start
  as Pol.is starts a new conversation, and the groups are the best of seeded k-means++ starts
  (``random_state`` fixed), which stand in for Pol.is's refinement over many updates.
- Pol.is tops up the grouped participants to 15 with the most active ones when fewer have seven
  answers. Here a participant below the threshold is never placed: the threshold is the
  promise made to residents ("answer seven to see where you stand").
- Pol.is always shows one representative statement per group even when none is significant;
  here ``distinct`` holds only the significant ones, possibly none.
- Common ground (shared disagreement) holds only statements that more than half of the answers
  of every shown group, and of all grouped participants together, agree (disagree) with, so the
  list never fills up with weak statements in a small deck; within it the order is Pol.is's
  group-informed consensus, over all groups.
- *Divisive* statements are not a Pol.is list. Here a statement is divisive when a majority of
  one shown group agrees while a majority of another shown group disagrees; its score is the
  largest, over pairs of shown groups, of the smaller of the first group's smoothed agree
  share and the second's smoothed disagree share (so always above 0.5). Groups too small to be
  shown take no part, so that no list rests on one or two people's answers.

With fewer than four placed participants, a single statement, or answers that do not differ,
there are no groups; common ground is then computed over everyone who answered, as one group.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import sparse
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from threadpoolctl import ThreadpoolController

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

#: Pol.is's defaults (conversation.clj, ``base-conv-update-graph``).
BASE_K = 100
MAX_K = 5
#: One-sided z at 90 % (stats.clj, ``z-sig-90?``).
Z_90 = 1.2816
#: Below this many placed participants a grouping says nothing.
MIN_PLACED_FOR_GROUPS = 4
#: Positions this close are one point for clustering (identical answers give identical
#: positions up to floating-point noise).
DECIMALS = 9
SEED = 0
#: k-means iterations for the base clusters (conversation.clj, ``:base-iters``).
BASE_ITERS = 100
#: Restarts of the group-level k-means: its input is at most 100 points, so they are cheap.
GROUP_N_INIT = 10
#: clusters.clj, ``same-clustering?``: k-means has settled when no centre moved this far.
SETTLED = 0.01
#: Found once: looking up the loaded BLAS and OpenMP libraries costs 10 ms a time.
_THREADS = ThreadpoolController()


def _one_thread() -> None:
    """BLAS and OpenMP on one thread, for the whole process and for good.

    On two cores shared with the server their worker threads only spin against each other
    (a 30-person room took over a second instead of 20 ms of CPU), and one thread finishes
    these sizes fastest anyway. It is not undone afterwards: analyses overlapping in two
    threads would undo it under each other, and k-means sums in an order that depends on the
    thread count, so a steady single thread also keeps the results the same on every run.
    """
    _THREADS.limit(limits=1)


@dataclass(frozen=True)
class GroupCount:
    """One shown group's answers to a statement."""

    group_id: int
    agree: int
    disagree: int
    passed: int

    @property
    def votes(self) -> int:
        return self.agree + self.disagree + self.passed


@dataclass(frozen=True)
class StatementScore:
    """A statement in one of the analysis's lists.

    The counts are over the participants the list considers (a group's members for
    ``distinct``, every grouped participant otherwise); ``agree_share`` and
    ``disagree_share`` are the plain shares of those answers (passes count as answers, as in
    Pol.is), 0 when there are none. ``score`` is the list's own ranking value, which is
    smoothed.
    """

    statement_id: int
    agree: int
    disagree: int
    passed: int
    votes: int
    agree_share: float
    disagree_share: float
    score: float
    #: For ``distinct``: whether the group stands apart by agreeing or by disagreeing.
    side: Literal["agree", "disagree"] = "agree"
    #: Each shown group's counts, in group order (common ground, disagreement, divisive);
    #: groups too small to be shown are left out here.
    by_group: tuple[GroupCount, ...] = ()


@dataclass(frozen=True)
class Group:
    id: int  # 1..k: by size, largest first, then by smallest member id
    members: tuple[int, ...]  # participant ids, sorted
    distinct: tuple[StatementScore, ...]  # what sets this group apart, best first
    shown: bool  # size >= min_group
    center: tuple[float, float] = (0.0, 0.0)  # mean position of the members


@dataclass(frozen=True)
class Analysis:
    placed: tuple[int, ...]  # participant ids placed (enough answers), sorted
    positions: dict[int, tuple[float, float]]  # 2-D PCA projection per placed participant
    groups: tuple[Group, ...]
    common_ground: tuple[StatementScore, ...]  # group-informed consensus (agree), best first
    common_disagreement: tuple[StatementScore, ...]
    divisive: tuple[StatementScore, ...]


@dataclass(frozen=True)
class _Matrix:
    """The answer matrix, kept sparse: a deck of 1,000 statements is mostly unanswered."""

    participants: Ints  # sorted participant ids, one per row
    statements: Ints  # sorted statement ids, one per column
    row: Ints  # one entry per answered cell
    column: Ints
    value: Floats  # 1, -1 or 0
    hidden: int  # statements answered but no longer in the deck (Pol.is's moderated out)
    hidden_answers: Ints  # per row: answers to those
    arrival: Ints  # the rows in the order of each participant's first answer

    @property
    def shape(self) -> tuple[int, int]:
        return self.participants.size, self.statements.size

    @property
    def answered(self) -> int:
        """Statements in the deck that anyone answered."""
        return int(np.unique(self.column).size)

    def where(self, answered: npt.NDArray[np.bool_]) -> sparse.csr_array:
        """A 0/1 matrix of the cells where ``answered`` holds."""
        chosen = np.flatnonzero(answered)
        ones = np.ones(chosen.size)
        return sparse.csr_array((ones, (self.row[chosen], self.column[chosen])), shape=self.shape)


def analyse(
    answers: Iterable[tuple[int, int, int]],
    statement_ids: Sequence[int],
    *,
    min_answers: int = 7,
    min_group: int = 5,
    limit: int = 10,
) -> Analysis:
    """answers: (participant_id, statement_id, value in {1,-1,0}); the last one per pair wins
    (callers pass them in time order).

    Answers to statements outside ``statement_ids`` (hidden since) are Pol.is's answers to
    moderated-out statements: they help a participant reach ``min_answers`` and are otherwise
    left out. Raises ValueError for a value other than 1, -1 or 0.
    """
    matrix = _build(answers, statement_ids)
    n, _ = matrix.shape
    counts = np.bincount(matrix.row, minlength=n)
    # Pol.is's n-cmts (conversation.clj): the columns of its rating matrix, which only has
    # statements someone answered; moderated-out ones stay in as zeroed columns.
    deck = matrix.answered + matrix.hidden
    placed = counts + matrix.hidden_answers >= max(1, min(min_answers, deck))
    _one_thread()
    positions = _positions(matrix, counts)
    # Pol.is's rows are in the order participants first answered (named_matrix.clj,
    # ``update-nmat``), and its k-means starts from the first rows: that order is kept here.
    arrived = matrix.arrival[placed[matrix.arrival]]
    labels = _groups(positions[arrived]) if positions is not None else None
    # No groups: everyone who answered is one group for the common ground.
    found = [np.arange(n)] if labels is None else _ordered(matrix.participants, arrived, labels)
    membership = np.zeros((len(found), n))
    for g, members in enumerate(found):
        membership[g, members] = 1.0
    agree = _per_group(membership, matrix.where(matrix.value == 1))
    disagree = _per_group(membership, matrix.where(matrix.value == -1))
    seen = _per_group(membership, matrix.where(np.ones(matrix.value.size, dtype=bool)))
    groups: tuple[Group, ...] = ()
    if labels is not None and positions is not None:
        groups = tuple(
            _group(matrix, g, members, positions, agree, disagree, seen, min_group, limit)
            for g, members in enumerate(found)
        )
    shown = [i for i, g in enumerate(groups) if g.shown]
    by_group = _by_group(groups, shown, agree, disagree, seen)
    common_ground = _consensus(matrix, agree, disagree, seen, shown, by_group, limit, "agree")
    common_disagreement = _consensus(
        matrix, agree, disagree, seen, shown, by_group, limit, "disagree"
    )
    divisive = _divisive(matrix, agree[shown], disagree[shown], seen[shown], by_group, limit)

    placed_ids = matrix.participants[placed]
    if positions is None:
        where = dict.fromkeys((int(p) for p in placed_ids), (0.0, 0.0))
    else:
        where = {
            int(p): (float(x), float(y))
            for p, (x, y) in zip(placed_ids, positions[placed], strict=True)
        }
    return Analysis(
        placed=tuple(int(p) for p in placed_ids),
        positions=where,
        groups=groups,
        common_ground=common_ground,
        common_disagreement=common_disagreement,
        divisive=divisive,
    )


# -- the matrix and the map ---------------------------------------------------------------


def _build(answers: Iterable[tuple[int, int, int]], statement_ids: Sequence[int]) -> _Matrix:
    flat = np.fromiter(itertools.chain.from_iterable(answers), dtype=np.int64)
    if flat.size % 3:
        raise ValueError("each answer is (participant_id, statement_id, value)")
    rows = flat.reshape(-1, 3)
    bad = ~np.isin(rows[:, 2], (-1, 0, 1))
    if bad.any():
        raise ValueError(f"an answer's value must be 1, -1 or 0, not {int(rows[bad][0, 2])}")
    statements = np.unique(np.asarray(statement_ids, dtype=np.int64))
    participants, first, row = np.unique(rows[:, 0], return_index=True, return_inverse=True)
    row = row.astype(np.int64)
    column = np.searchsorted(statements, rows[:, 1])
    known = column < statements.size
    known[known] = statements[column[known]] == rows[known, 1]
    # Answers to statements no longer in the deck count as Pol.is counts moderated-out ones.
    hidden_ids, hidden_column = np.unique(rows[~known, 1], return_inverse=True)
    hidden_cells = np.unique(row[~known] * max(1, hidden_ids.size) + hidden_column)
    hidden_answers = np.bincount(
        hidden_cells // max(1, hidden_ids.size), minlength=participants.size
    ).astype(np.int64)
    row, column, value = row[known], column[known].astype(np.int64), rows[known, 2]
    # The last answer per pair wins: the first occurrence in the reversed order.
    cell = row * max(1, statements.size) + column
    _, first_reversed = np.unique(cell[::-1], return_index=True)
    last = cell.size - 1 - first_reversed
    return _Matrix(
        participants=participants,
        statements=statements,
        row=row[last],
        column=column[last],
        value=value[last].astype(np.float64),
        hidden=int(hidden_ids.size),
        hidden_answers=hidden_answers,
        arrival=np.argsort(first, kind="stable").astype(np.int64),
    )


def _per_group(membership: Floats, cells: sparse.csr_array) -> Floats:
    """Group × statement counts of the cells."""
    result: Floats = np.asarray((cells.T @ membership.T).T, dtype=np.float64)
    return result


def _positions(matrix: _Matrix, counts: Ints) -> Floats | None:
    """Pol.is's sparsity-aware PCA projection of every participant, or None when the answers
    have no two dimensions to show."""
    n, m = matrix.shape
    if n < 2 or m < 2:
        return None
    answers = np.bincount(matrix.column, minlength=m)
    means = np.bincount(matrix.column, weights=matrix.value, minlength=m) / np.maximum(answers, 1)
    # Missing answers filled with the statement's mean are zeros once centred, so the filled
    # matrix stays sparse.
    centred = matrix.value - means[matrix.column]
    if not np.any(centred != 0):
        return None
    filled = sparse.csr_array((centred, (matrix.row, matrix.column)), shape=(n, m))
    if min(n, m) > 2:
        pca = PCA(n_components=2, svd_solver="arpack", random_state=SEED)
        projected: Floats = pca.fit_transform(filled)
    else:
        # ARPACK needs more rows and columns than components; so small a matrix is exact.
        pca = PCA(n_components=2, svd_solver="full")
        projected = pca.fit_transform(filled.toarray())
    # pca.clj, sparsity-aware-project-ptpt: the statements are the rating matrix's columns,
    # those someone answered. Pol.is zeroes a moderated-out statement's column for everyone, so
    # it counts as answered by all in this scale.
    columns = int(np.count_nonzero(answers)) + matrix.hidden
    scale = np.sqrt(columns / np.maximum(counts + matrix.hidden, 1))
    result: Floats = projected * scale[:, None]
    return result


# -- groups -------------------------------------------------------------------------------


def _groups(points: Floats) -> Ints | None:
    """A group label per point (0..k-1), or None when the points do not make groups.

    conversation.clj: base clusters by Pol.is's k-means over the points (they come in its row
    order, which decides where that k-means starts), then k-means over the base clusters'
    centres weighted by their sizes for k = 2..``max-k-fn``, the k with the best silhouette
    winning (``apply max-key``: ties go to the larger k).

    The group level departs from Pol.is: there each k's clustering starts from the one of the
    previous update (``:last-clusters``), so it is refined over the life of the conversation,
    which a stateless analysis cannot repeat. Started cold from the first k centres, as Pol.is
    starts only a new conversation, it settles in poor local optima (four and five planted
    groups came out as three and four); the best of several k-means++ starts stands in for
    that refinement.
    """
    if len(points) < MIN_PLACED_FOR_GROUPS:
        return None
    # Identical answers give one point, up to floating-point noise; k-means moves them together,
    # so each distinct point stands for its copies, weighted, in the order it first came.
    rounded = np.round(points, DECIMALS)
    unique, first, inverse, weight = np.unique(
        rounded, axis=0, return_index=True, return_inverse=True, return_counts=True
    )
    if len(unique) < 2:
        return None
    by_arrival = np.argsort(first)
    rank = np.empty_like(by_arrival)
    rank[by_arrival] = np.arange(len(by_arrival))
    distinct_points = points[first[by_arrival]]
    base_of_point, centres = _kmeans(
        distinct_points, weight[by_arrival].astype(np.float64), BASE_K, BASE_ITERS
    )
    sizes = np.bincount(base_of_point, weights=weight[by_arrival]).astype(np.float64)
    max_k = min(MAX_K, 2 + len(centres) // 12)
    distances = np.sqrt(((centres[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2))
    best: tuple[float, Ints] | None = None
    for k in range(2, max_k + 1):
        if k > len(np.unique(np.round(centres, DECIMALS), axis=0)):
            break  # k-means cannot make more groups than there are distinct centres
        model = KMeans(n_clusters=k, n_init=GROUP_N_INIT, random_state=SEED)
        labels: Ints = model.fit_predict(centres, sample_weight=sizes)
        score = _silhouette(distances, labels)
        if best is None or score >= best[0]:
            best = (score, labels)
    if best is None:
        return None
    group_of_point: Ints = best[1][base_of_point][rank[inverse.reshape(-1)]]
    return group_of_point


def _kmeans(points: Floats, weights: Floats, k: int, max_iters: int) -> tuple[Ints, Floats]:
    """clusters.clj, ``kmeans``: Lloyd's k-means from the first k distinct points
    (``init-clusters``), weighted means as centres, a cluster left empty dropped
    (``cluster-step``), until no centre moves ``SETTLED`` or after ``max_iters`` more steps.

    Returns a cluster per point (0.., in the order the clusters started) and their centres.
    """
    _, first = np.unique(np.round(points, DECIMALS), axis=0, return_index=True)
    centres = points[np.sort(first)[:k]]
    labels = np.zeros(len(points), dtype=np.int64)
    for _ in range(max_iters + 1):
        # Coordinate by coordinate: summing over a last axis of length 2 is the slow part else.
        dx = points[:, 0, None] - centres[None, :, 0]
        dy = points[:, 1, None] - centres[None, :, 1]
        nearest = (dx * dx + dy * dy).argmin(axis=1)
        _, labels = np.unique(nearest, return_inverse=True)
        labels = labels.reshape(-1).astype(np.int64)
        total = np.bincount(labels, weights=weights)
        moved = np.column_stack(
            [np.bincount(labels, weights=weights * points[:, j]) / total for j in range(2)]
        )
        settled = _same_clustering(centres, moved)
        centres = moved
        if settled:
            break
    return labels, centres


def _same_clustering(before: Floats, after: Floats) -> bool:
    """clusters.clj, ``same-clustering?``: the centres, sorted, pairwise closer than
    ``SETTLED`` (pairs as far as the shorter list goes, as Clojure's zip does)."""
    a = before[np.lexsort(before.T[::-1])]
    b = after[np.lexsort(after.T[::-1])]
    n = min(len(a), len(b))
    return bool(np.all(np.sqrt(((a[:n] - b[:n]) ** 2).sum(axis=1)) < SETTLED))


def _silhouette(distances: Floats, labels: Ints) -> float:
    """Pol.is's silhouette (clusters.clj): the plain mean over points; a point alone in its
    cluster scores 0."""
    scores = []
    for i, own in enumerate(labels):
        mates = labels == own
        if mates.sum() == 1:
            scores.append(0.0)
            continue
        a = distances[i, mates].sum() / (mates.sum() - 1)
        b = min(distances[i, labels == other].mean() for other in set(labels.tolist()) - {own})
        scores.append((b - a) / max(a, b) if max(a, b) > 0 else 0.0)
    return float(np.mean(scores))


def _ordered(participants: Ints, rows: Ints, labels: Ints) -> list[Ints]:
    """Each group's participant rows, largest group first, then by smallest participant id."""
    found = [rows[labels == label] for label in np.unique(labels)]
    found.sort(key=lambda r: (-len(r), int(participants[r].min())))
    return found


def _group(
    matrix: _Matrix,
    g: int,
    members: Ints,
    positions: Floats,
    agree: Floats,
    disagree: Floats,
    seen: Floats,
    min_group: int,
    limit: int,
) -> Group:
    """Group ``g`` (a row of the count matrices), with what sets it apart from the others."""
    centre = positions[members].mean(axis=0)
    distinct = _repness(
        matrix,
        agree[g],
        disagree[g],
        seen[g],
        agree.sum(axis=0) - agree[g],
        disagree.sum(axis=0) - disagree[g],
        seen.sum(axis=0) - seen[g],
        limit,
    )
    return Group(
        id=g + 1,
        members=tuple(sorted(int(p) for p in matrix.participants[members])),
        distinct=distinct,
        shown=len(members) >= min_group,
        center=(float(centre[0]), float(centre[1])),
    )


# -- statements ---------------------------------------------------------------------------


def _smoothed(success: Floats, trials: Floats) -> Floats:
    result: Floats = (success + 1) / (trials + 2)
    return result


def _prop_test(success: Floats, trials: Floats) -> Floats:
    """Pol.is's one-proportion z (stats.clj, ``prop-test``), against one half."""
    result: Floats = 2 * np.sqrt(trials + 1) * ((success + 1) / (trials + 1) - 0.5)
    return result


def _two_prop_test(
    success_in: Floats, success_out: Floats, trials_in: Floats, trials_out: Floats
) -> Floats:
    """Pol.is's two-proportion z (stats.clj, ``two-prop-test``), with its +1 on every count."""
    s1, s2, n1, n2 = success_in + 1, success_out + 1, trials_in + 1, trials_out + 1
    pooled = (s1 + s2) / (n1 + n2)
    spread = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    # Pooled 1 (everyone agrees, in and out) is no difference; Pol.is answers 0 too.
    result: Floats = np.where(spread > 0, (s1 / n1 - s2 / n2) / np.where(spread > 0, spread, 1), 0)
    return result


def _score(
    matrix: _Matrix,
    column: int,
    agree: Floats,
    disagree: Floats,
    seen: Floats,
    score: float,
    *,
    side: Literal["agree", "disagree"] = "agree",
    by_group: tuple[GroupCount, ...] = (),
) -> StatementScore:
    a, d, s = int(agree[column]), int(disagree[column]), int(seen[column])
    return StatementScore(
        statement_id=int(matrix.statements[column]),
        agree=a,
        disagree=d,
        passed=s - a - d,
        votes=s,
        agree_share=a / s if s else 0.0,
        disagree_share=d / s if s else 0.0,
        score=score,
        side=side,
        by_group=by_group,
    )


def _ranked(scores: Floats, eligible: npt.NDArray[np.bool_], limit: int) -> list[int]:
    """Columns by score, best first, ties by statement (columns are in statement order)."""
    columns = np.flatnonzero(eligible)
    order = np.lexsort((columns, -scores[columns]))
    return [int(c) for c in columns[order][:limit]]


def _repness(
    matrix: _Matrix,
    agree: Floats,
    disagree: Floats,
    seen: Floats,
    rest_agree: Floats,
    rest_disagree: Floats,
    rest_seen: Floats,
    limit: int,
) -> tuple[StatementScore, ...]:
    """repness.clj: ``add-comparitive-stats``, ``passes-by-test?``, ``repness-metric``."""
    pa, pd = _smoothed(agree, seen), _smoothed(disagree, seen)
    pat, pdt = _prop_test(agree, seen), _prop_test(disagree, seen)
    ra = pa / _smoothed(rest_agree, rest_seen)
    rd = pd / _smoothed(rest_disagree, rest_seen)
    rat = _two_prop_test(agree, rest_agree, seen, rest_seen)
    rdt = _two_prop_test(disagree, rest_disagree, seen, rest_seen)
    passes = ((rat > Z_90) & (pat > Z_90)) | ((rdt > Z_90) & (pdt > Z_90))
    for_agree = rat > rdt
    metric = np.where(for_agree, ra * rat * pa * pat, rd * rdt * pd * pdt)
    return tuple(
        _score(
            matrix,
            c,
            agree,
            disagree,
            seen,
            float(metric[c]),
            side="agree" if for_agree[c] else "disagree",
        )
        for c in _ranked(metric, passes, limit)
    )


def _by_group(
    groups: tuple[Group, ...], shown: list[int], agree: Floats, disagree: Floats, seen: Floats
) -> Callable[[int], tuple[GroupCount, ...]]:
    """Each shown group's counts for a statement column (asked for listed statements only)."""

    def counts(c: int) -> tuple[GroupCount, ...]:
        return tuple(
            GroupCount(
                group_id=groups[g].id,
                agree=int(agree[g, c]),
                disagree=int(disagree[g, c]),
                passed=int(seen[g, c] - agree[g, c] - disagree[g, c]),
            )
            for g in shown
        )

    return counts


def _consensus(
    matrix: _Matrix,
    agree: Floats,
    disagree: Floats,
    seen: Floats,
    shown: list[int],
    by_group: Callable[[int], tuple[GroupCount, ...]],
    limit: int,
    side: Literal["agree", "disagree"],
) -> tuple[StatementScore, ...]:
    """Group-informed consensus over every group (rows), Pol.is's ``group-aware-consensus``."""
    success = agree if side == "agree" else disagree
    scores = np.prod(_smoothed(success, seen), axis=0)
    # A group too small to be shown counts in the score but has no veto: one resident alone
    # in a group of one would otherwise strike everything from the common ground.
    eligible = np.all(2 * success[shown] > seen[shown], axis=0)
    eligible &= 2 * success.sum(axis=0) > seen.sum(axis=0)
    total_agree, total_disagree, total_seen = agree.sum(0), disagree.sum(0), seen.sum(0)
    return tuple(
        _score(
            matrix,
            c,
            total_agree,
            total_disagree,
            total_seen,
            float(scores[c]),
            side=side,
            by_group=by_group(c),
        )
        for c in _ranked(scores, eligible, limit)
    )


def _divisive(
    matrix: _Matrix,
    agree: Floats,
    disagree: Floats,
    seen: Floats,
    by_group: Callable[[int], tuple[GroupCount, ...]],
    limit: int,
) -> tuple[StatementScore, ...]:
    """Statements a majority of one shown group agrees with and of another disagrees with."""
    if len(agree) < 2:
        return ()
    pa, pd = _smoothed(agree, seen), _smoothed(disagree, seen)
    scores = np.max(
        [np.minimum(pa[g], pd[h]) for g in range(len(pa)) for h in range(len(pa)) if g != h],
        axis=0,
    )
    total_agree, total_disagree, total_seen = agree.sum(0), disagree.sum(0), seen.sum(0)
    return tuple(
        _score(
            matrix,
            c,
            total_agree,
            total_disagree,
            total_seen,
            float(scores[c]),
            by_group=by_group(c),
        )
        for c in _ranked(scores, scores > 0.5, limit)
    )
