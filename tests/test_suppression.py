"""Small groups never show, alone or by subtraction from a total (property-based)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from facilitate.suppression import SMALL_GROUP, suppress

LABELS = ["A", "B", "C", "D", "none"]


@given(st.dictionaries(st.sampled_from(LABELS), st.integers(min_value=0, max_value=40)))
def test_suppress_hides_small_groups_and_what_would_reveal_them(counts: dict[str, int]) -> None:
    column = suppress(counts, LABELS)
    assert [c.label for c in column.cells] == LABELS
    true = {label: counts.get(label, 0) for label in LABELS}
    hidden = [c.label for c in column.cells if c.number is None]
    for cell in column.cells:
        if cell.number is not None:
            assert cell.number == true[cell.label]
            assert cell.number == 0 or cell.number >= SMALL_GROUP
        else:
            assert true[cell.label] > 0  # zero is shown: it points at no one
    total = sum(true.values())
    if column.total is not None:
        assert column.total == total
        assert total == 0 or total >= SMALL_GROUP  # zero is shown: it points at no one
        # total minus what is shown is what is hidden: that sum must be no small group
        remainder = sum(true[label] for label in hidden)
        assert remainder == 0 or remainder >= SMALL_GROUP
    else:
        assert 0 < total < SMALL_GROUP


def test_suppress_shows_what_is_safe() -> None:
    column = suppress({"A": 7, "B": 3, "none": 5}, ["A", "B", "none"])
    assert [(c.label, c.number) for c in column.cells] == [("A", 7), ("B", None), ("none", None)]
    assert column.total == 15
