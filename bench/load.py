"""The load generator: worker processes, each running many asyncio Socket.IO residents.

One process cannot receive fast enough for a thousand phones, so the parent (``Fleet``)
spreads the residents over several workers and steps them together through phases with
commands on a pipe: connect, vote, wait for the final tally, write, check deliveries,
reconnect, close. Each command is bounded in time; each resident's loop in count and
time. Times are ``time.monotonic()``, which on Linux is one clock for every process of
the machine.
"""

from __future__ import annotations

import asyncio
import math
import multiprocessing
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

import aiohttp
import socketio  # type: ignore[import-untyped]

NS = "/live"
#: How long a command may run beyond its own schedule before the parent gives up.
GRACE = 60.0
#: How long a worker waits for its next command before it gives up and ends.
IDLE = 900.0


@dataclass(frozen=True)
class Spec:
    """One resident: where it connects and what it does there."""

    url: str
    meeting_id: int
    #: Joined over HTTP (``POST /api/v1/join``) when given, else ``token`` is used as is.
    join_code: str | None
    token: str | None = None
    proposal_id: int | None = None


@dataclass
class Resident:
    spec: Spec
    client: Any = None
    #: The participant token it connects with: the spec's, or the one its join gave.
    token: str | None = None
    state: asyncio.Event = field(default_factory=asyncio.Event)
    #: How many ``state``s it heard on its current connection.
    states: int = 0
    #: Set while it drops its connection on purpose, which is no dropped connection.
    leaving: bool = False
    dropped: bool = False
    #: Each ``tally`` heard: (when, ballots); and the last one whole.
    tallies: list[tuple[float, int]] = field(default_factory=list)
    last_tally: dict[str, Any] | None = None
    #: How often each contribution id was heard, and each one's delivery latency.
    heard: Counter[int] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    events: int = 0

    async def hear(self, event: str, data: Any) -> None:
        now = time.monotonic()
        self.events += 1
        if event == "state":
            self.states += 1
            self.state.set()
            if isinstance(data, dict) and isinstance(data.get("tally"), dict):
                self._tally(now, data["tally"])
        elif event == "tally" and isinstance(data, dict):
            self._tally(now, data)
        elif event == "contribution" and isinstance(data, dict):
            self.heard[data["id"]] += 1
            sent = _sent_at(data.get("text", ""))
            if sent is not None:
                self.latencies.append(now - sent)

    def _tally(self, now: float, data: dict[str, Any]) -> None:
        self.tallies.append((now, int(data.get("ballots", 0))))
        self.last_tally = data


def _sent_at(text: str) -> float | None:
    """The send time a bench contribution carries: ``bench <monotonic seconds> ...``."""
    parts = text.split()
    if len(parts) < 2 or parts[0] != "bench":
        return None
    try:
        return float(parts[1])
    except ValueError:
        return None


async def _until(moment: float) -> None:
    await asyncio.sleep(max(0.0, moment - time.monotonic()))


async def _wait_for(condition: Callable[[], bool], timeout: float, step: float) -> bool:
    """Whether ``condition`` came true within ``timeout`` s, looking every ``step`` s."""
    deadline = time.monotonic() + timeout
    for _ in range(math.ceil(timeout / step) + 1):
        if condition():
            return True
        if time.monotonic() >= deadline:
            break
        await asyncio.sleep(step)
    return condition()


