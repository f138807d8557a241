"""The hot statements on PostgreSQL (psycopg's named parameters, its own types), and a
lost connection met by one: SQLAlchemy's handling, as for its own execute."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
import sqlalchemy as sa
from flask import Flask
from test_db import (  # noqa: F401 -- collected here again, on PostgreSQL
    test_hot_statement_duplicate_is_sqlalchemy_s_integrity_error,
    test_hot_statement_refuses_a_missing_value_and_an_unnamed_default_column,
    test_hot_statement_values_and_rows_as_sqlalchemy_s_execute,
    test_hot_statement_write_ends_with_its_unit_as_execute_s,
    test_hot_statement_writes_commit_with_the_unit_and_read_back_as_the_orm_reads,
)

from facilitate.db import HotStatement, begin_unit, event_connection
from facilitate.extensions import db

_BACKEND = HotStatement(sa.select(sa.func.pg_backend_pid() + sa.bindparam("zero")))


@pytest.fixture
def app_config(postgres_config: dict[str, Any]) -> dict[str, Any]:
    return postgres_config


def test_hot_statement_on_a_lost_connection_invalidates_the_pool(
    app: Flask, postgres_admin: str
) -> None:
    with app.app_context():
        # A connection of the pool's, other than the one that is lost, resting in the pool.
        resting = db.engine.connect()
        other = resting.execute(sa.select(sa.func.pg_backend_pid())).scalar()
        unit = begin_unit()
        row = _BACKEND.first(event_connection(), {"zero": 0})
        resting.close()
        assert row is not None
        assert row[0] != other
        with psycopg.connect(postgres_admin, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (row[0],))
        with pytest.raises(sa.exc.DBAPIError) as caught:
            _BACKEND.first(event_connection(), {"zero": 0})
        assert caught.value.connection_invalidated
        unit.end()
        # As after SQLAlchemy's own execute met the loss: every connection the pool kept
        # is replaced, the resting one too, since the server may have gone away for all.
        with db.engine.connect() as first, db.engine.connect() as second:
            now = {c.execute(sa.select(sa.func.pg_backend_pid())).scalar() for c in (first, second)}
        assert now.isdisjoint({row[0], other})
