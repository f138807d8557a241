"""The Socket.IO message queue (Redis) that lets several instances share rooms, watched.

python-socketio's RedisManager logs a failed publish and drops it, and its subscriber
reconnects on its own, silently. Left at that, a write taken while Redis is away would
be stored and acknowledged but never reach the clients of the other instances, and
nobody would know. This manager says when the queue cannot carry events:

- ``writable()`` PINGs Redis with a short timeout; the write wrapper refuses a write
  (``unavailable``, nothing stored) when it gets no answer, so the phone's outbox sends
  it again later with the same ``client_id``;
- a watcher PINGs every ``interval`` and publishes a probe on the channel that this
  instance's own subscriber must hear back. A failed PING, a failed publish, a
  subscriber that had to reconnect or probes that stop coming back mark the queue down.
  Once a probe sent after that comes back, the queue carries events both ways again, but
  events other instances sent meanwhile may be lost for this instance's clients:
  ``recovered`` is called (``rooms.init_app`` makes it send every local connection a
  fresh ``state``).

Probes are swallowed here: other instances ignore them, and old ones would drop them.

Some changes replace a room's whole picture (voting opens or closes, groups split or
end): the instance that made one sends its own connections a fresh ``state`` and
publishes a ``facilitate.resync`` message, on which every other instance does the same
for its connections in that meeting (``resynced``, set by ``rooms.init_app``). It comes
after the change's events on the same channel, so each ``state`` includes the change.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import redis
import socketio  # type: ignore[import-untyped]
from redis.backoff import NoBackoff
from redis.retry import Retry

from .manager import LocalManager, RoomIndex

logger = logging.getLogger(__name__)

#: Flask-SocketIO's channel name, so instances still running a plain RedisManager (during
#: a rolling update) and external emitters share rooms with this one.
DEFAULT_CHANNEL = "flask-socketio"


def _nothing() -> None:
    pass


def _no_resync(meeting_id: int) -> None:
    pass


def _nowhere(room: Any) -> contextlib.AbstractContextManager[None]:
    return contextlib.nullcontext()


def client_manager(url: str | None, channel: str = DEFAULT_CHANNEL) -> Any:
    """The Socket.IO client manager for ``SOCKETIO_MESSAGE_QUEUE``.

    Always a new one: the app's SocketIO object outlives an app (tests build many), and
    Flask-SocketIO would otherwise keep the previous app's queue.
    """
    if url is None:
        return LocalManager()
    if not url.startswith(("redis://", "rediss://", "unix://")):
        # Only Redis is watched; an unwatched queue would ack writes nobody else hears.
        raise RuntimeError(f"SOCKETIO_MESSAGE_QUEUE must be a Redis URL, not {url!r}")
    return WatchedRedisManager(url, channel)


class WatchedRedisManager(RoomIndex, socketio.RedisManager):  # type: ignore[misc]
    PROBE = "facilitate.probe"
    RESYNC = "facilitate.resync"

    def __init__(
        self,
        url: str,
        channel: str = DEFAULT_CHANNEL,
        *,
        interval: float = 0.5,
        timeout: float = 0.5,
    ) -> None:
        super().__init__(
            url,
            channel=channel,
            redis_options={
                # A host that does not answer must not hold a write's ack (the events go
                # out before it) for the kernel's connect retries.
                "socket_connect_timeout": 2,
                # No retries inside redis-py: they would wait with back-off up to about
                # 14 s, and a subscriber it reconnected quietly would hide a gap in what
                # this instance heard. RedisManager reconnects itself, through
                # ``_redis_connect``, where the gap is seen.
                "retry": Retry(NoBackoff(), 0),
            },
        )
        self.interval = interval
        #: Called by the watcher when the queue carries events again after a failure.
        self.recovered: Callable[[], None] = _nothing
        #: Called in a background task when another instance asks for a meeting's resync.
        self.resynced: Callable[[int], None] = _no_resync
        #: Held while an event to ``room`` is handed to this instance's connections, as
        #: by the local sender: an event another instance committed after a ``state`` was
        #: read here must not reach the client before that ``state`` (rooms.engine sets it).
        self.delivering: Callable[[Any], contextlib.AbstractContextManager[Any]] = _nowhere
        self._health = redis.Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout, retry=Retry(NoBackoff(), 0)
        )
        self._healthy = True
        self._pinging = threading.Lock()
        self._ping_sent = float("-inf")  # when the last PING answered went out
        self._ping_answer = True
        self._sent = 0  # the last probe published
        self._heard = 0  # the last probe this instance's subscriber heard back
        self._needed = 0  # the probe that must come back before the queue counts as up

    @property
    def healthy(self) -> bool:
        return self._healthy

    def writable(self) -> bool:
        """Whether a write's events can be published now: Redis answers a PING sent after
        the write asked.

        One PING at a time, and every write that asked before it was sent takes its
        answer: in a vote storm, a PING per write is as many round trips (and Redis
        connections, under gevent) for no better answer than a shared one.
        """
        asked = time.monotonic()
        with self._pinging:
            if self._ping_sent >= asked:
                return self._ping_answer
            sent = time.monotonic()
            try:
                self._health.ping()
            except redis.RedisError as error:
                self._down(f"no answer to PING ({error})")
                answer = False
            else:
                answer = True
            self._ping_sent, self._ping_answer = sent, answer
            return answer

    # -- python-socketio's extension points -----------------------------------------------

    def initialize(self) -> None:
        super().initialize()
        if not self.write_only:
            self.server.start_background_task(self._watch)

    def _redis_connect(self) -> None:
        # RedisManager connects again only when publishing or listening failed. Once the
        # subscriber had subscribed, it may have missed events in between. (At start the
        # publisher may connect first; nothing was subscribed yet, nothing was missed.)
        if self.pubsub is not None and self.pubsub.subscribed:
            self._down("the connection to Redis was lost")
        super()._redis_connect()

    def _publish(self, data: Any) -> Any:
        receivers = super()._publish(data)
        if receivers is None:  # RedisManager gave up and logged it; nobody else heard it
            self._down("an event could not be published")
        return receivers

    def _handle_emit(self, message: Any) -> Any:
        with self.delivering(message.get("room") if isinstance(message, dict) else None):
            return super()._handle_emit(message)

    def _listen(self) -> Any:
        for message in super()._listen():
            if not self._probe(message) and not self._resync(message):
                yield message

    def publish_resync(self, meeting_id: int) -> None:
        """Ask every other instance to send its connections in the meeting a fresh ``state``."""
        self._publish({"method": self.RESYNC, "host_id": self.host_id, "meeting_id": meeting_id})

    # -- the watcher ----------------------------------------------------------------------

    def _watch(self) -> None:
        while True:
            self.server.sleep(self.interval)
            try:
                self.check()
            except Exception:  # the watcher must outlive any one bad turn
                logger.exception("message queue check failed")

    def check(self) -> None:
        """One turn of the watcher: PING, see whether the probes come back, probe again."""
        if not self.writable():
            return
        # Tolerate one probe in flight: a busy instance may hear its own a turn late.
        if self._healthy and self._heard and self._sent - self._heard > 1:
            self._down("this instance no longer hears the channel")
        if not self._healthy and self._heard >= self._needed:
            self.recovered()  # raises (and stays down, to try again) if it cannot resync
            self._healthy = True
            logger.warning("message queue carries events again; local rooms resynced")
        self._sent += 1
        probe = {"method": self.PROBE, "host_id": self.host_id, "n": self._sent}
        try:
            self._health.publish(self.channel, json.dumps(probe))
        except redis.RedisError as error:
            self._down(f"a probe could not be published ({error})")

    def _down(self, reason: str) -> None:
        # Only a probe sent from now on proves the way back, both publishing and hearing.
        self._needed = self._sent + 1
        if self._healthy:
            self._healthy = False
            logger.warning("message queue unavailable: %s", reason)

    @staticmethod
    def _ours(message: Any, method: str) -> dict[str, Any] | None:
        """``message`` decoded when it is one of ours with ``method``, else None."""
        if isinstance(message, str):
            message = message.encode()
        # A cheap look first: every event of every instance passes here.
        if not isinstance(message, bytes) or method.encode() not in message[:40]:
            return None
        try:
            data = json.loads(message)
        except ValueError:
            return None
        if not isinstance(data, dict) or data.get("method") != method:
            return None
        return data

    def _resync(self, message: Any) -> bool:
        data = self._ours(message, self.RESYNC)
        if data is None:
            return False
        meeting_id = data.get("meeting_id")
        if data.get("host_id") != self.host_id and isinstance(meeting_id, int):
            # Not in the listener itself: it must go on delivering events meanwhile.
            self.server.start_background_task(self.resynced, meeting_id)
        return True

    def _probe(self, message: Any) -> bool:
        """Whether ``message`` is a probe (which the server must not see); notes our own."""
        data = self._ours(message, self.PROBE)
        if data is None:
            return False
        if data.get("host_id") == self.host_id and isinstance(data.get("n"), int):
            self._heard = max(self._heard, data["n"])
        return True
