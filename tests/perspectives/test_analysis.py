"""The analysis of agree / disagree / pass answers: opinion groups, common ground, divisive.

Synthetic rooms with planted groups (bench/opinions.py) check that the method finds what was
planted; small hand-made rooms check the edges; Hypothesis checks the promises that hold for
any answers (who is placed, who is shown, what a score can be).
"""

from __future__ import annotations

import math
import random
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.metrics import adjusted_rand_score

from bench.opinions import Opinions, planted
from facilitate.perspectives.analysis import Analysis, analyse


def _ari(opinions: Opinions, analysis: Analysis) -> float:
    found = {p: g.id for g in analysis.groups for p in g.members}
    people = sorted(found)
    return float(
        adjusted_rand_score([opinions.group_of[p] for p in people], [found[p] for p in people])
    )


def _last_answers(answers: list[tuple[int, int, int]]) -> dict[tuple[int, int], int]:
    return {(p, s): v for p, s, v in answers}


@pytest.mark.parametrize(
    ("groups", "sizes", "seed"),
    [
        (2, [30, 22], 0),
        (2, [40, 12], 1),
        (3, [30, 25, 20], 0),
        (3, [20, 20, 20], 2),
        (4, [30, 25, 20, 35], 0),
        (4, [25, 25, 25, 25], 2),
        (5, [30, 25, 20, 35, 28], 0),
        (5, [30, 30, 30, 30, 30], 1),
    ],
)
def test_groups_recovered_with_planted_groups(groups: int, sizes: list[int], seed: int) -> None:
    opinions = planted(groups, size=sizes, seed=seed)
    analysis = analyse(opinions.answers, opinions.statements, limit=len(opinions.statements))

    assert len(analysis.groups) == groups
    assert _ari(opinions, analysis) >= 0.9
    # Every resident answered far more than seven statements.
    assert set(analysis.placed) == set(opinions.group_of)
    # The bridging statements lead the common ground, and none of them divides.
    top = {s.statement_id for s in analysis.common_ground[: len(opinions.bridging)]}
    assert top == opinions.bridging
    divisive = {s.statement_id for s in analysis.divisive}
    assert opinions.divisive <= divisive
    assert not opinions.bridging & divisive
    for score in analysis.common_ground:
        assert all(2 * c.agree > c.votes for c in score.by_group)


def test_groups_ordered_by_size_with_stable_ids() -> None:
    opinions = planted(3, size=[12, 40, 25], seed=4)
    analysis = analyse(opinions.answers, opinions.statements)

    assert [g.id for g in analysis.groups] == [1, 2, 3]
    assert [len(g.members) for g in analysis.groups] == [40, 25, 12]
    for group in analysis.groups:
        assert list(group.members) == sorted(group.members)


def test_distinct_statements_set_each_group_apart() -> None:
    opinions = planted(2, size=[30, 30], seed=5)
    analysis = analyse(opinions.answers, opinions.statements, limit=len(opinions.statements))
    first = next(g for g in analysis.groups if opinions.group_of[g.members[0]] == 0)
    other = next(g for g in analysis.groups if g is not first)

    # Planted divisive statements: group 0 agrees, the group across disagrees.
    sides = {s.statement_id: s.side for s in first.distinct}
    assert {sides.get(s) for s in opinions.divisive} == {"agree"}
    sides = {s.statement_id: s.side for s in other.distinct}
    assert {sides.get(s) for s in opinions.divisive} == {"disagree"}
    # What everybody agrees with sets no group apart.
    for group in analysis.groups:
        assert not opinions.bridging & {s.statement_id for s in group.distinct}
        scores = [s.score for s in group.distinct]
        assert scores == sorted(scores, reverse=True)
        for s in group.distinct:
            assert s.votes <= len(group.members)


def test_common_ground_score_is_product_over_all_groups() -> None:
    """Small groups count in the common ground even when they are not shown."""
    opinions = planted(3, size=[30, 25, 20], seed=6)
    analysis = analyse(opinions.answers, opinions.statements, min_group=21)
    answers = _last_answers(opinions.answers)

    assert [g.shown for g in analysis.groups] == [True, True, False]
    assert analysis.common_ground
    for score in analysis.common_ground:
        expected = 1.0
        for group in analysis.groups:
            mine = [answers.get((p, score.statement_id)) for p in group.members]
            agree, seen = mine.count(1), sum(v is not None for v in mine)
            expected *= (agree + 1) / (seen + 2)
        assert score.score == pytest.approx(expected)
        # Counts over every grouped participant; by group only for the shown ones.
        everyone = [answers.get((p, score.statement_id)) for p in analysis.placed]
        assert (score.agree, score.disagree, score.passed) == (
            everyone.count(1),
            everyone.count(-1),
            everyone.count(0),
        )
        assert score.agree_share == pytest.approx(score.agree / score.votes)
        assert [c.group_id for c in score.by_group] == [1, 2]


