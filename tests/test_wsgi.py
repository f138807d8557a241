"""``python wsgi.py`` really serves, in every async mode, as ``make run`` starts it."""

from __future__ import annotations

import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from processes import ASYNC_MODES, app_env, free_port, serving

from facilitate import migrate


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 -- loopback
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 -- loopback
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def _migrated_env(tmp_path: Path, mode: str) -> dict[str, str]:
    migrate.upgrade(url=f"sqlite:///{tmp_path / 'facilitate.db'}")
    return app_env(tmp_path, PORT=str(free_port()), ASYNC_MODE=mode, HOST="127.0.0.1")


@pytest.mark.parametrize("mode", ASYNC_MODES)
def test_wsgi_serves_login_page(tmp_path: Path, mode: str) -> None:
    env = _migrated_env(tmp_path, mode)
    with serving(env, tmp_path / "server.log"):
        status, body = _get(f"http://127.0.0.1:{env['PORT']}/login")
    assert status == 200, (tmp_path / "server.log").read_text()[-3000:]
    assert "<form" in body


@pytest.mark.parametrize("mode", ASYNC_MODES)
def test_wsgi_answers_socketio_polling_handshake(tmp_path: Path, mode: str) -> None:
    env = _migrated_env(tmp_path, mode)
    with serving(env, tmp_path / "server.log"):
        status, body = _get(f"http://127.0.0.1:{env['PORT']}/socket.io/?EIO=4&transport=polling")
    assert status == 200
    assert body.startswith("0{")
    assert '"upgrades":["websocket"]' in body


@pytest.mark.parametrize("mode", ASYNC_MODES)
def test_wsgi_socketio_refuses_foreign_origin(tmp_path: Path, mode: str) -> None:
    # Cross-site WebSocket hijacking: another site's page must not ride a resident's cookie.
    env = _migrated_env(tmp_path, mode)
    base = f"http://127.0.0.1:{env['PORT']}"
    handshake = f"{base}/socket.io/?EIO=4&transport=polling"
    with serving(env, tmp_path / "server.log"):
        foreign, _ = _get(handshake, {"Origin": "https://evil.example", "Cookie": "fcp_1=fcp_x"})
        own, body = _get(handshake, {"Origin": base})
    assert foreign == 400
    assert own == 200
    assert body.startswith("0{")


@pytest.mark.parametrize("mode", ASYNC_MODES)
def test_wsgi_parallel_requests_all_succeed(tmp_path: Path, mode: str) -> None:
    # A page's scripts and styles arrive at once; under gevent they once failed with 500s.
    env = _migrated_env(tmp_path, mode)
    paths = ["/login", "/join", "/static/css/app.css", "/static/js/live.js"] * 6
    with serving(env, tmp_path / "server.log"), ThreadPoolExecutor(len(paths)) as pool:
        answers = list(pool.map(lambda p: _get(f"http://127.0.0.1:{env['PORT']}{p}"), paths))
    assert [status for status, _ in answers] == [200] * len(paths), (
        tmp_path / "server.log"
    ).read_text()[-3000:]


def test_wsgi_prints_its_url(tmp_path: Path) -> None:
    env = _migrated_env(tmp_path, "gevent")
    log = tmp_path / "server.log"
    with serving(env, log):
        pass
    assert f"Facilitate is serving on http://127.0.0.1:{env['PORT']}/" in log.read_text()


def test_wsgi_secret_key_generated_once_and_reused(tmp_path: Path) -> None:
    env = _migrated_env(tmp_path, "threading")
    key_file = tmp_path / "secret_key"
    assert not key_file.exists()
    with serving(env, tmp_path / "first.log"):
        pass
    first = key_file.read_text()
    assert len(first.strip()) == 64
    with serving(env, tmp_path / "second.log"):
        pass
    assert key_file.read_text() == first


def test_wsgi_secret_key_from_environment_writes_no_file(tmp_path: Path) -> None:
    env = _migrated_env(tmp_path, "threading")
    env["SECRET_KEY"] = "given-by-the-operator"
    with serving(env, tmp_path / "server.log"):
        pass
    assert not (tmp_path / "secret_key").exists()
