"""The server under test as processes, and a watch on their CPU time and memory.

The app runs as the tests run it (``tests/processes.py``): ``python wsgi.py`` with only
the settings given, here in gevent mode, the default an operator gets.
"""

from __future__ import annotations

import secrets
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import psutil

from tests.processes import ROOT, app_env, free_port, serving, wait_for_port

BASELINE = Path(__file__).resolve().parent / "baseline_server.py"
HOST = "127.0.0.1"
#: Signs the servers' sessions; one for the whole run, so every instance shares it.
SECRET = secrets.token_hex(16)


@contextmanager
def baseline_server(instance: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """bench/baseline_server.py until the block ends; yields (base URL, process)."""
    port = free_port()
    with (instance / "baseline.log").open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, str(BASELINE)],
            cwd=ROOT,
            env=app_env(instance, PORT=str(port)),
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        try:
            wait_for_port(port, process)
            yield f"http://{HOST}:{port}", process
        finally:
            process.kill()
            process.wait(timeout=10)


@contextmanager
def facilitate_servers(
    instance: Path, count: int, **settings: str
) -> Iterator[list[tuple[str, subprocess.Popen[bytes]]]]:
    """``count`` instances of ``python wsgi.py`` (gevent), started as the tests start them;
    yields (base URL, process) for each."""
    with ExitStack() as stack:
        running = []
        for n in range(count):
            port = free_port()
            env = app_env(instance, PORT=str(port), ASYNC_MODE="gevent", **settings)
            process = stack.enter_context(serving(env, instance / f"server-{n}.log"))
            running.append((f"http://{HOST}:{port}", process))
        yield running


@dataclass
class Usage:
    cpu_seconds: float
    peak_rss: int
    rss_before: int


class Watch:
    """CPU seconds (user + system, children included) and the peak of the summed RSS.

    RSS is sampled every ``interval`` seconds on a thread of its own from ``start`` to
    ``stop``; the CPU is the difference between the two moments.
    """

    def __init__(self, pids: Sequence[int], interval: float = 0.05) -> None:
        self._processes = [psutil.Process(pid) for pid in pids]
        self._interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._cpu_start = 0.0
        self.rss_before = 0
        self.peak_rss = 0

    def _all(self) -> list[psutil.Process]:
        found: list[psutil.Process] = []
        for process in self._processes:
            found.append(process)
            try:
                found.extend(process.children(recursive=True))
            except psutil.NoSuchProcess:
                continue
        return found

    def cpu(self) -> float:
        total = 0.0
        for process in self._all():
            try:
                times = process.cpu_times()
            except psutil.NoSuchProcess:
                continue
            total += times.user + times.system
        return total

    def rss(self) -> int:
        total = 0
        for process in self._all():
            try:
                total += process.memory_info().rss
            except psutil.NoSuchProcess:
                continue
        return total

    def start(self) -> None:
        """Before the first connect: note the memory and the CPU used so far."""
        self.rss_before = self.peak_rss = self.rss()
        self._cpu_start = self.cpu()
        self._stop.clear()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        # Bounded by the stop event, and by an hour at the very most.
        deadline = time.monotonic() + 3600
        while not self._stop.wait(self._interval) and time.monotonic() < deadline:
            self.peak_rss = max(self.peak_rss, self.rss())

    def since_start(self) -> float:
        """CPU seconds used since ``start``, so far."""
        return self.cpu() - self._cpu_start

    def stop(self) -> Usage:
        """At the final tally: the CPU used since ``start`` and the peak memory."""
        cpu = self.cpu() - self._cpu_start
        self.peak_rss = max(self.peak_rss, self.rss())
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        return Usage(cpu_seconds=cpu, peak_rss=self.peak_rss, rss_before=self.rss_before)
