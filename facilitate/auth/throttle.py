"""Growing waits after wrong passwords, per account and client address.

A lock on the account (the old rule: five wrong passwords shut it for 15 minutes) let
anyone who knew a facilitator's e-mail shut them out just before a meeting. Here the
failures count per (e-mail, address): whoever guesses from one address slows only their
own guesses at that account, and the owner, or a colleague at the same address logging in
to her own account, is not held up at all. The per-address limit on the login form stays
on top of this, against one address trying many accounts.

After ``LOGIN_FREE_FAILURES`` wrong passwords in a row, each further one makes the next
guess from that address wait 1 s, then 2 s, 4 s ... up to ``LOGIN_MAX_WAIT`` seconds. A
guess during the wait is refused before the password is checked, so it tells nothing, and
unknown e-mails are counted the same way, so the refusal says nothing about who has an
account. Nobody sleeps in the request (that would hold a worker, a lever for a denial of
service): the guess is refused with the time left. A guess is counted before its
password is checked (``begin``), so guesses sent side by side cannot all slip through
while one is checked; a right password clears the count (``succeeded``).

The counts live in the rate limiter's storage (``RATELIMIT_STORAGE_URI``): in memory for
one instance, in Redis when the instances share one, so a guesser cannot spread over
them. Keys are keyed hashes of the e-mail and address, which stay out of Redis in the
clear, and they expire by themselves: ``FORGET_AFTER`` after the first failure of a run,
and a little after a wait ends. While Redis does not answer, each instance counts in its
own memory rather than letting guesses through unchecked or refusing everyone.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from flask import Flask, current_app
from limits.errors import StorageError
from limits.storage import MemoryStorage, Storage, storage_from_string

T = TypeVar("T")

#: A run of failures is forgotten this long (seconds) after its first one.
FORGET_AFTER = 24 * 3600
#: How long the storage is skipped after it failed to answer (seconds).
AWAY_FOR = 10.0
PREFIX = "login-throttle"


@dataclass(frozen=True)
class Policy:
    """How long the next guess waits after ``failures`` wrong passwords in a row."""

    free: int
    max_wait: int

    def wait_after(self, failures: int) -> int:
        if failures <= self.free:
            return 0
        # 2**30 s is far beyond any cap; the exponent is bounded so a long run stays cheap.
        return min(self.max_wait, 1 << min(failures - self.free - 1, 30))


class LoginThrottle:
    """The per-(account, address) failure counts of one app."""

    def __init__(
        self, storage: Storage, policy: Policy, secret: str, clock: Callable[[], float]
    ) -> None:
        self.storage = storage
        self.fallback = MemoryStorage()
        self.policy = policy
        self._secret = secret.encode()
        self._clock = clock
        self._away_until = 0.0

    def _key(self, email: str, address: str) -> str:
        digest = hmac.new(self._secret, f"{email}\n{address}".encode(), hashlib.sha256)
        return f"{PREFIX}:{digest.hexdigest()[:32]}"

    def _run(self, operation: Callable[[Storage], T]) -> T:
        if time.monotonic() >= self._away_until:
            try:
                return operation(self.storage)
            except StorageError as error:
                current_app.logger.warning(
                    "login failures counted in this instance only: %s", error.storage_error
                )
                self._away_until = time.monotonic() + AWAY_FOR
        return operation(self.fallback)

    def _left(self, storage: Storage, key: str, failures: int, now: float) -> int:
        if not self.policy.wait_after(failures):
            return 0
        until = storage.get(f"{key}:until:{failures}")
        return max(0, math.ceil(until - now))

    def wait(self, email: str, address: str) -> int:
        """Whole seconds before a guess at ``email`` from ``address`` is checked; 0: now."""
        key, now = self._key(email, address), self._clock()
        return self._run(
            lambda storage: self._left(storage, key, storage.get(f"{key}:failures"), now)
        )

    def begin(self, email: str, address: str) -> int:
        """Before checking a password: 0 if it may be checked, else the seconds to wait.

        A guess that may be checked is counted as a failure at once, and the wait that a
        wrong password brings is set, before the (slow) check: ``succeeded`` takes it
        back. So guesses sent side by side cannot all slip through during one check: once
        waits apply, a guess that finds another one counted since it looked is refused.
        """
        key, now = self._key(email, address), self._clock()

        def start(storage: Storage) -> int:
            seen = storage.get(f"{key}:failures")
            if left := self._left(storage, key, seen, now):
                return left  # not counted: waiting it out must not make it longer
            failures = storage.incr(f"{key}:failures", FORGET_AFTER)
            wait = self.policy.wait_after(failures)
            if wait:
                # The storage only adds, so the end of the wait goes under a key of its own
                # for each failure: two guesses counted at once never add up their times.
                until = f"{key}:until:{failures}"
                storage.clear(until)  # a leftover of an earlier run
                storage.incr(until, wait + 60, amount=math.ceil(now + wait))
            if failures > seen + 1 and self.policy.wait_after(failures - 1):
                return wait  # another guess from here went ahead since this one looked
            return 0

        return self._run(start)

    def succeeded(self, email: str, address: str) -> None:
        """The right password: the run of failures from this address is over, this guess
        (counted by ``begin``) included."""
        key = self._key(email, address)
        self._run(lambda storage: storage.clear(f"{key}:failures"))


def init_app(app: Flask) -> None:
    config = app.config
    # Always wrapped, so a Redis that does not answer raises StorageError, not its own.
    options = {**config.get("RATELIMIT_STORAGE_OPTIONS", {}), "wrap_exceptions": True}
    storage = storage_from_string(config["RATELIMIT_STORAGE_URI"], **options)
    if not isinstance(storage, Storage):
        raise RuntimeError("RATELIMIT_STORAGE_URI must name a synchronous storage")
    app.extensions["login_throttle"] = LoginThrottle(
        storage,
        Policy(free=config["LOGIN_FREE_FAILURES"], max_wait=config["LOGIN_MAX_WAIT"]),
        config["SECRET_KEY"],
        clock=lambda: float(current_app.config["LOGIN_CLOCK"]()),
    )


def throttle() -> LoginThrottle:
    login_throttle: LoginThrottle = current_app.extensions["login_throttle"]
    return login_throttle
