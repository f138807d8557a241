from __future__ import annotations

from pathlib import Path

import pytest
from conftest import make_config

from facilitate import create_app


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


def test_presence_heartbeat_from_environment(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("PRESENCE_HEARTBEAT", "2.5")
    assert create_app().config["PRESENCE_HEARTBEAT"] == 2.5
    for bad in ("soon", "0", "-1", "7200"):
        monkeypatch.setenv("PRESENCE_HEARTBEAT", bad)
        with pytest.raises(SystemExit, match="PRESENCE_HEARTBEAT must be a number of seconds"):
            create_app()


def test_tally_messages_per_second_from_environment(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    assert create_app().config["TALLY_MESSAGES_PER_SECOND"] == 2000
    monkeypatch.setenv("TALLY_MESSAGES_PER_SECOND", "0")
    assert create_app().config["TALLY_MESSAGES_PER_SECOND"] == 0
    for bad in ("many", "-5", "1.5", "2000000"):
        monkeypatch.setenv("TALLY_MESSAGES_PER_SECOND", bad)
        with pytest.raises(SystemExit, match="TALLY_MESSAGES_PER_SECOND must be a whole number"):
            create_app()


def test_database_idle_ping_from_environment(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    assert create_app().config["DATABASE_IDLE_PING"] == 1.0
    monkeypatch.setenv("DATABASE_IDLE_PING", "0.5")
    assert create_app().config["DATABASE_IDLE_PING"] == 0.5
    for bad in ("often", "0", "-1"):
        monkeypatch.setenv("DATABASE_IDLE_PING", bad)
        with pytest.raises(SystemExit, match="DATABASE_IDLE_PING must be a number of seconds"):
            create_app()
