"""An acknowledged write survives a crash: the durability settings are what we rely on."""

from __future__ import annotations

from pathlib import Path

from conftest import make_config
from flask import Flask

from facilitate import create_app
from facilitate.extensions import db


def test_sqlite_uses_wal_and_full_sync(app: Flask) -> None:
    with app.app_context(), db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA secure_delete").scalar() == 1


def test_postgresql_commits_synchronously(postgres_url: str, tmp_path: Path) -> None:
    app = create_app(make_config(tmp_path, DATABASE_URL=postgres_url))
    with app.app_context():
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("SHOW synchronous_commit").scalar() == "on"
            assert connection.exec_driver_sql("SHOW fsync").scalar() == "on"
        db.engine.dispose()
