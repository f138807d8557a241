"""What each column holds: the one list that purge and erase clear residents' words by."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from flask import Flask

from facilitate import events
from facilitate.db import (
    HOLDS,
    Holds,
    HotStatement,
    UtcDateTime,
    begin_unit,
    event_connection,
    resident_words,
    session,
    word_models,
)
from facilitate.intake.models import Note
from facilitate.live.models import ClientWrite, Contribution
from facilitate.meetings.models import Meeting, MeetingStatus
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


# -- HotStatement: the driver's cursor, with SQLAlchemy's types and errors ------------------

_WRITE = HotStatement(
    sa.insert(ClientWrite), columns=("actor", "client_id", "event", "response", "created_at")
)
_WRITTEN = HotStatement(
    sa.select(ClientWrite.client_id, ClientWrite.response, ClientWrite.created_at)
    .where(ClientWrite.actor == sa.bindparam("actor"))
    .order_by(ClientWrite.client_id)
)
#: Each kind of value a hot statement binds and reads back through its type.
_TYPED = sa.select(
    sa.bindparam("when", type_=UtcDateTime()),
    sa.bindparam("status", type_=Meeting.__table__.c.status.type),
    sa.bindparam("flag", type_=sa.Boolean()),
    sa.bindparam("doc", type_=sa.JSON()),
    sa.literal(7),
)


def _row(client_id: str, when: dt.datetime) -> dict[str, object]:
    return {
        "actor": "p1",
        "client_id": client_id,
        "event": "vote_cast",
        "response": {"ok": True, "remaining": 2},
        "created_at": when,
    }


def test_hot_statement_values_and_rows_as_sqlalchemy_s_execute(app: Flask) -> None:
    when = dt.datetime(2026, 12, 5, 14, 30, 0, tzinfo=dt.UTC)
    values = {"when": when, "status": MeetingStatus.open, "flag": True, "doc": {"a": [1]}}
    with app.app_context():
        unit = begin_unit()
        row = HotStatement(_TYPED).first(event_connection(), values)
        assert row == tuple(event_connection().execute(_TYPED, values).one())
        assert row == (when, MeetingStatus.open, True, {"a": [1]}, 7)
        unit.end()


def test_hot_statement_writes_commit_with_the_unit_and_read_back_as_the_orm_reads(
    app: Flask,
) -> None:
    # Rows from either, a microsecond apart, in another time zone: what SQLite keeps (text)
    # orders the same as SQLAlchemy's own.
    first = dt.datetime(2026, 12, 5, 14, 30, 0, tzinfo=dt.UTC)
    second = dt.datetime(2026, 12, 5, 15, 30, 0, 5, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    with app.app_context():
        unit = begin_unit()
        _WRITE.run(event_connection(), _row("a", first))
        _WRITE.run(event_connection(), _row("b", second))
        unit.commit()
        session().add(ClientWrite(**_row("c", first + dt.timedelta(microseconds=1))))
        session().commit()
        kept = session().scalars(sa.select(ClientWrite).order_by(ClientWrite.created_at)).all()
        assert [(w.client_id, w.response, w.created_at) for w in kept] == [
            ("a", {"ok": True, "remaining": 2}, first),
            ("c", {"ok": True, "remaining": 2}, first + dt.timedelta(microseconds=1)),
            ("b", {"ok": True, "remaining": 2}, second),
        ]
        unit = begin_unit(reads_only=True)
        assert _WRITTEN.all(event_connection(), {"actor": "p1"}) == [
            (w.client_id, w.response, w.created_at) for w in sorted(kept, key=lambda w: w.client_id)
        ]
        unit.end()


def test_hot_statement_write_ends_with_its_unit_as_execute_s(app: Flask) -> None:
    """A unit ended without its commit: on SQLite its writes are rolled back; on
    PostgreSQL each of its statements committed on its own (``autocommit_connection``)."""

    def count() -> int:
        return session().scalar(sa.select(sa.func.count()).select_from(ClientWrite)) or 0

    with app.app_context():
        unit = begin_unit()
        _WRITE.run(event_connection(), _row("a", dt.datetime.now(dt.UTC)))
        unit.end()
        hot = count()
        session().rollback()
        unit = begin_unit()
        event_connection().execute(sa.insert(ClientWrite), _row("b", dt.datetime.now(dt.UTC)))
        unit.end()
        assert count() == 2 * hot
        assert hot == (1 if session().get_bind().dialect.name == "postgresql" else 0)


def test_hot_statement_duplicate_is_sqlalchemy_s_integrity_error(app: Flask) -> None:
    now = dt.datetime.now(dt.UTC)
    with app.app_context():
        unit = begin_unit()
        _WRITE.run(event_connection(), _row("a", now))
        unit.commit()
        unit = begin_unit()
        with pytest.raises(sa.exc.IntegrityError) as caught:
            _WRITE.run(event_connection(), _row("a", now))
        # A resident's values stay out of the error and its log lines, as from execute.
        assert "vote_cast" not in str(caught.value)
        unit.end()
        with pytest.raises(sa.exc.IntegrityError) as caught:
            session().execute(sa.insert(ClientWrite), _row("a", now))
        assert "vote_cast" not in str(caught.value)
        session().rollback()
        # The connection went back whole: the next unit writes.
        unit = begin_unit()
        _WRITE.run(event_connection(), _row("b", now))
        unit.commit()
        assert session().scalar(sa.select(sa.func.count()).select_from(ClientWrite)) == 2


def test_hot_statement_refuses_a_missing_value_and_an_unnamed_default_column(
    app: Flask,
) -> None:
    with app.app_context():
        unit = begin_unit()
        values = _row("a", dt.datetime.now(dt.UTC))
        del values["event"]
        with pytest.raises(KeyError, match="event"):
            _WRITE.run(event_connection(), values)
        defaulted = HotStatement(
            sa.insert(ClientWrite), columns=("actor", "client_id", "event", "response")
        )
        with pytest.raises(ValueError, match="created_at"):
            defaulted.run(event_connection(), _row("a", dt.datetime.now(dt.UTC)))
        unit.end()
        assert session().scalar(sa.select(sa.func.count()).select_from(ClientWrite)) == 0