class Worker:
    """The residents of one process, and what each command makes them do."""

    def __init__(self, number: int, specs: Sequence[Spec], http: aiohttp.ClientSession) -> None:
        self.number = number
        self.residents = [Resident(spec) for spec in specs]
        self.http = http
        self.random = random.Random(number)

    def _offsets(self, spread: float) -> list[float]:
        return [self.random.uniform(0, spread) for _ in self.residents]

    def _events(self) -> int:
        heard = sum(r.events for r in self.residents)
        for resident in self.residents:
            resident.events = 0
        return heard

    # -- connect ----------------------------------------------------------------------------

    async def connect(
        self, start_at: float, spread: float, parallel: int, deadline: float
    ) -> dict[str, Any]:
        """Everyone joins and connects, ``parallel`` at a time, spread over ``spread`` s;
        whoever has not heard ``state`` by ``deadline`` has failed."""
        gate = asyncio.Semaphore(parallel)
        offsets = self._offsets(spread)
        timings = await asyncio.gather(
            *(
                self._connect_one(r, start_at + offset, gate, deadline)
                for r, offset in zip(self.residents, offsets, strict=True)
            )
        )
        return {"timings": timings, "events": self._events()}

    async def _connect_one(
        self, resident: Resident, moment: float, gate: asyncio.Semaphore, deadline: float
    ) -> tuple[float, float, float, str]:
        """(started, joined over HTTP, ``state`` heard, error or ""); started once through
        the gate, so the time queued on the client's side is not counted."""
        await _until(moment)
        started = joined = math.nan  # joined: when the HTTP join answers (at once, with a token)
        try:
            async with asyncio.timeout(max(0.0, deadline - time.monotonic())), gate:
                started = time.monotonic()
                token = resident.spec.token
                if resident.spec.join_code is not None:
                    token = await self._join(resident.spec)
                joined = time.monotonic()
                resident.token = token
                await self._socket(resident, token)
                await resident.state.wait()
        except Exception as error:  # every failure is counted, none stops the run
            return started, joined, math.nan, type(error).__name__
        return started, joined, time.monotonic(), ""

    async def _join(self, spec: Spec) -> str:
        async with self.http.post(
            f"{spec.url}/api/v1/join", json={"join_code": spec.join_code}
        ) as response:
            if response.status != 201:
                raise RuntimeError(f"join answered {response.status}")
            body = await response.json()
            token: str = body["participant_token"]
            return token

    async def _socket(self, resident: Resident, token: str | None) -> None:
        client = socketio.AsyncClient(reconnection=False, http_session=self.http)
        client.on("*", resident.hear, namespace=NS)

        def dropped() -> None:
            # Not when it leaves on purpose, nor late from a connection it already left.
            if resident.client is client and not resident.leaving:
                resident.dropped = True

        client.on("disconnect", dropped, namespace=NS)
        resident.client = client
        await client.connect(
            resident.spec.url,
            namespaces=[NS],
            auth={"token": token},
            transports=["websocket"],
            wait_timeout=30,
        )

    def _connected(self) -> list[Resident]:
        return [r for r in self.residents if r.state.is_set() and r.client is not None]

    # -- the storm --------------------------------------------------------------------------

    async def vote(self, start_at: float, spread: float, timeout: float) -> dict[str, Any]:
        residents = self._connected()
        offsets = self._offsets(spread)
        acks = await asyncio.gather(
            *(
                self._vote_one(n, r, start_at + offset, timeout)
                for n, (r, offset) in enumerate(zip(residents, offsets, strict=False))
            )
        )
        return {"acks": acks, "events": self._events()}

    async def _vote_one(
        self, n: int, resident: Resident, moment: float, timeout: float
    ) -> tuple[float, float, bool, str]:
        """(sent, acknowledged, ok, error code or "")."""
        await _until(moment)
        payload = {
            "client_id": f"v{self.number}-{n}",
            "proposal_id": resident.spec.proposal_id,
            "value": 1,
        }
        return await self._call(resident, "vote_cast", payload, timeout)

    async def _call(
        self, resident: Resident, event: str, payload: dict[str, Any], timeout: float
    ) -> tuple[float, float, bool, str]:
        sent = time.monotonic()
        try:
            ack = await resident.client.call(event, payload, namespace=NS, timeout=timeout)
        except Exception as error:  # a timeout or a dropped connection: a failed write
            return sent, time.monotonic(), False, type(error).__name__
        done = time.monotonic()
        if isinstance(ack, dict) and ack.get("ok"):
            return sent, done, True, str(ack.get("id", ""))
        code = ack.get("error", {}).get("code", "?") if isinstance(ack, dict) else "?"
        return sent, done, False, str(code)

    async def final(self, expected: int, timeout: float) -> dict[str, Any]:
        """Wait until every resident has heard a tally of ``expected`` ballots."""
        residents = self._connected()
        await _wait_for(
            lambda: all(r.tallies and r.tallies[-1][1] >= expected for r in residents),
            timeout,
            0.01,
        )
        seen = []
        for resident in residents:
            first = next((t for t, ballots in resident.tallies if ballots >= expected), math.nan)
            most = max((ballots for _, ballots in resident.tallies), default=0)
            seen.append((first, most, resident.last_tally, len(resident.tallies)))
        return {"seen": seen, "events": self._events()}

    # -- many rooms -------------------------------------------------------------------------

    async def write(
        self, start_at: float, duration: float, interval: float, timeout: float
    ) -> dict[str, Any]:
        residents = self._connected()
        acks = await asyncio.gather(
            *(
                self._write_loop(n, r, start_at, duration, interval, timeout)
                for n, r in enumerate(residents)
            )
        )
        return {"acks": acks, "events": self._events()}

    async def _write_loop(
        self,
        n: int,
        resident: Resident,
        start_at: float,
        duration: float,
        interval: float,
        timeout: float,
    ) -> list[tuple[int, float, float, bool, str]]:
        """Contributions about every ``interval`` s until ``duration`` is over."""
        end = start_at + duration
        moment = start_at + self.random.uniform(0, interval)
        most = math.ceil(2 * duration / interval) + 1  # the bound on the count
        acks = []
        for seq in range(most):
            if moment >= end:
                break
            await _until(moment)
            text = f"bench {time.monotonic():.6f} w{self.number} r{n} #{seq}"
            payload = {"client_id": f"w{self.number}-{n}-{seq}", "text": text}
            ack = await self._call(resident, "contribution_add", payload, timeout)
            acks.append((resident.spec.meeting_id, *ack))
            moment += self.random.uniform(0.5, 1.5) * interval
        return acks

    async def deliveries(self, expected: dict[int, set[int]], timeout: float) -> dict[str, Any]:
        """Wait until each resident heard every contribution of its meeting, then count."""
        residents = self._connected()
        await _wait_for(
            lambda: all(expected[r.spec.meeting_id] <= r.heard.keys() for r in residents),
            timeout,
            0.05,
        )
        lost = duplicated = extra = 0
        latencies: list[float] = []
        for resident in residents:
            want = expected[resident.spec.meeting_id]
            lost += len(want - resident.heard.keys())
            extra += len(resident.heard.keys() - want)
            duplicated += sum(times - 1 for times in resident.heard.values() if times > 1)
            latencies.extend(resident.latencies)
        return {
            "lost": lost,
            "duplicated": duplicated,
            "extra": extra,
            "latencies": latencies,
            "events": self._events(),
        }

    # -- the reconnect wave -----------------------------------------------------------------

    async def reconnect(
        self, drop_at: float, spread: float, deadline: float, settle: float
    ) -> dict[str, Any]:
        """Everyone drops its connection at ``drop_at`` and reconnects with the same token
        at random within ``spread`` s, as phones do after a Wi-Fi blip; after ``settle`` s
        more, how many ``state``s each one heard on its new connection."""
        residents = self._connected()
        offsets = self._offsets(spread)
        timings = await asyncio.gather(
            *(
                self._reconnect_one(r, drop_at, drop_at + offset, deadline)
                for r, offset in zip(residents, offsets, strict=False)
            )
        )
        # A second ``state`` would come after the first, when nothing else is going on.
        await asyncio.sleep(settle)
        return {
            "timings": timings,
            "states": [r.states for r in residents],
            "events": self._events(),
        }

    async def _reconnect_one(
        self, resident: Resident, drop_at: float, moment: float, deadline: float
    ) -> tuple[float, float, str]:
        """(reconnect started, fresh ``state`` heard, error or "")."""
        await _until(drop_at)
        resident.leaving = True
        started = math.nan
        try:
            async with asyncio.timeout(max(0.0, deadline - time.monotonic())):
                await resident.client.disconnect()
                resident.client = None
                resident.state.clear()
                resident.states = 0
                resident.leaving = False
                await _until(moment)
                started = time.monotonic()
                await self._socket(resident, resident.token)
                await resident.state.wait()
        except Exception as error:  # every failure is counted, none stops the run
            return started, math.nan, type(error).__name__
        return started, time.monotonic(), ""

    async def close(self) -> dict[str, Any]:
        dropped = sum(r.dropped for r in self.residents if r.state.is_set())
        clients = [r.client for r in self.residents if r.client is not None]
        for start in range(0, len(clients), 50):
            batch = clients[start : start + 50]
            await asyncio.wait_for(
                asyncio.gather(*(c.disconnect() for c in batch), return_exceptions=True), 30
            )
        return {"dropped": dropped}


