"""kill -9 in the middle of a contribution storm, on SQLite and on PostgreSQL: every
acknowledged write is stored exactly once, and the writes that were in flight arrive once
after the restart. ``make test`` kills a few times per database; ``make soak`` sets
``SOAK_KILLS`` for the long series (docs/reliability.md)."""

from __future__ import annotations

import gc
import itertools
import os
import random
import signal
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import requests
import socketio
import sqlalchemy as sa
from processes import app_env, free_port, run_flask, serving

from facilitate import demo

PHONES = 4
WRITES_PER_PHONE = 40
#: Kills per run and database: a few in ``make test``, the long series in ``make soak``.
KILLS = int(os.environ.get("SOAK_KILLS", "2"))


class Phone:
    """A resident's client: an outbox resent with the same client_ids until acknowledged."""

    def __init__(self, url: str, token: str, name: str) -> None:
        self.name = name
        self.acked: set[str] = set()
        self.outbox: list[str] = []
        self.client = socketio.Client(reconnection=True, reconnection_delay=0.2)
        self.client.connect(
            url, namespaces=["/live"], auth={"token": token}, transports=["websocket"]
        )

    def write(self, client_id: str) -> None:
        self.outbox.append(client_id)
        self.flush()

    def flush(self) -> None:
        for client_id in list(self.outbox):
            if client_id in self.acked:
                continue
            try:
                answer = self.client.call(
                    "contribution_add",
                    {"client_id": client_id, "text": client_id},
                    namespace="/live",
                    timeout=3,
                )
            except (socketio.exceptions.TimeoutError, socketio.exceptions.BadNamespaceError):
                return  # the server is away: keep it for later
            if isinstance(answer, dict) and answer.get("ok"):
                self.acked.add(client_id)


def close(client: socketio.Client) -> None:
    """Disconnecting leaves the client's HTTP session open; close it, sockets and all."""
    http = getattr(client.eio, "http", None)
    if http is not None:
        http.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def live_server(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, Any]:
    port = free_port()
    database = (
        request.getfixturevalue("postgres_url")
        if request.param == "postgresql"
        else f"sqlite:///{tmp_path / 'facilitate.db'}"
    )
    env = app_env(
        tmp_path, PORT=str(port), HOST="127.0.0.1", SECRET_KEY="kill-tests", DATABASE_URL=database
    )
    for args in (("db", "upgrade"), ("demo",)):
        done = run_flask(*args, env=env)
        assert done.returncode == 0, done.stderr
    token = run_flask("users", "token", demo.FACILITATOR_EMAIL, env=env).stdout.strip()
    return {
        "env": env,
        "url": f"http://127.0.0.1:{port}",
        "token": token,
        "db": database,
    }


# The Socket.IO client library leaves the socket of a connection the server dropped (by
# being killed) to the garbage collector; that is the client's leak, not the server's.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_kill_during_storm_loses_and_doubles_nothing(
    live_server: dict[str, Any], tmp_path: Path
) -> None:
    url, env = live_server["url"], live_server["env"]
    runs = itertools.count()
    with serving(env, tmp_path / f"server-{next(runs)}.log") as process:
        console = socketio.Client()
        console.connect(
            url, namespaces=["/live"], auth={"token": live_server["token"], "meeting_id": 1}
        )
        assert console.call("meeting_open", {"client_id": "open"}, namespace="/live")["ok"]
        code = requests.get(
            f"{url}/api/v1/meetings/1",
            headers={"Authorization": f"Bearer {live_server['token']}"},
            timeout=5,
        ).json()["join_code"]
        console.disconnect()
        close(console)
        tokens = [
            requests.post(f"{url}/api/v1/join", json={"join_code": code}, timeout=5).json()[
                "participant_token"
            ]
            for _ in range(PHONES)
        ]
        phones = [Phone(url, token, f"p{n}") for n, token in enumerate(tokens)]
        stop = threading.Event()

        def storm(phone: Phone) -> None:
            for n in range(WRITES_PER_PHONE):
                if stop.is_set():
                    return
                phone.write(f"{phone.name}-{n}")

        threads = [threading.Thread(target=storm, args=(p,)) for p in phones]
        for thread in threads:
            thread.start()
        time.sleep(random.uniform(0.3, 0.8))  # noqa: S311 -- when to kill, not security
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        assert process.returncode == -signal.SIGKILL  # the kill really landed
    # (serving's own cleanup finds the process gone)
    killed_acks = {cid for p in phones for cid in p.acked}
    for _ in range(KILLS - 1):
        with serving(env, tmp_path / f"server-{next(runs)}.log") as process:
            time.sleep(random.uniform(0.3, 0.8))  # noqa: S311
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=10)
            assert process.returncode == -signal.SIGKILL
    with serving(env, tmp_path / f"server-{next(runs)}.log"):
        for thread in threads:
            thread.join(timeout=120)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and any(set(p.outbox) - p.acked for p in phones):
            for phone in phones:
                if phone.client.connected:
                    phone.flush()
            time.sleep(0.3)
        for phone in phones:
            phone.client.disconnect()
            close(phone.client)
    written = {f"{p.name}-{n}" for p in phones for n in range(WRITES_PER_PHONE)}
    acked = {cid for p in phones for cid in p.acked}
    assert acked == written  # every write got through in the end
    assert killed_acks <= acked
    engine = sa.create_engine(live_server["db"])
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT text FROM contributions")).scalars().all()
    engine.dispose()
    assert sorted(rows) == sorted(written)  # each exactly once, nothing else
    del phones
    gc.collect()  # the dropped sockets are closed here, inside this test
