"""Password hashing with argon2id, kept off the green-thread event loop."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context

_default_hasher = PasswordHasher()
T = TypeVar("T")

MIN_LENGTH = 10
MAX_LENGTH = 256


def _offload(fn: Callable[..., T], *args: Any) -> T:
    """Run CPU-heavy ``fn`` so other clients' events keep flowing.

    argon2 releases the GIL, so a native thread runs it in parallel while the
    hub serves other greenlets; calling it inline would stall every room for ~80 ms.
    """
    mode = current_app.config.get("ASYNC_MODE") if has_app_context() else "threading"
    if mode == "gevent":
        import gevent

        result: T = gevent.get_hub().threadpool.apply(fn, args)
        return result
    if mode == "eventlet":
        from eventlet import tpool

        return tpool.execute(fn, *args)  # type: ignore[no-any-return]
    return fn(*args)


def _hasher() -> PasswordHasher:
    # Tests set ARGON2_PARAMS to cheap values; production keeps RFC 9106's defaults.
    params = current_app.config.get("ARGON2_PARAMS") if has_app_context() else None
    return PasswordHasher(**params) if params else _default_hasher


def hash_password(password: str) -> str:
    return _offload(_hasher().hash, password)


def verify_password(password_hash: str, password: str) -> bool:
    def check() -> bool:
        try:
            return _default_hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    return _offload(check)


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


#: A hash of nothing anyone knows, verified for unknown e-mails so timing does not
#: tell which accounts exist.
DUMMY_HASH = _default_hasher.hash("not a password of any account")
