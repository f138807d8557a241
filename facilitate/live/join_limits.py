"""Failed joins are counted per address; successful ones never are.

A whole hall may share one Wi-Fi address, so a valid code always gets in (the
meeting's own participant cap is the only limit on joining). Only misses count
against the address, which is what slows down someone guessing codes.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from limits import parse
from limits.errors import StorageError

from facilitate.errors import DomainError
from facilitate.extensions import limiter


class TooManyFailures(DomainError):
    status = 429
    code = "rate_limited"


def count_failure() -> None:
    """Count one failed join from this address; raise when it is over the limit."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return
    item = parse(current_app.config["JOIN_FAILURE_LIMIT"])
    try:
        allowed = limiter.limiter.hit(item, "join-failure", get_remote_address())
    except StorageError as error:
        # The shared count (Redis) is away: the miss is still a 404, only not counted.
        current_app.logger.warning("join failures not counted: %s", error.storage_error)
        return
    if not allowed:
        raise TooManyFailures(_l("Too many attempts. Wait a minute and try again."))
