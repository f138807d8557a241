"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL.

PostgreSQL is not optional: an unreachable server fails these tests rather than
skipping them, so a CI run can never pass without having checked it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from facilitate import migrate
from facilitate.models import Base

VERSIONED_TABLES = {"alembic_version"}


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    url: str = request.getfixturevalue("postgres_url")
    yield url
    # The PostgreSQL database is shared by the module's tests: leave it empty again.
    migrate.downgrade("base", url=url)


def _head() -> str:
    head = ScriptDirectory.from_config(migrate.alembic_config("sqlite://")).get_current_head()
    assert head is not None
    return head


def _tables(url: str) -> set[str]:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _drift(url: str) -> list[object]:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            diff: list[object] = compare_metadata(context, Base.metadata)
            return diff
    finally:
        engine.dispose()


def _revision(url: str) -> str | None:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def test_migrations_upgrade_to_head_matches_models(database_url: str) -> None:
    assert _tables(database_url) == set()
    migrate.upgrade("head", url=database_url)
    assert _revision(database_url) == _head()
    assert _tables(database_url) == set(Base.metadata.tables) | VERSIONED_TABLES
    assert _drift(database_url) == []


def test_migrations_downgrade_to_base_removes_everything(database_url: str) -> None:
    migrate.upgrade("head", url=database_url)
    migrate.downgrade("base", url=database_url)
    assert _revision(database_url) is None
    assert _tables(database_url) <= VERSIONED_TABLES
    # And back up again: a downgrade that leaves debris would break this.
    migrate.upgrade("head", url=database_url)
    assert _drift(database_url) == []


def test_migrations_one_head() -> None:
    script = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1