async def _serve(number: int, specs: Sequence[Spec], pipe: Connection) -> None:
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as http:
        worker = Worker(number, specs, http)
        commands: dict[str, Callable[..., Awaitable[dict[str, Any]]]] = {
            "connect": worker.connect,
            "vote": worker.vote,
            "final": worker.final,
            "write": worker.write,
            "deliveries": worker.deliveries,
            "reconnect": worker.reconnect,
        }
        # Bounded: the parent sends a handful of commands and then "close".
        for _ in range(100):
            if not await asyncio.to_thread(pipe.poll, IDLE):
                return  # the parent is gone or stuck: stop rather than linger
            name, arguments = pipe.recv()
            if name == "close":
                pipe.send(await worker.close())
                return
            pipe.send(await commands[name](**arguments))


def work(number: int, specs: Sequence[Spec], pipe: Connection) -> None:
    """A worker process's entry point."""
    asyncio.run(_serve(number, specs, pipe))


class Fleet:
    """The parent's side: ``workers`` processes sharing ``specs``, stepped together."""

    def __init__(self, specs: Sequence[Spec], workers: int) -> None:
        context = multiprocessing.get_context("spawn")
        self.count = max(1, min(workers, len(specs)))
        self.pipes: list[Connection] = []
        self.processes = []
        for number in range(self.count):
            mine, theirs = context.Pipe()
            process = context.Process(
                target=work, args=(number, specs[number :: self.count], theirs), daemon=True
            )
            process.start()
            self.pipes.append(mine)
            self.processes.append(process)

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.processes if p.pid is not None]

    def command(self, name: str, within: float, **arguments: Any) -> list[dict[str, Any]]:
        """Send ``name`` to every worker; each one's answer, within ``within`` seconds."""
        for pipe in self.pipes:
            pipe.send((name, arguments))
        deadline = time.monotonic() + within
        answers = []
        for pipe in self.pipes:
            if not pipe.poll(max(0.0, deadline - time.monotonic())):
                raise TimeoutError(f"a worker did not answer {name!r} within {within} s")
            answers.append(pipe.recv())
        return answers

    def close(self) -> int:
        """Disconnect everyone and end the workers; how many connections had dropped."""
        dropped = 0
        try:
            dropped = sum(a["dropped"] for a in self.command("close", GRACE))
        finally:
            for process in self.processes:
                process.join(timeout=10)
                if process.is_alive():
                    process.kill()
                    process.join(timeout=5)
        return dropped
