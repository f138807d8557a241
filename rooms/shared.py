"""Room state that several instances share: presence, live-write limits, flush claims.

One instance keeps it in memory. With a message queue (``SOCKETIO_MESSAGE_QUEUE``) the
instances behind the load balancer share one room, so they share this state in the same
Redis, under keys that start with the queue's channel (deployments sharing a Redis have
their own channels):

- ``{channel}:online:{meeting}:{host}``: a hash, this instance's connections in the
  meeting (sid → participant id). It expires unless the instance's heartbeat rewrites it,
  so a killed instance's residents drop out of the count on their own, and a Redis that
  restarted empty is filled in again within one beat. ``{channel}:hosts:{meeting}`` names
  the instances that wrote one.
- ``{channel}:limits...``: the write limit's moving windows (the ``limits`` library), so
  a phone that reconnects to another instance cannot double its allowance.
- ``{channel}:flush:{kind}:{meeting}``: a claim on the next coalesced flush of a room's
  summary (tally, presence), so one instance sends it however many instances saw votes.

Redis going away must not stop a meeting: every read falls back to this instance's own
knowledge, and a refusal to write is the message queue's business (rooms/queue.py).
"""

from __future__ import annotations

import logging
import math
import threading
import time
import uuid
from collections import defaultdict, deque
from collections.abc import Iterable
from typing import cast

import redis
from limits import RateLimitItemPerSecond
from limits.errors import StorageError
from limits.storage import RedisStorage
from limits.strategies import MovingWindowRateLimiter
from redis.backoff import NoBackoff
from redis.retry import Retry

logger = logging.getLogger(__name__)

#: How often an instance rewrites its presence (``PRESENCE_HEARTBEAT``); a write of it
#: lives three beats, so one late beat does not drop a whole instance's residents.
HEARTBEAT = 10.0
#: Connections to Redis per instance (``Shared``'s pool), and how long a caller waits for
#: one when all are busy before falling back as if Redis were away.
POOL_SIZE = 16
POOL_WAIT = 2.0


