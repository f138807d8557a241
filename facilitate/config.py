"""Settings from the environment, with safe defaults.

Every variable is documented in the README. Nothing secret lives in code: the
secret key is generated once into the instance folder when not given.
"""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path
from typing import Any

from .languages import LANGUAGES

ASYNC_MODES = ("gevent", "eventlet", "threading")


def _instance_path() -> Path:
    return Path(
        os.environ.get("INSTANCE_PATH", Path(__file__).resolve().parent.parent / "instance")
    )


def load_secret_key(instance: Path) -> str:
    """Return SECRET_KEY from the environment, or one generated once into ``instance``."""
    given = os.environ.get("SECRET_KEY")
    if given:
        return given
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / "secret_key"
    if not path.exists():
        # O_EXCL: two processes starting together must not write two different keys.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32))
    return path.read_text().strip()


def default_database_url(instance: Path) -> str:
    instance.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{instance / 'facilitate.db'}"


def _count(name: str) -> int:
    raw = os.environ.get(name, "0") or "0"
    if not raw.isdigit():
        raise SystemExit(f"{name} must be a whole number, not {raw!r}")
    return int(raw)


def _whole(name: str, default: int, low: int, high: int, unit: str) -> int:
    raw = os.environ.get(name) or str(default)
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise SystemExit(
            f"{name} must be a whole number of {unit} from {low} to {high}, not {raw!r}"
        )
    return int(raw)


def _seconds(name: str, default: float) -> float:
    raw = os.environ.get(name) or str(default)
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value <= 3600:
        raise SystemExit(f"{name} must be a number of seconds, not {raw!r}")
    return value


def from_environment() -> dict[str, Any]:
    """Build the configuration mapping from environment variables."""
    instance = _instance_path()
    mode = os.environ.get("ASYNC_MODE", "gevent")
    if mode not in ASYNC_MODES:
        raise SystemExit(f"ASYNC_MODE must be one of {', '.join(ASYNC_MODES)}, not {mode!r}")
    queue = os.environ.get("SOCKETIO_MESSAGE_QUEUE") or None
    channel = os.environ.get("SOCKETIO_CHANNEL") or DEFAULTS["SOCKETIO_CHANNEL"]
    return {
        "INSTANCE_PATH": str(instance),
        "DATABASE_URL": os.environ.get("DATABASE_URL") or default_database_url(instance),
        "SECRET_KEY": load_secret_key(instance),
        "SOCKETIO_MESSAGE_QUEUE": queue,
        "SOCKETIO_CHANNEL": channel,
        # Instances sharing a queue share the per-address limits (joins, logins) too, in
        # the same Redis under the channel's name; each counts alone while it is away.
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI") or queue or "memory://",
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        # A join must not wait on a Redis that does not answer: the fallback takes over.
        "RATELIMIT_STORAGE_OPTIONS": (
            {
                "key_prefix": f"{channel}:ratelimit",
                "socket_timeout": 0.5,
                "socket_connect_timeout": 0.5,
                "wrap_exceptions": True,
            }
            if queue
            else {}
        ),
        "HOST": os.environ.get("HOST", "127.0.0.1"),
        "PORT": int(os.environ.get("PORT", "5000")),
        "ASYNC_MODE": mode,
        "TRUSTED_PROXIES": _count("TRUSTED_PROXIES"),
        "PRESENCE_HEARTBEAT": _seconds("PRESENCE_HEARTBEAT", DEFAULTS["PRESENCE_HEARTBEAT"]),
        "DATABASE_IDLE_PING": _seconds("DATABASE_IDLE_PING", DEFAULTS["DATABASE_IDLE_PING"]),
        "DATABASE_POOL_SIZE": _whole(
            "DATABASE_POOL_SIZE", DEFAULTS["DATABASE_POOL_SIZE"], 1, 500, "connections"
        ),
        # Whole seconds: SQLAlchemy's engine_from_config, through which the engine is
        # made, reads the pool's timeout as an integer (0.3 would wait not at all).
        "DATABASE_POOL_WAIT": _whole(
            "DATABASE_POOL_WAIT", DEFAULTS["DATABASE_POOL_WAIT"], 1, 3600, "seconds"
        ),
        "TALLY_MESSAGES_PER_SECOND": _whole(
            "TALLY_MESSAGES_PER_SECOND",
            DEFAULTS["TALLY_MESSAGES_PER_SECOND"],
            0,
            1_000_000,
            "messages a second",
        ),
        "PERSPECTIVES_INTERVAL": _seconds(
            "PERSPECTIVES_INTERVAL", DEFAULTS["PERSPECTIVES_INTERVAL"]
        ),
        "LOGIN_FREE_FAILURES": _whole(
            "LOGIN_FREE_FAILURES", DEFAULTS["LOGIN_FREE_FAILURES"], 0, 100, "failures"
        ),
        "LOGIN_MAX_WAIT": _whole("LOGIN_MAX_WAIT", DEFAULTS["LOGIN_MAX_WAIT"], 1, 3600, "seconds"),
        "POLIS_MAX_BYTES": _whole(
            "POLIS_MAX_BYTES", DEFAULTS["POLIS_MAX_BYTES"], 1024, 200 * 1024 * 1024, "bytes"
        ),
        # Mail (facilitate/mail): without SMTP_URL it stays in the outbox, shown to staff.
        "SMTP_URL": os.environ.get("SMTP_URL") or None,
        "MAIL_FROM": os.environ.get("MAIL_FROM") or DEFAULTS["MAIL_FROM"],
        "PUBLIC_URL": os.environ.get("PUBLIC_URL")
        or f"http://{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '5000')}",
        "MAIL_POLL_SECONDS": _seconds("MAIL_POLL_SECONDS", DEFAULTS["MAIL_POLL_SECONDS"]),
        "MAIL_TIMEOUT": _seconds("MAIL_TIMEOUT", DEFAULTS["MAIL_TIMEOUT"]),
        "MAIL_LEASE_SECONDS": _whole(
            "MAIL_LEASE_SECONDS", DEFAULTS["MAIL_LEASE_SECONDS"], 1, 3600, "seconds"
        ),
        "MAIL_RETRY_SECONDS": _whole(
            "MAIL_RETRY_SECONDS", DEFAULTS["MAIL_RETRY_SECONDS"], 1, 3600, "seconds"
        ),
        "MAIL_KEEP_DAYS": _whole("MAIL_KEEP_DAYS", DEFAULTS["MAIL_KEEP_DAYS"], 1, 3650, "days"),
        # Secure cookies only when served over HTTPS (set by the deployment).
        "SESSION_COOKIE_SECURE": os.environ.get("HTTPS", "").lower() in ("1", "true", "yes"),
    }


