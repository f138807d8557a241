"""A phone outside the server process: a real Socket.IO client that keeps what it hears.

For the tests that run the server as processes (several instances, a message queue, a
slow database); in-process tests use Flask-SocketIO's test client instead.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import socketio  # type: ignore[import-untyped]

NS = "/live"


class Phone:
    """A Socket.IO client that keeps every event it hears."""

    def __init__(self, url: str, token: str, **auth: Any) -> None:
        self.heard: list[tuple[str, Any]] = []
        self._changed = threading.Condition()
        self.client = socketio.Client()
        self.client.on("*", self._hear, namespace=NS)
        self.client.connect(
            url,
            namespaces=[NS],
            auth={"token": token, **auth},
            transports=["polling"],
            wait_timeout=5,
        )

    def _hear(self, event: str, data: Any) -> None:
        with self._changed:
            self.heard.append((event, data))
            self._changed.notify_all()

    def call(self, event: str, data: dict[str, Any]) -> Any:
        return self.client.call(event, data, namespace=NS, timeout=5)

    def named(self, event: str) -> list[Any]:
        with self._changed:
            return [data for name, data in self.heard if name == event]

    def last(self, event: str) -> Any:
        """The latest ``event`` heard, or None."""
        found = self.named(event)
        return found[-1] if found else None

    def heard_more(self, event: str, than: int) -> bool:
        return len(self.named(event)) > than

    def texts(self) -> list[str]:
        return [c["text"] for c in self.named("contribution")]

    def wait(self, condition: Callable[[], bool], timeout: float) -> bool:
        """Whether ``condition`` holds, waiting up to ``timeout`` s for events to make it."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not condition():
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._changed.wait(left)
            return True

    def close(self) -> None:
        self.client.disconnect()
        http = getattr(self.client.eio, "http", None)
        if http is not None:  # the client leaves its HTTP session open otherwise
            http.close()