class LocalWindow:
    """A moving window per actor in this process's memory.

    Not the limits library's MemoryStorage: that one starts a timer after every hit to
    expire old entries, which the bench measured at about 5 % of the server's CPU in a
    vote storm (docs/performance.md); here a window is trimmed when its actor writes.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: dict[str, deque[float]] = defaultdict(deque)

    def __repr__(self) -> str:
        return f"<LocalWindow actors={len(self._seen)}>"

    def hit(self, actor: str, limit: int, window: float) -> bool:
        now = time.monotonic()
        with self._lock:
            seen = self._seen[actor]
            while seen and seen[0] <= now - window:
                seen.popleft()
            if len(seen) >= limit:
                return False
            seen.append(now)
            return True


class Shared:
    """This instance's view of the shared room state; in memory when there is no Redis."""

    def __init__(
        self, url: str | None = None, prefix: str = "facilitate", heartbeat: float = HEARTBEAT
    ) -> None:
        self.host_id = uuid.uuid4().hex
        self.prefix = prefix
        self.heartbeat_interval = heartbeat
        self._ttl = max(1, math.ceil(3 * heartbeat))
        self._redis: redis.Redis | None = None
        self._local_limits = LocalWindow()
        self._limits: MovingWindowRateLimiter | None = None
        if url is not None:
            # One bounded pool for presence, claims and the write limits. A vote storm asks
            # Redis from hundreds of greenlets at once; an unbounded pool opens a connection
            # for each (a TCP connect, a handshake and, in redis-py 7, about 0.5 ms of CPU
            # to build the object: 4 % of the town hall's samples). Here they wait their
            # turn for one of a few, each busy for a loopback round trip.
            pool = redis.BlockingConnectionPool.from_url(
                url,
                max_connections=POOL_SIZE,
                # A join or a write must not wait for a Redis that does not answer; the
                # fallbacks below take over at once. Waiting for a free connection is
                # allowed longer: they are busy, not gone.
                timeout=POOL_WAIT,
                socket_timeout=0.5,
                socket_connect_timeout=0.5,
                retry=Retry(NoBackoff(), 0),
                # Whose connections these are, in Redis's CLIENT LIST.
                client_name=f"{prefix}:{self.host_id}",
            )
            self._redis = redis.Redis(connection_pool=pool)
            storage = RedisStorage(
                # The limits library names Redis over a socket its own way (it reads only
                # the scheme: the connections are the pool's).
                "redis+unix://" + url.removeprefix("unix://") if url.startswith("unix://") else url,
                connection_pool=pool,
                key_prefix=f"{prefix}:limits",
                wrap_exceptions=True,
            )
            self._limits = MovingWindowRateLimiter(storage)

    def __repr__(self) -> str:
        where = "redis" if self._redis is not None else "memory"
        return f"<Shared {where} {self.prefix!r} host={self.host_id[:8]}>"

    @property
    def distributed(self) -> bool:
        return self._redis is not None

    # -- presence -------------------------------------------------------------------------

    def _online_key(self, meeting_id: int, host_id: str) -> str:
        return f"{self.prefix}:online:{meeting_id}:{host_id}"

    def _hosts_key(self, meeting_id: int) -> str:
        return f"{self.prefix}:hosts:{meeting_id}"

    def _hosts(self, client: redis.Redis, meeting_id: int) -> set[bytes]:
        # redis-py types every reply as maybe awaitable; this client is the blocking one.
        return cast(set[bytes], client.smembers(self._hosts_key(meeting_id)))

    def arrived(self, meeting_id: int, sid: str, participant_id: int | None) -> None:
        """A connection to this instance joined the meeting (staff are not counted)."""
        if self._redis is None or participant_id is None:
            return
        key = self._online_key(meeting_id, self.host_id)
        try:
            pipe = self._redis.pipeline()
            pipe.hset(key, sid, str(participant_id))
            pipe.expire(key, self._ttl)
            pipe.sadd(self._hosts_key(meeting_id), self.host_id)
            pipe.expire(self._hosts_key(meeting_id), self._ttl * 2)
            pipe.execute()
        except redis.RedisError as error:
            logger.warning("presence not shared (%s); the next heartbeat repairs it", error)

    def left(self, meeting_id: int, sid: str) -> None:
        if self._redis is None:
            return
        try:
            self._redis.hdel(self._online_key(meeting_id, self.host_id), sid)
        except redis.RedisError as error:
            logger.warning("presence not shared (%s); the next heartbeat repairs it", error)

    def online(self, meeting_id: int, here: Iterable[int]) -> set[int]:
        """The residents online in the meeting on any instance; ``here`` are this one's."""
        online = set(here)
        if self._redis is None:
            return online
        try:
            hosts = self._hosts(self._redis, meeting_id)
            pipe = self._redis.pipeline()
            for host in sorted(hosts):
                host_id = host.decode()
                if host_id != self.host_id:
                    pipe.hvals(self._online_key(meeting_id, host_id))
            for values in pipe.execute():
                online.update(int(v) for v in values)
        except (redis.RedisError, ValueError) as error:
            logger.warning("presence of other instances unknown (%s)", error)
        return online

    def heartbeat(self, local: dict[int, dict[str, int]]) -> set[int]:
        """Rewrite this instance's presence; the meetings where another instance vanished.

        ``local`` is every meeting with a resident connected here. Presence someone else
        left behind (a killed instance) expires; the meetings it was in are returned, so
        their rooms hear the new count without waiting for a join or a leave.
        """
        if self._redis is None:
            return set()
        changed: set[int] = set()
        try:
            pipe = self._redis.pipeline()
            for meeting_id, sids in local.items():
                key = self._online_key(meeting_id, self.host_id)
                pipe.delete(key)
                if sids:
                    pipe.hset(key, mapping={sid: str(pid) for sid, pid in sids.items()})
                    pipe.expire(key, self._ttl)
                    pipe.sadd(self._hosts_key(meeting_id), self.host_id)
                    pipe.expire(self._hosts_key(meeting_id), self._ttl * 2)
            pipe.execute()
            for meeting_id in local:
                hosts_key = self._hosts_key(meeting_id)
                for host in self._hosts(self._redis, meeting_id):
                    host_id = host.decode()
                    if not self._redis.exists(self._online_key(meeting_id, host_id)):
                        self._redis.srem(hosts_key, host)
                        changed.add(meeting_id)
        except redis.RedisError as error:
            logger.warning("presence heartbeat failed (%s)", error)
        return changed

    # -- limits ---------------------------------------------------------------------------

    def allow(self, actor: str, limit: int, window: float) -> bool:
        """One more live write by ``actor``, if fewer than ``limit`` in the last ``window`` s."""
        if self._limits is not None:
            item = RateLimitItemPerSecond(limit, max(1, math.ceil(window)))
            try:
                return self._limits.hit(item, "live-write", actor)
            except StorageError as error:
                # A limit guards against floods; it is no reason to refuse a resident's words.
                logger.warning("shared write limits unavailable (%s)", error.storage_error)
        return self._local_limits.hit(actor, limit, window)

    # -- flush claims ---------------------------------------------------------------------

    def claim(self, kind: str, meeting_id: int, ttl: float) -> bool:
        """Whether this instance sends the next ``kind`` summary of the meeting.

        The claimant releases the claim just before it reads the room, so a change marked
        while the claim is held was committed before that read. ``ttl`` only bounds what
        an instance killed while holding one can cost: changes marked meanwhile wait for
        the next one.
        """
        if self._redis is None:
            return True
        try:
            key = f"{self.prefix}:flush:{kind}:{meeting_id}"
            return bool(self._redis.set(key, self.host_id, nx=True, px=int(ttl * 1000)))
        except redis.RedisError:
            return True  # two flushes of the same summary are harmless; none would not be

    def release(self, kind: str, meeting_ids: Iterable[int]) -> None:
        keys = [f"{self.prefix}:flush:{kind}:{meeting_id}" for meeting_id in meeting_ids]
        if self._redis is None or not keys:
            return
        try:
            self._redis.delete(*keys)
        except redis.RedisError as error:
            logger.warning("flush claims not released (%s); they expire", error)
