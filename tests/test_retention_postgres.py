"""The purge on PostgreSQL: the words leave the table's files, not only its rows.

PostgreSQL keeps an updated row's old version until VACUUM, and a plain VACUUM leaves
its bytes in the page's free space; the purge rewrites the tables (VACUUM FULL). So the
test reads the files themselves, after a CHECKPOINT has written every page out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskCliRunner
from test_retention import PHRASE, purged, said  # noqa: F401 -- a fixture

from facilitate.db import word_models
from facilitate.extensions import db


@pytest.fixture
def app_config(postgres_config: dict[str, Any]) -> dict[str, Any]:
    return postgres_config


def table_files(app: Flask) -> dict[str, list[Path]]:
    """The data files (every segment) of each table with residents' words, and of its
    TOAST table, where a long text would be kept out of line."""
    tables = [str(model.__tablename__) for model in word_models()]
    with app.app_context(), db.engine.connect() as connection:
        connection.exec_driver_sql("CHECKPOINT")  # every changed page written to its file
        home = Path(str(connection.exec_driver_sql("SHOW data_directory").scalar()))
        files = {}
        for table in tables:
            relative = connection.execute(
                sa.text(
                    "SELECT pg_relation_filepath(c.oid), pg_relation_filepath(c.reltoastrelid)"
                    " FROM pg_class c WHERE c.relname = :table"
                ),
                {"table": table},
            ).one()
            files[table] = [
                segment
                for path in relative
                if path is not None
                for segment in _segments(home / path)
            ]
    return files


def _segments(first: Path) -> list[Path]:
    """A relation's file and the 1 GB segments after it (``16384``, ``16384.1``, ...)."""
    return [first, *sorted(first.parent.glob(f"{first.name}.*"))]


def holding_files(files: dict[str, list[Path]]) -> list[str]:
    return [
        f"{table}: {path}"
        for table, paths in files.items()
        for path in paths
        if path.exists() and PHRASE.encode() in path.read_bytes()
    ]


@pytest.mark.usefixtures("said")
def test_dialogue_purge_leaves_no_words_in_the_table_files(
    app: Flask, runner: FlaskCliRunner, agreed: dict[str, int]
) -> None:
    before = table_files(app)
    assert len(holding_files(before)) == 2  # the search sees them: contributions, notes
    purged(app, runner, agreed["dialogue"])
    after = table_files(app)
    assert holding_files(after) == []
    # The files the words were in are emptied too, not left behind beside the new ones.
    assert holding_files(before) == []
