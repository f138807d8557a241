"""``python wsgi.py`` really serves, in every async mode, as ``make run`` starts it."""

from __future__ import annotations

import json
import struct
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import socketio  # type: ignore[import-untyped]
import websocket
from flask import Flask
from phones import NS, Phone
from processes import ASYNC_MODES, app_env, free_port, serving

from facilitate import migrate
from facilitate.db import session
from facilitate.dialogues import operations as dialogue_ops
from facilitate.live import participants
from facilitate.meetings import operations as meeting_ops
from facilitate.meetings.models import MeetingStatus

#: A WebSocket close on loopback takes milliseconds. Under gevent it once took 3 s
#: (python-socketio's client waiting for the server) or never ended (a browser waiting for
#: the server to drop the connection): generous for a loaded machine, well below that.
QUICK = 1.0
#: The room's people counter is flushed once a second after a change.
NOTICED = 1.0 + 1.5


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


def _residents(app: Flask, count: int) -> list[str]:
    """The tokens of ``count`` residents who joined an open meeting."""
    with app.app_context():
        dialogue = dialogue_ops.create_dialogue("Trygghet", areas=["Fröslunda"])
        theme = dialogue_ops.create_theme(dialogue, "Belysning")
        meeting = meeting_ops.create_meeting(theme, "Kväll", template="in_depth_90")
        meeting.status, meeting.current_phase = MeetingStatus.open, 0
        tokens = [participants.join(meeting, display_name=f"P{n}")[1] for n in range(count)]
        session().commit()
    return tokens


def _online(watcher: Phone) -> int | None:
    presence = watcher.last("presence")
    return None if presence is None else int(presence["online"])


def _browser_close(ws: websocket.WebSocket, before: list[str], payload: bytes) -> float:
    """Close as a browser does: ``before`` (Socket.IO's last packets, if any), a close
    frame, the server's close frame back, then wait for the server to end the connection
    (RFC 6455 7.1.1). The seconds that took, or infinity if it did not within 5 s."""
    start = time.monotonic()
    for text in before:
        ws.send(text)
    ws.send(payload, opcode=websocket.ABNF.OPCODE_CLOSE)
    while ws.recv_frame().opcode != websocket.ABNF.OPCODE_CLOSE:
        pass
    ws.sock.settimeout(5)
    try:
        while ws.sock.recv(4096):
            pass
    except TimeoutError:
        return float("inf")
    finally:
        ws.sock.close()
    return time.monotonic() - start


@pytest.mark.parametrize("mode", ["gevent", "eventlet"])
def test_wsgi_websocket_close_is_quick_and_quiet(
    app: Flask, app_config: dict[str, Any], tmp_path: Path, mode: str
) -> None:
    # Under gevent the server kept the connection for HTTP keep-alive after the WebSocket
    # ended: a close waited out the client's timeout, and what the client sent after its
    # close frame was logged as "Invalid HTTP method" (facilitate/serving.py).
    tokens = _residents(app, 6)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = app_env(
        tmp_path,
        PORT=str(port),
        ASYNC_MODE=mode,
        HOST="127.0.0.1",
        DATABASE_URL=app_config["DATABASE_URL"],
        SECRET_KEY=app_config["SECRET_KEY"],
    )
    log = tmp_path / "server.log"
    closes: dict[str, list[float]] = {"python-socketio": [], "page left": [], "disconnect()": []}
    noticed: list[float] = []
    with serving(env, log):
        watcher = Phone(base, tokens.pop())  # long-polling: it sees the others come and go
        try:
            assert watcher.wait(lambda: _online(watcher) == 1, NOTICED)
            for kind in [*closes, "python-socketio", "python-socketio"]:
                if kind == "python-socketio":
                    client = socketio.Client(reconnection=False)
                    client.connect(
                        base,
                        namespaces=[NS],
                        auth={"token": tokens.pop()},
                        transports=["websocket"],
                        wait_timeout=5,
                    )
                else:
                    ws = websocket.create_connection(
                        f"ws://127.0.0.1:{port}/socket.io/?EIO=4&transport=websocket",
                        origin=base,
                        timeout=5,
                    )
                    assert ws.recv().startswith("0{")
                    ws.send(f"40{NS}," + json.dumps({"token": tokens.pop()}))
                assert watcher.wait(lambda: _online(watcher) == 2, NOTICED)
                start = time.monotonic()
                if kind == "python-socketio":
                    client.disconnect()
                    closes[kind].append(time.monotonic() - start)
                elif kind == "page left":  # a browser leaving the page: 1001, going away
                    closes[kind].append(_browser_close(ws, [], struct.pack("!H", 1001)))
                else:  # socket.disconnect() in static/js: the namespace's end, no status
                    closes[kind].append(_browser_close(ws, [f"41{NS},"], b""))
                assert watcher.wait(lambda: _online(watcher) == 1, NOTICED)
                noticed.append(time.monotonic() - start)
            server_said = log.read_text()
        finally:
            watcher.close()
    print({kind: [round(s, 3) for s in seconds] for kind, seconds in closes.items()})
    print("noticed", [round(s, 2) for s in noticed])
    assert all(s < QUICK for seconds in closes.values() for s in seconds), closes
    assert all(s < NOTICED for s in noticed), noticed
    # What a server says at start-up is no noise: where it serves, and that mail stays in
    # the outbox (no SMTP_URL in tests).
    started = ("Facilitate is serving", "SMTP_URL is not set")
    noise = [line for line in server_said.splitlines() if not line.startswith(started)]
    assert noise == [], server_said
