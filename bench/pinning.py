"""Cores of their own for the server under test, where the machine has enough of them.

On 2 cores the servers and the load generator share both, so a latency includes waiting
for a core; with 4 or more, the sweep (``--sweep``) pins the server processes to one core
each and the load generator (and this process) to the rest, so the server's curve is its
own and not the load generator's.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import psutil

#: Below this many usable cores the servers would be left a core too few to be worth it.
LEAST_CORES = 4


def usable_cores() -> list[int]:
    """The cores this process may run on (a container or taskset may allow fewer)."""
    return sorted(os.sched_getaffinity(0))


@dataclass(frozen=True)
class Plan:
    server: tuple[int, ...]
    load: tuple[int, ...]

    def describe(self) -> str:
        return (
            f"pinned: the server on core(s) {_cores(self.server)}, "
            f"the load generator on {_cores(self.load)}"
        )


def _cores(cores: Sequence[int]) -> str:
    return ", ".join(str(c) for c in cores)


def plan(servers: int) -> Plan | None:
    """One core per server process and the rest for the load generator, or None."""
    cores = usable_cores()
    if len(cores) < max(LEAST_CORES, servers + 2):
        return None
    return Plan(server=tuple(cores[:servers]), load=tuple(cores[servers:]))


def not_pinned() -> str:
    cores = len(usable_cores())
    return f"not pinned: {cores} usable cores (pinning needs {LEAST_CORES})"


def _pin(pid: int, cores: Sequence[int]) -> None:
    try:
        process = psutil.Process(pid)
        for each in [process, *process.children(recursive=True)]:
            each.cpu_affinity(list(cores))
    except psutil.NoSuchProcess:
        return  # gone already: its scenario reports the failure


@contextmanager
def pinned(plan: Plan | None, servers: Sequence[int], load: Sequence[int]) -> Iterator[None]:
    """``servers`` (with their children) on the plan's server cores, ``load`` and this
    process on the others, until the block ends; nothing at all without a plan."""
    if plan is None:
        yield
        return
    before = os.sched_getaffinity(0)
    for pid in servers:
        _pin(pid, plan.server)
    for pid in load:
        _pin(pid, plan.load)
    os.sched_setaffinity(0, plan.load)
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)