def test_common_disagreement_finds_what_every_group_rejects() -> None:
    opinions = planted(2, size=[25, 25], seed=7)
    rejected = max(opinions.statements) + 1
    answers = opinions.answers + [
        (p, rejected, -1 if n % 10 else 1) for n, p in enumerate(opinions.group_of)
    ]
    analysis = analyse(answers, [*opinions.statements, rejected])

    assert analysis.common_disagreement[0].statement_id == rejected
    assert rejected not in {s.statement_id for s in analysis.common_ground}
    assert analysis.common_disagreement[0].side == "disagree"


def test_divisive_needs_two_shown_groups() -> None:
    opinions = planted(2, size=[30, 12], seed=1)
    analysis = analyse(opinions.answers, opinions.statements, min_group=13)

    assert [g.shown for g in analysis.groups] == [True, False]
    assert analysis.divisive == ()
    assert analysis.common_ground


def test_analysis_same_on_every_run() -> None:
    opinions = planted(4, size=[20, 25, 30, 15], seed=8)
    first = analyse(opinions.answers, opinions.statements)

    assert analyse(opinions.answers, opinions.statements) == first
    assert analyse(opinions.answers, list(reversed(opinions.statements))) == first
    # Answers may come as a stream, rows straight from a query.
    assert analyse(iter(opinions.answers), opinions.statements) == first


def test_limit_caps_every_list() -> None:
    opinions = planted(2, size=[30, 30], bridging=6, divisive=6, seed=11)
    analysis = analyse(opinions.answers, opinions.statements, limit=4)
    everything = analyse(opinions.answers, opinions.statements, limit=100)

    assert analysis.common_ground == everything.common_ground[:4]
    assert analysis.divisive == everything.divisive[:4]
    assert len(everything.divisive) > 4
    for group, full in zip(analysis.groups, everything.groups, strict=True):
        assert group.distinct == full.distinct[:4]
        assert len(full.distinct) > 4


def test_answers_without_opinion_groups_still_make_two_to_five() -> None:
    """Pure noise from 300 people: Pol.is still shows groups, over 100 base clusters."""
    rng = random.Random(12)  # noqa: S311 -- reproducible noise, not a secret
    answers = [
        (p, s, rng.choice((1, -1, 0)))
        for p in range(1, 301)
        for s in range(1, 41)
        if rng.random() < 0.5
    ]
    analysis = analyse(answers, range(1, 41))

    assert 2 <= len(analysis.groups) <= 5
    assert sorted(p for g in analysis.groups for p in g.members) == list(analysis.placed)
    assert len(analysis.placed) == 300


def test_last_answer_wins() -> None:
    answers = [(p, s, 1) for p in range(1, 9) for s in range(1, 8)]
    # Participant 1 changes its mind on statement 1, twice.
    answers += [(1, 1, -1), (1, 1, 0)]
    analysis = analyse(answers, range(1, 8))

    one = next(s for s in analysis.common_ground if s.statement_id == 1)
    assert (one.agree, one.disagree, one.passed, one.votes) == (7, 0, 1, 8)


def test_analysis_without_answers_is_empty() -> None:
    analysis = analyse([], [1, 2, 3])

    assert analysis == Analysis(
        placed=(),
        positions={},
        groups=(),
        common_ground=(),
        common_disagreement=(),
        divisive=(),
    )
    assert analyse([], []) == analysis


def test_analysis_with_few_participants_has_no_groups() -> None:
    answers = [(p, s, 1 if s < 5 else -1) for p in (1, 2, 3) for s in range(1, 9)]
    analysis = analyse(answers, range(1, 9))

    assert analysis.placed == (1, 2, 3)
    assert analysis.groups == ()
    assert set(analysis.positions) == {1, 2, 3}
    # Everyone is one group for the common ground: three of three agree.
    assert [s.statement_id for s in analysis.common_ground] == [1, 2, 3, 4]
    assert analysis.common_ground[0].score == pytest.approx(4 / 5)
    assert [s.statement_id for s in analysis.common_disagreement] == [5, 6, 7, 8]
    assert analysis.divisive == ()


def test_analysis_of_identical_answers_has_no_groups() -> None:
    answers = [(p, s, 1) for p in range(1, 31) for s in range(1, 11)]
    analysis = analyse(answers, range(1, 11))

    assert len(analysis.placed) == 30
    assert analysis.groups == ()
    assert set(analysis.positions.values()) == {(0.0, 0.0)}
    assert len(analysis.common_ground) == 10
    assert analysis.common_ground[0].score == pytest.approx(31 / 32)


def test_analysis_of_one_statement_has_no_groups() -> None:
    answers = [(p, 7, 1 if p % 3 else -1) for p in range(1, 21)]
    analysis = analyse(answers, [7])

    # A deck smaller than seven: one answer places a participant.
    assert len(analysis.placed) == 20
    assert analysis.groups == ()
    assert [s.statement_id for s in analysis.common_ground] == [7]
    assert analysis.common_ground[0].agree == 14


def test_two_camps_of_identical_answers_make_two_groups() -> None:
    """Two distinct positions only: Pol.is's silhouette of singletons still chooses k = 2."""
    answers = [(p, s, 1 if (p <= 6) == (s == 1) else -1) for p in range(1, 13) for s in (1, 2)]
    analysis = analyse(answers, [1, 2])

    assert [g.members for g in analysis.groups] == [(1, 2, 3, 4, 5, 6), (7, 8, 9, 10, 11, 12)]
    assert {s.statement_id for s in analysis.divisive} == {1, 2}
    assert analysis.common_ground == ()