#: Defaults every app gets; the environment or the caller's mapping override them.
DEFAULTS: dict[str, Any] = {
    "ASYNC_MODE": "threading",
    "SOCKETIO_MESSAGE_QUEUE": None,
    #: The queue's channel: deployments (or test runs) sharing one Redis each need their own.
    "SOCKETIO_CHANNEL": "flask-socketio",
    "HOST": "127.0.0.1",
    "PORT": 5000,
    #: PostgreSQL: a pooled connection idle longer than this (seconds) is pinged before it
    #: is lent again (facilitate/db.py, _ping_if_idle).
    "DATABASE_IDLE_PING": 1.0,
    #: Database connections each instance keeps open for its requests and socket events
    #: (and 10 more lent in a burst); facilitate/db.py, engine_options.
    "DATABASE_POOL_SIZE": 20,
    #: Seconds an event waits for a pooled connection before it is refused as unavailable:
    #: less than a phone waits for its answer (15 s, static/js/live.js), so the phone hears
    #: the refusal and sends the write again, rather than giving up on a silent server.
    "DATABASE_POOL_WAIT": 10,
    #: Proxies in front that set X-Forwarded-For/-Proto (nginx: 1). Without it, behind a
    #: proxy every resident has the proxy's address, and per-address limits hit them all.
    "TRUSTED_PROXIES": 0,
    #: With several instances: how often each rewrites its presence in Redis. A killed
    #: instance's residents leave the others' count within about three beats.
    "PRESENCE_HEARTBEAT": 10.0,
    #: At most this often the perspectives analysis of a room is recomputed and sent.
    "PERSPECTIVES_INTERVAL": 3.0,
    #: A room's tallies go out at most four times a second, and in a big room less often,
    #: so that all its residents together get about this many a second (0: always four).
    "TALLY_MESSAGES_PER_SECOND": 2000,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_ENABLED": True,
    "WTF_CSRF_TIME_LIMIT": None,  # a facilitator's console stays open for a whole meeting
    "BABEL_DEFAULT_LOCALE": "sv",
    "BABEL_DEFAULT_TIMEZONE": "Europe/Stockholm",
    #: The UI languages, the default first; each needs a catalog in facilitate/translations.
    "LANGUAGES": list(LANGUAGES),
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_HEADERS_ENABLED": True,
    #: Wrong passwords in a row, per account and address, before the next guess from that
    #: address waits: 1 s, then 2 s, 4 s ... at most LOGIN_MAX_WAIT seconds. Never a lock:
    #: the owner at another address logs in at once (facilitate/auth/throttle.py).
    "LOGIN_FREE_FAILURES": 5,
    "LOGIN_MAX_WAIT": 600,
    #: The login throttle's clock (seconds since the epoch); tests move it instead of sleeping.
    "LOGIN_CLOCK": time.time,
    "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
    #: Each file of a Pol.is import (comments.csv, votes.csv) at most; the largest open-data
    #: conversations are a few MB. The import's request may be twice this (and a little).
    "POLIS_MAX_BYTES": 20 * 1024 * 1024,
    #: Participants one meeting admits; joins beyond it are refused, never per address.
    "MAX_PARTICIPANTS": 5000,
    #: Failed joins (unknown or closed codes) allowed per address, against code guessing.
    "JOIN_FAILURE_LIMIT": "30 per minute",
    #: Mail (facilitate/mail, README): the SMTP server, e.g. smtp://user:pass@host:587
    #: (STARTTLS) or smtps://host:465; None keeps every mail in the outbox, unsent.
    "SMTP_URL": None,
    "MAIL_FROM": "Facilitate <noreply@localhost>",
    #: Where residents reach the service: the links in mails start with it.
    "PUBLIC_URL": "http://127.0.0.1:5000",
    #: How often the server's worker looks for due mail, and how long one SMTP exchange
    #: may take before it is given up and tried later.
    "MAIL_POLL_SECONDS": 5.0,
    "MAIL_TIMEOUT": 20.0,
    #: The sending worker's lease: another instance takes over this long after a crash.
    "MAIL_LEASE_SECONDS": 60,
    #: The first wait before a mail whose attempt failed (or was cut off) goes again;
    #: it doubles with each attempt, to an hour at most.
    "MAIL_RETRY_SECONDS": 60,
    #: Sent and failed mail (the recipient's address with it) is deleted after this.
    "MAIL_KEEP_DAYS": 30,
    #: Sign-ups for mail per client address, against filling the outbox from one place;
    #: generous, since a hall shares one Wi-Fi address.
    "MAIL_SIGNUP_LIMIT": "30 per 10 minutes",
    #: Live writes (contributions, reactions, hands...) per participant: (count, seconds).
    "LIVE_WRITE_LIMIT": (30, 10.0),
}
