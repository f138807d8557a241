"""Bad days: the Redis message queue that two instances share goes away and comes back.

The Socket.IO test client refuses a message queue, so this runs the real server twice
(``python wsgi.py``, gevent), both on one SQLite file and on one Redis reached through a
proxy the test cuts; the phones are Socket.IO clients, Anna on instance A and Bo on
instance B. (Long-polling: closing a WebSocket client waits 3 s for a close frame.)
"""

from __future__ import annotations

import functools
import json
import secrets
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from faults_proxy import Proxy, proxy_to
from flask import Flask
from phones import Phone
from processes import http_status, instances
from services import address, through

from facilitate.db import session
from facilitate.live.models import Contribution
from rooms.queue import WatchedRedisManager

from .conftest import open_meeting

#: How long a refusal may take: the queue's PING times out after half a second.
PROMPT = 2.0
#: How long an instance may take to see the queue back and resync its rooms: its
#: subscriber reconnects after python-socketio's first back-off (1 s), then a probe
#: must come back (two turns of 0.5 s).
RECOVERY = 8.0


@pytest.fixture
def redis_proxy(redis_url: str) -> Iterator[Proxy]:
    with proxy_to(address(redis_url, 6379)) as proxy:
        yield proxy


@pytest.fixture(name="instances")
def two_instances(
    app: Flask, app_config: dict[str, Any], redis_url: str, redis_proxy: Proxy, tmp_path: Path
) -> Iterator[dict[str, str]]:
    """Instances A and B: one database, one Redis (through the proxy), one channel."""
    common = {
        "SECRET_KEY": "queue-tests",
        "DATABASE_URL": app_config["DATABASE_URL"],
        "SOCKETIO_MESSAGE_QUEUE": through(redis_url, redis_proxy.port),
        # Its own channel: other runs of this test on the machine share the Redis server.
        "SOCKETIO_CHANNEL": f"facilitate-test-{secrets.token_hex(6)}",
    }
    with instances(tmp_path, common) as urls:
        yield urls


def stored(app: Flask) -> list[str]:
    with app.app_context():
        texts = list(session().scalars(sa.select(Contribution.text)))
        session().close()
        return texts


def test_redis_down_refuses_the_write_then_delivers_the_retry_once(
    app: Flask,
    meeting_id: int,
    join: Callable[..., str],
    instances: dict[str, str],
    redis_proxy: Proxy,
) -> None:
    open_meeting(app, meeting_id)
    anna = Phone(instances["a"], join(meeting_id, "Anna", "Fröslunda"))
    bo = Phone(instances["b"], join(meeting_id, "Bo", "Myrtorp"))
    try:
        # The queue works: Anna's words reach Bo on the other instance.
        assert anna.call("contribution_add", {"client_id": "w1", "text": "Före"})["ok"]
        assert bo.wait(lambda: "Före" in bo.texts(), timeout=5)

        redis_proxy.cut()
        held = {"client_id": "w2", "text": "Medan Redis var borta"}
        started = time.monotonic()
        answer = anna.call("contribution_add", held)
        assert time.monotonic() - started < PROMPT
        assert answer["ok"] is False
        assert answer["error"]["code"] == "unavailable"
        assert anna.client.connected  # refused, not dropped
        assert stored(app) == ["Före"]  # not stored, so the outbox sends it again later
        # Joining still works: presence and the join limit count per instance meanwhile.
        cem = Phone(instances["b"], join(meeting_id, "Cem", "Myrtorp"))
        assert cem.wait(lambda: cem.last("state") is not None, PROMPT)
        cem.close()
        assert http_status(f"{instances['a']}/j/ZZZZ2222") == 404

        states = {phone: len(phone.named("state")) for phone in (anna, bo)}
        redis_proxy.restore()
        # Each instance sees the queue back and sends its own phones a fresh state, in
        # case they missed events meanwhile; a phone's outbox goes out on a state.
        for phone, before in states.items():
            assert phone.wait(functools.partial(phone.heard_more, "state", before), RECOVERY)

        again = anna.call("contribution_add", held)
        assert again["ok"] is True
        assert bo.wait(lambda: held["text"] in bo.texts(), timeout=5)
        assert anna.call("contribution_add", held) == again  # a re-send is not a second write
        assert sorted(stored(app)) == sorted(["Före", held["text"]])
    finally:
        anna.close()
        bo.close()


def test_the_watcher_needs_its_own_probe_back_before_it_resyncs(
    redis_url: str, redis_proxy: Proxy
) -> None:
    """Up again means both ways: PING answered and a probe sent since heard back."""
    manager = WatchedRedisManager(
        through(redis_url, redis_proxy.port), f"facilitate-test-{secrets.token_hex(6)}"
    )
    resyncs: list[bool] = []
    manager.recovered = lambda: resyncs.append(True)

    def hear(n: int, host: str = manager.host_id) -> bool:
        probe = {"method": manager.PROBE, "host_id": host, "n": n}
        return manager._probe(json.dumps(probe).encode())

    manager.check()  # sends probe 1
    assert hear(1)
    assert manager.healthy

    redis_proxy.cut()
    assert manager.writable() is False
    assert manager.healthy is False
    redis_proxy.restore()
    manager.check()  # PING answered, probe 2 sent: not heard yet
    assert manager.healthy is False
    assert resyncs == []
    assert hear(2, host="another-instance")  # taken off the channel, but not ours
    manager.check()
    assert resyncs == []
    assert hear(2)
    manager.check()
    assert manager.healthy
    assert resyncs == [True]

    # Probes that stop coming back (a subscriber that lost the channel) count as down.
    manager.check()
    manager.check()
    assert manager.healthy is False
    assert not manager._probe(b'{"method": "emit", "event": "contribution"}')  # events pass
