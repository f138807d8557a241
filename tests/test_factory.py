from __future__ import annotations

from pathlib import Path

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
