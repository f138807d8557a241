from __future__ import annotations

from pathlib import Path

import pytest
from conftest import make_config
from sqlalchemy.pool import QueuePool

from facilitate import create_app
from facilitate.db import POOL_OVERFLOW, db


def test_create_app_testing_flag(tmp_path: Path) -> None:
    assert create_app(make_config(tmp_path)).testing


def test_create_app_secret_key_generated_once(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    first = create_app().config["SECRET_KEY"]
    second = create_app().config["SECRET_KEY"]
    assert first == second
    assert len(first) == 64
    assert (tmp_path / "secret_key").read_text().strip() == first


@pytest.mark.parametrize(
    ("name", "default", "good", "bad", "refusal"),
    [
        (
            "PRESENCE_HEARTBEAT",
            10.0,
            ("2.5", 2.5),
            ("soon", "0", "-1", "7200"),
            "a number of seconds",
        ),
        ("DATABASE_IDLE_PING", 1.0, ("0.5", 0.5), ("often", "0", "-1"), "a number of seconds"),
        ("DATABASE_POOL_SIZE", 20, ("8", 8), ("many", "0", "2.5", "501"), "a whole number"),
        ("DATABASE_POOL_WAIT", 10, ("3", 3), ("long", "0", "0.5", "7200"), "a whole number"),
        (
            "TALLY_MESSAGES_PER_SECOND",
            2000,
            ("0", 0),
            ("many", "-5", "1.5", "2000000"),
            "a whole number",
        ),
    ],
)
def test_setting_from_environment(
    tmp_path: Path,
    monkeypatch,
    name: str,
    default: object,
    good: tuple[str, object],
    bad: tuple[str, ...],
    refusal: str,
) -> None:
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv(name, raising=False)
    assert create_app().config[name] == default
    monkeypatch.setenv(name, good[0])
    assert create_app().config[name] == good[1]
    for value in bad:
        monkeypatch.setenv(name, value)
        with pytest.raises(SystemExit, match=f"{name} must be {refusal}"):
            create_app()


def test_database_pool_keeps_the_configured_connections(tmp_path: Path) -> None:
    app = create_app(make_config(tmp_path, DATABASE_POOL_SIZE=7, DATABASE_POOL_WAIT=4))
    with app.app_context():
        pool = db.engine.pool
        assert isinstance(pool, QueuePool)
        assert (pool.size(), pool._max_overflow, pool.timeout()) == (7, POOL_OVERFLOW, 4)
