"""Writes per participant: a sliding window, so one phone cannot flood a room."""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque


class WriteLimiter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: dict[str, deque[float]] = defaultdict(deque)

    def allow(self, actor: str, limit: int, window: float) -> bool:
        now = time.monotonic()
        with self._lock:
            seen = self._seen[actor]
            while seen and seen[0] <= now - window:
                seen.popleft()
            if len(seen) >= limit:
                return False
            seen.append(now)
            return True

    def clear(self) -> None:
        with self._lock:
            self._seen.clear()


limiter = WriteLimiter()
