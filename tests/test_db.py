"""What each column holds: the one list that purge and erase clear residents' words by."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask

from facilitate import events
from facilitate.db import (
    HOLDS,
    Holds,
    begin_unit,
    event_connection,
    resident_words,
    session,
    word_models,
)
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


def test_unit_that_writes_refuses_the_session_and_sends_only_after_commit(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[list[events.Event]] = []
    monkeypatch.setattr(events, "_sender", lambda batch: sent.append(list(batch)))
    with app.app_context():
        unit = begin_unit()
        event_connection().execute(sa.text("SELECT 1"))
        events.queue("vote", {"value": 1}, "participant:1")
        with pytest.raises(RuntimeError):
            session()
        assert sent == []
        unit.commit()
        assert [e.name for e in sent[0]] == ["vote"]
        # Ended: the event may use its Session now, and nothing waits on it.
        assert session().info.get(events.PENDING) is None
        dropped = begin_unit()
        events.queue("vote", {"value": 2}, "participant:1")
        dropped.end()
        assert len(sent) == 1


def test_unit_that_reads_steps_aside_for_the_session(app: Flask) -> None:
    with app.app_context():
        unit = begin_unit(reads_only=True)
        event_connection().execute(sa.text("SELECT 1"))
        assert unit.connection is not None
        assert session().execute(sa.text("SELECT 2")).scalar() == 2
        assert unit.connection is None  # back in the pool before the Session took one
        assert event_connection() is session().connection()
