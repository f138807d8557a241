"""The room state instances share in Redis (rooms/shared.py), two instances side by side.

Each ``Shared`` is one instance's view; the end-to-end proof with real servers is
test_instances.py. Here: what the claims, the heartbeat and the fallbacks promise.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
from processes import free_port

from rooms.shared import POOL_SIZE, Shared


@pytest.fixture
def prefix(redis_url: str) -> Iterator[str]:
    name = f"facilitate-test-{secrets.token_hex(6)}"
    yield name
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(f"{name}:*"):
        client.delete(key)


def test_flush_claim_is_held_by_one_instance_until_released(redis_url: str, prefix: str) -> None:
    a, b = Shared(redis_url, prefix), Shared(redis_url, prefix)
    assert a.claim("tally", 7, ttl=5) is True
    assert b.claim("tally", 7, ttl=5) is False  # a's flush will read b's change too
    assert b.claim("tally", 8, ttl=5) is True  # another room, another claim
    a.release("tally", [7])
    assert b.claim("tally", 7, ttl=5) is True


def test_presence_online_is_the_union_of_instances(redis_url: str, prefix: str) -> None:
    a, b = Shared(redis_url, prefix), Shared(redis_url, prefix)
    a.arrived(7, "sid-a1", 1)
    a.arrived(7, "sid-staff", None)  # staff are not residents online
    b.arrived(7, "sid-b1", 2)
    b.arrived(7, "sid-b2", 1)  # Anna's second tab, on the other instance
    assert a.online(7, {1}) == b.online(7, {1, 2}) == {1, 2}
    b.left(7, "sid-b1")
    assert a.online(7, {1}) == {1}


def test_heartbeat_repairs_presence_after_redis_lost_it(redis_url: str, prefix: str) -> None:
    a, b = Shared(redis_url, prefix), Shared(redis_url, prefix)
    b.arrived(7, "sid-b1", 2)
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(f"{prefix}:*"):  # Redis restarted empty
        client.delete(key)
    assert a.online(7, set()) == set()
    b.heartbeat({7: {"sid-b1": 2}})
    assert a.online(7, set()) == {2}


def test_heartbeat_names_meetings_where_an_instance_vanished(redis_url: str, prefix: str) -> None:
    a, gone = Shared(redis_url, prefix), Shared(redis_url, prefix)
    a.arrived(7, "sid-a1", 1)
    gone.arrived(7, "sid-g1", 2)
    assert a.heartbeat({7: {"sid-a1": 1}}) == set()
    # The killed instance's presence expires (here at once) and the others notice.
    redis.Redis.from_url(redis_url).delete(f"{prefix}:online:7:{gone.host_id}")
    assert a.heartbeat({7: {"sid-a1": 1}}) == {7}
    assert a.online(7, {1}) == {1}
    assert a.heartbeat({7: {"sid-a1": 1}}) == set()  # said once


def test_write_limit_counts_across_instances(redis_url: str, prefix: str) -> None:
    a, b = Shared(redis_url, prefix), Shared(redis_url, prefix)
    assert [a.allow("p:1", 3, 10.0), b.allow("p:1", 3, 10.0), a.allow("p:1", 3, 10.0)] == [
        True,
        True,
        True,
    ]
    assert b.allow("p:1", 3, 10.0) is False
    assert a.allow("p:2", 3, 10.0) is True  # per phone


def test_redis_away_falls_back_to_what_this_instance_knows(
    caplog: pytest.LogCaptureFixture,
) -> None:
    nowhere = f"redis://127.0.0.1:{free_port()}/0"  # nobody listens there
    shared = Shared(nowhere, "facilitate-test-away")
    shared.arrived(7, "sid-1", 1)  # logged, not raised: the resident still gets in
    assert shared.online(7, {1, 3}) == {1, 3}
    assert [shared.allow("p:1", 2, 10.0) for _ in range(3)] == [True, True, False]
    assert shared.claim("tally", 7, ttl=1) is True  # better two flushes than none
    shared.release("tally", [7])
    assert shared.heartbeat({7: {"sid-1": 1}}) == set()
    assert "presence" in caplog.text
    assert "write limits unavailable" in caplog.text


def test_without_redis_everything_is_local() -> None:
    shared = Shared(None)
    assert not shared.distributed
    shared.arrived(7, "sid-1", 1)
    assert shared.online(7, {4}) == {4}
    assert shared.claim("tally", 7, ttl=1)
    assert shared.claim("tally", 7, ttl=1)
    assert [shared.allow("p:1", 1, 10.0) for _ in range(2)] == [True, False]


def test_write_limits_in_a_storm_share_a_few_redis_connections(redis_url: str, prefix: str) -> None:
    """Hundreds of writes at once wait for one of ``POOL_SIZE`` connections rather than
    open one each; every one is still counted against its actor's shared window."""
    shared = Shared(redis_url, prefix)
    actors = [f"participant:{n}" for n in range(40)]
    with ThreadPoolExecutor(max_workers=120) as pool:
        allowed = list(pool.map(lambda a: shared.allow(a, 3, 10.0), actors * 4))
    assert allowed.count(True) == 3 * len(actors)  # the fourth write of each refused
    names = [c["name"] for c in redis.Redis.from_url(redis_url).client_list()]
    assert 0 < names.count(f"{prefix}:{shared.host_id}") <= POOL_SIZE
