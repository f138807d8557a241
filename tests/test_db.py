"""What each column holds: the one list that purge and erase clear residents' words by."""

from __future__ import annotations

import sqlalchemy as sa

from facilitate.db import HOLDS, Holds, resident_words, word_models
from facilitate.intake.models import Note
from facilitate.live.models import Contribution
from facilitate.models import Base


def test_every_text_column_says_what_it_holds() -> None:
    unmarked = [
        f"{mapper.class_.__name__}.{column.key}"
        for mapper in Base.registry.mappers
        for column in mapper.columns
        # An enum's values are fixed (validate_strings): it can hold no one's words.
        if isinstance(column.type, sa.String | sa.JSON) and not isinstance(column.type, sa.Enum)
        if not isinstance(column.info.get(HOLDS), Holds)
    ]
    assert unmarked == [], "mark each with info=holds(Holds...) (facilitate/db.py)"


def test_resident_words_are_text_that_erases_to_empty() -> None:
    for model in word_models():
        for key in resident_words(model):
            column = sa.inspect(model).columns[key]
            assert isinstance(column.type, sa.String)
            assert not isinstance(column.type, sa.Enum)


def test_resident_words_are_the_contributions_and_the_conversation_notes() -> None:
    assert word_models() == [Contribution, Note]
    assert resident_words(Contribution) == {"text": "", "translation": "", "hidden_reason": ""}
    assert resident_words(Note) == {"text": ""}


def test_every_model_of_residents_identity_is_let_go_of_by_purge() -> None:
    """A new table of who residents are must be deleted or replaced by purge
    (retention.py), or say so here."""
    from facilitate import retention

    found = {
        mapper.class_
        for mapper in Base.registry.mappers
        if any(column.info.get(HOLDS) is Holds.resident_identity for column in mapper.columns)
    }
    handled = {
        *retention.FORGOTTEN,
        *retention.FORGOTTEN_WITH,
        *retention.REPLACED,
        *retention.DELETED,
    }
    assert found - handled == set()