def test_answers_to_hidden_statements_count_only_towards_placing() -> None:
    """Pol.is's moderated-out statements: answered, so the participant is placed; not shown."""
    answers = [(p, s, 1) for p in range(1, 6) for s in range(1, 11)]
    # Four statements of the deck and three hidden ones; three and three.
    answers += [(6, s, 1) for s in (1, 2, 3, 4, 8, 9, 10)]
    answers += [(7, s, 1) for s in (1, 2, 3, 8, 9, 10)]
    analysis = analyse(answers, range(1, 6))

    assert {s.statement_id for s in analysis.common_ground} == {1, 2, 3, 4, 5}
    assert [s.votes for s in analysis.common_ground] == [7, 7, 7, 6, 5]
    assert analysis.placed == (1, 2, 3, 4, 5, 6)


def test_statements_nobody_answered_do_not_raise_the_threshold() -> None:
    """Pol.is's min(7, n-cmts) counts the statements in its rating matrix: those answered."""
    answers = [(p, s, 1 if (p % 2) == (s % 2) else -1) for p in range(1, 21) for s in (1, 2, 3)]
    analysis = analyse(answers, range(1, 11))

    assert analysis.placed == tuple(range(1, 21))
    assert len(analysis.groups) == 2


def test_groups_follow_the_answers_not_the_participant_ids() -> None:
    """Pol.is's k-means starts from its first rows, in the order participants first answered:
    numbering them differently must not move anyone."""
    rng = random.Random(3)  # noqa: S311 -- reproducible answers, not a secret
    answers = [
        (p, s, rng.choice([1, -1, 0]))
        for p in range(1, 151)
        for s in range(1, 21)
        if rng.random() < 0.6
    ]
    rng.shuffle(answers)
    analysis = analyse(answers, range(1, 21))
    renamed = analyse([(1000 - p, s, v) for p, s, v in answers], range(1, 21))

    assert len(analysis.groups) >= 2
    assert {g.members for g in analysis.groups} == {
        tuple(sorted(1000 - p for p in g.members)) for g in renamed.groups
    }


def test_bad_answer_value_is_refused() -> None:
    with pytest.raises(ValueError, match="1, -1 or 0, not 2"):
        analyse([(1, 1, 1), (1, 2, 2)], [1, 2])


def test_participant_below_min_answers_is_not_placed() -> None:
    opinions = planted(2, size=[20, 20], seed=9)
    late = 99_999
    answers = opinions.answers + [(late, s, 1) for s in opinions.statements[:6]]
    analysis = analyse(answers, opinions.statements)

    assert late not in analysis.placed
    assert late not in analysis.positions
    assert all(late not in g.members for g in analysis.groups)
    with_seventh = analyse([*answers, (late, opinions.statements[6], 1)], opinions.statements)
    assert late in with_seventh.placed


# -- properties for any answers -----------------------------------------------------------

answer_lists = st.lists(
    st.tuples(
        st.integers(min_value=1, max_value=40),
        st.integers(min_value=1, max_value=14),
        st.sampled_from([1, -1, 0]),
    ),
    max_size=400,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    answers=answer_lists,
    deck=st.integers(min_value=1, max_value=12),
    min_answers=st.integers(min_value=1, max_value=9),
    min_group=st.integers(min_value=1, max_value=12),
)
def test_analysis_promises_hold_for_any_answers(
    answers: list[tuple[int, int, int]], deck: int, min_answers: int, min_group: int
) -> None:
    statements = list(range(1, deck + 1))
    analysis = analyse(answers, statements, min_answers=min_answers, min_group=min_group)

    counted: Counter[int] = Counter(p for p, s in _last_answers(answers))
    # Pol.is's min(7, n-cmts): its statements are those anyone answered, hidden ones included.
    threshold = min(min_answers, len({s for _, s, _ in answers}))
    assert set(analysis.placed) == {p for p, n in counted.items() if n >= threshold}
    assert set(analysis.positions) == set(analysis.placed)
    if analysis.groups:
        memberships = Counter(p for g in analysis.groups for p in g.members)
        assert set(memberships) == set(analysis.placed)
        assert set(memberships.values()) == {1}
    for group in analysis.groups:
        assert group.shown == (len(group.members) >= min_group)
    for score in analysis.common_ground + analysis.common_disagreement:
        assert 0 < score.score <= 1
    shown = {g.id for g in analysis.groups if g.shown}
    lists = [analysis.common_ground, analysis.common_disagreement, analysis.divisive]
    for scores in lists:
        for score in scores:
            assert {c.group_id for c in score.by_group} <= shown
            assert score.agree + score.disagree + score.passed == score.votes
    for score in analysis.divisive:
        assert 0.5 < score.score <= 1
    values = [v for xy in analysis.positions.values() for v in xy]
    values += [s.score for g in analysis.groups for s in g.distinct]
    assert all(math.isfinite(v) for v in values)
