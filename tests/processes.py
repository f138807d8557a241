"""Helpers for tests that run the app as a real process, the way an operator does."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLASK = [sys.executable, "-m", "flask", "--app", "wsgi"]
ASYNC_MODES = ("gevent", "eventlet", "threading")
#: The default SQLite file in an instance folder (facilitate/config.py).
DATABASE = "facilitate.db"

#: Settings a developer's shell may have that would leak into the process under test.
_CLEARED = (
    "SECRET_KEY",
    "DATABASE_URL",
    "SOCKETIO_MESSAGE_QUEUE",
    "SOCKETIO_CHANNEL",
    "HOST",
    "PORT",
    "ASYNC_MODE",
    "INSTANCE_PATH",
    "HTTPS",
    "FACILITATE_SERVING",
    "FLASK_APP",
    "PSYCOPG_WAIT_FUNC",
)


def app_env(instance: Path, **overrides: str) -> dict[str, str]:
    """The environment for a process using ``instance`` and its default SQLite file."""
    env = {k: v for k, v in os.environ.items() if k not in _CLEARED}
    env["INSTANCE_PATH"] = str(instance)
    env["PYTHONUNBUFFERED"] = "1"
    env.update(overrides)
    return env


def run_flask(
    *args: str, env: Mapping[str, str], stdin: str = "", timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*FLASK, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=dict(env),
        cwd=ROOT,
        timeout=timeout,
        check=False,
    )


def copy_database(database: Path, instance: Path) -> Path:
    """A copy of the SQLite ``database`` as ``instance``'s default one. The commands that
    made it closed it cleanly, so the file alone holds it (no -wal left); a copy saves a
    test two runs of the app (``flask db upgrade``, ``flask demo``: about 6 s)."""
    for made in database.parent.glob(f"{database.name}*"):
        shutil.copy(made, instance / made.name.replace(database.name, DATABASE))
    return instance / DATABASE


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited early with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing listened on port {port} within {timeout} s")


@contextmanager
def serving(env: Mapping[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """Run ``python wsgi.py`` until the block ends; always stopped, killed if need be."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "wsgi.py"],
            cwd=ROOT,
            env=dict(env),
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        try:
            wait_for_port(int(env["PORT"]), process)
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


@contextmanager
def instances(
    tmp_path: Path,
    common: Mapping[str, str],
    names: tuple[str, ...] = ("a", "b"),
    started: dict[str, subprocess.Popen[bytes]] | None = None,
) -> Iterator[dict[str, str]]:
    """Several ``serving`` instances sharing ``common`` settings, each on its own port:
    their URLs by name (and their processes in ``started``, for a test that kills one).
    Their logs are printed afterwards (pytest shows them on failure)."""
    urls = {}
    logs = {name: tmp_path / f"server-{name}.log" for name in names}
    try:
        with ExitStack() as stack:
            for name, log in logs.items():
                port = free_port()
                process = stack.enter_context(
                    serving(app_env(tmp_path, PORT=str(port), **common), log)
                )
                if started is not None:
                    started[name] = process
                urls[name] = f"http://127.0.0.1:{port}"
            yield urls
    finally:
        for name, log in logs.items():
            if log.exists():
                print(f"-- instance {name} --", log.read_text(errors="replace"), sep="\n")


def http_status(url: str) -> int:
    """The status of a GET of ``url``, errors included."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 -- http only
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code
