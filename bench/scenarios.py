"""The six scenarios: each sets up its database and servers, drives a fleet of residents
through its phases, and returns one ``Result`` with its measures and its checks."""

from __future__ import annotations

import json
import math
import secrets
import statistics
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.services import configured_redis

from .data import Data, Room, migrate, postgres_database
from .load import GRACE, Fleet, Spec
from .pinning import not_pinned, pinned, plan
from .servers import SECRET, Usage, Watch, baseline_server, facilitate_servers

#: The baseline server takes anyone: no join, no identity.
BASELINE_TOKEN = "anyone"  # noqa: S105 -- not a secret: the baseline checks nothing


@dataclass(frozen=True)
class Params:
    """How large each scenario is; ``FULL`` is the issue's, ``SMOKE`` the test's."""

    hall: int = 1000
    townhall: int = 2000
    rooms: int = 20
    per_room: int = 50
    write_seconds: float = 60.0
    #: A resident writes about once per this many seconds (0.5x to 1.5x at random).
    write_interval: float = 10.0
    #: The town hall's instances, and whether they share the Redis message queue (1 or 0):
    #: one instance with and without it tells PostgreSQL's cost from the queue's.
    townhall_instances: int = 2
    townhall_queue: int = 1
    joins: int = 1000
    join_seconds: float = 10.0
    vote_seconds: float = 5.0
    #: The reconnect wave: residents, and the seconds within which they all reconnect.
    reconnect: int = 1000
    reconnect_seconds: float = 5.0
    workers: int = 4
    #: Whether the storms pin the servers and the load generator to cores of their own
    #: (1 or 0), where there are enough (bench/pinning.py); ``--sweep`` sets it.
    pin: int = 0


FULL = Params()
SMOKE = Params(
    hall=20,
    townhall=20,
    rooms=2,
    per_room=5,
    write_seconds=3.0,
    write_interval=1.0,
    joins=20,
    join_seconds=2.0,
    vote_seconds=1.0,
    reconnect=20,
    reconnect_seconds=1.0,
    workers=2,
)


@dataclass
class Result:
    name: str
    residents: int
    #: Each measured latency: label -> (p50, p95, max) in milliseconds.
    latencies: dict[str, tuple[float, float, float]]
    messages_per_second: float
    cpu_seconds: float
    #: CPU seconds of the busy part alone (the storm, the writing, the joins).
    busy_cpu_seconds: float
    peak_rss: int
    rss_per_resident: float
    writes_ok: int
    writes_refused: int
    lost: int
    duplicated: int
    dropped: int
    notes: list[str] = field(default_factory=list)
    instances: int = 1
    #: Server CPU in ms per resident for connecting (to ``state``), and per write in the
    #: busy part (a vote, a contribution with its deliveries, a reconnect); None where
    #: the scenario does not split them.
    connect_cpu_ms: float | None = None
    write_cpu_ms: float | None = None
    #: The server CPU over that of the same run's baseline (the hall storm's alone).
    cpu_ratio: float | None = None

    def as_json(self) -> dict[str, Any]:
        return self.__dict__.copy()


def spread(values: Sequence[float]) -> tuple[float, float, float]:
    """(p50, p95, max) in milliseconds; NaN for none."""
    clean = sorted(v for v in values if not math.isnan(v))
    if not clean:
        return (math.nan, math.nan, math.nan)
    p95 = clean[min(len(clean) - 1, math.ceil(0.95 * len(clean)) - 1)]
    return (statistics.median(clean) * 1000, p95 * 1000, clean[-1] * 1000)


def milliseconds(values: Sequence[float]) -> str:
    return " / ".join("-" if math.isnan(v) else f"{v:,.0f}" for v in values)


def _usage_fields(usage: Usage, residents: int) -> dict[str, Any]:
    return {
        "cpu_seconds": usage.cpu_seconds,
        "peak_rss": usage.peak_rss,
        "rss_per_resident": (usage.peak_rss - usage.rss_before) / max(1, residents),
    }


def _per_resident(
    notes: list[str], connect_cpu: float, residents: int, busy_cpu: float, writes: int, what: str
) -> dict[str, Any]:
    """The CPU of connecting per resident and of the busy part per ``what``, in ms, noted
    and as the result's fields."""
    connect_ms = 1000 * connect_cpu / max(1, residents)
    write_ms = 1000 * busy_cpu / max(1, writes)
    notes.append(
        f"server CPU per resident: {connect_ms:.2f} ms to connect, {write_ms:.2f} ms per {what}"
    )
    return {"connect_cpu_ms": connect_ms, "write_cpu_ms": write_ms}


@contextmanager
def _database(instance: Path, postgres: bool) -> Iterator[str]:
    if postgres:
        with postgres_database() as url:
            yield url
    else:
        yield f"sqlite:///{instance / 'bench.db'}"


@contextmanager
def _facilitate(
    instance: Path,
    rooms: int,
    *,
    voting: bool,
    instances: int = 1,
    postgres: bool = False,
    queue: bool = False,
) -> Iterator[tuple[Data, list[Room], list[str], list[int]]]:
    """A migrated database with ``rooms`` meetings, served by ``instances`` processes, on
    SQLite or PostgreSQL, with or without the Redis message queue."""
    with ExitStack() as stack:
        url = stack.enter_context(_database(instance, postgres))
        migrate(instance, url)
        data = Data(instance, url)
        stack.callback(data.close)
        made = data.make_rooms(rooms, voting=voting)
        settings = {"DATABASE_URL": url, "SECRET_KEY": SECRET}
        if queue:
            settings["SOCKETIO_MESSAGE_QUEUE"] = configured_redis()
            settings["SOCKETIO_CHANNEL"] = f"facilitate-bench-{secrets.token_hex(6)}"
        servers = stack.enter_context(facilitate_servers(instance, instances, **settings))
        try:
            yield data, made, [u for u, _ in servers], [p.pid for _, p in servers]
        except Exception:
            for log in sorted(instance.glob("server-*.log")):
                tail = log.read_text(errors="replace").splitlines()[-20:]
                print(f"-- the end of {log.name}:", *tail, sep="\n", file=sys.stderr)
            raise


#: How long connecting everyone may take, beyond the spread of the arrivals.
CONNECT_SECONDS = 300.0


def _connect(fleet: Fleet, parallel: int = 20, spread_s: float = 0.0) -> list[Any]:
    start_at = time.monotonic() + 0.2
    deadline = start_at + spread_s + CONNECT_SECONDS
    answers = fleet.command(
        "connect",
        deadline - time.monotonic() + GRACE,
        start_at=start_at,
        spread=spread_s,
        parallel=parallel,
        deadline=deadline,
    )
    return [t for a in answers for t in a["timings"]]


def _phase(fleet: Fleet, name: str, seconds: float, **arguments: Any) -> list[Any]:
    """A phase of ``seconds`` that starts in half a second; each write may take 30 s."""
    start_at = time.monotonic() + 0.5
    within = seconds + 30 + GRACE
    return fleet.command(name, within, start_at=start_at, timeout=30.0, **arguments)


def _connect_all(watch: Watch, fleet: Fleet, notes: list[str]) -> float:
    """Everyone connects, the watch started just before; the CPU seconds that took."""
    watch.start()
    began = time.monotonic()
    timings = _connect(fleet)
    failed = sum(1 for *_, error in timings if error)
    if failed:
        notes.append(f"{failed} of {len(timings)} did not connect")
    cpu = watch.since_start()
    notes.append(
        f"connecting took {time.monotonic() - began:.1f} s and {cpu:.1f} CPU s; "
        f"arrival → state p50/p95/max {milliseconds(spread([t[2] - t[0] for t in timings]))} ms"
    )
    return cpu


# -- 1, 2 and 5: the storm -----------------------------------------------------------------


def _storm(
    name: str,
    specs: list[Spec],
    pids: list[int],
    params: Params,
    stored: Any,
) -> Result:
    """Everyone votes within ``vote_seconds``; ``stored()`` counts the votes afterwards."""
    watch = Watch(pids)
    fleet = Fleet(specs, params.workers)
    notes: list[str] = []
    cores = plan(len(pids)) if params.pin else None
    if params.pin:
        notes.append(cores.describe() if cores else not_pinned())
    try:
        with pinned(cores, pids, fleet.pids):
            connect_cpu = _connect_all(watch, fleet, notes)
            answers = _phase(fleet, "vote", params.vote_seconds, spread=params.vote_seconds)
            acks = [a for answer in answers for a in answer["acks"]]
            ok = sum(1 for _, _, good, _ in acks if good)
            refused = [code for _, _, good, code in acks if not good]
            if refused:
                notes.append(f"refused: {sorted(set(refused))}")
            finals = fleet.command("final", 10 + GRACE, expected=ok, timeout=10.0)
            usage = watch.stop()
        storm_cpu = usage.cpu_seconds - connect_cpu
    finally:
        dropped = fleet.close()
    per_resident = _per_resident(notes, connect_cpu, len(specs), storm_cpu, ok, "vote")
    seen = [s for answer in finals for s in answer["seen"]]
    last_vote = max(sent for sent, *_ in acks)
    first_vote = min(sent for sent, *_ in acks)
    finals_at = [first for first, *_ in seen]
    missing = sum(1 for t in finals_at if math.isnan(t))
    if missing:
        notes.append(f"{missing} residents never heard the final tally")
    heard_more = sum(1 for _, most, _, _ in seen if most > ok)
    tallies = sum(count for *_, count in seen) / max(1, len(seen))
    notes.append(f"{tallies:.1f} tallies heard per resident (state's included)")
    wrong_final = sum(1 for _, _, last, _ in seen if not last or last.get("ballots") != ok)
    in_db = stored()
    events = sum(a["events"] for a in answers) + sum(a["events"] for a in finals)
    end = max((t for t in finals_at if not math.isnan(t)), default=time.monotonic())
    return Result(
        name=name,
        residents=len(specs),
        latencies={
            "vote → ack": spread([ack - sent for sent, ack, good, _ in acks if good]),
            "last vote → final tally": spread([t - last_vote for t in finals_at]),
        },
        messages_per_second=(len(acks) + events) / max(1e-9, end - first_vote),
        busy_cpu_seconds=storm_cpu,
        writes_ok=ok,
        writes_refused=len(refused),
        lost=max(0, ok - in_db) + wrong_final,
        duplicated=max(0, in_db - ok) + heard_more,
        dropped=dropped,
        notes=notes,
        **per_resident,
        **_usage_fields(usage, len(specs)),
    )


def _vote_storm(name: str, residents: int, params: Params, *, scaled_out: bool) -> Result:
    """One meeting's storm: on one instance (SQLite), or scaled out (PostgreSQL, by
    default two instances sharing Redis) with the residents spread evenly over the
    instances, as the sticky proxy does."""
    instances = params.townhall_instances if scaled_out else 1
    queue = scaled_out and bool(params.townhall_queue)
    with (
        tempfile.TemporaryDirectory(prefix="bench-") as tmp,
        _facilitate(
            Path(tmp), 1, voting=True, instances=instances, postgres=scaled_out, queue=queue
        ) as found,
    ):
        data, (room,), urls, pids = found
        proposal_id = room.proposal_id
        if proposal_id is None:
            raise RuntimeError("the town hall's meeting was made without a proposal to vote on")
        # Joined beforehand (the join storm measures joining): the storm's measures start
        # at the first connect, as the baseline's do.
        tokens = data.join(room.meeting_id, residents)
        specs = [
            Spec(urls[n % instances], room.meeting_id, None, token, proposal_id=proposal_id)
            for n, token in enumerate(tokens)
        ]
        result = _storm(name, specs, pids, params, lambda: data.count_votes(proposal_id))
        result.instances = instances
        return result


def hall_storm(params: Params) -> Result:
    """1: one meeting, ``hall`` residents on one instance (SQLite), everyone votes."""
    return _vote_storm("1 hall storm", params.hall, params, scaled_out=False)


def town_hall(params: Params) -> Result:
    """2: ``townhall`` residents in one meeting over two instances, Redis and PostgreSQL."""
    name = "2 town hall"
    if (params.townhall_instances, params.townhall_queue) != (2, 1):
        queue = "Redis" if params.townhall_queue else "no queue"
        name += f" ({params.townhall_instances} × PostgreSQL, {queue})"
    return _vote_storm(name, params.townhall, params, scaled_out=True)


def baseline(params: Params) -> Result:
    """5: the hall storm against the bare Flask-SocketIO server (bench/baseline_server.py)."""
    with (
        tempfile.TemporaryDirectory(prefix="bench-") as tmp,
        baseline_server(Path(tmp)) as (url, process),
    ):
        specs = [Spec(url, 1, None, token=BASELINE_TOKEN, proposal_id=1)] * params.hall

        def stored() -> int:
            with urllib.request.urlopen(f"{url}/count", timeout=10) as response:  # noqa: S310
                votes: int = json.load(response)["votes"]
                return votes

        return _storm("5 baseline", specs, [process.pid], params, stored)


# -- 3: many rooms -------------------------------------------------------------------------


def many_rooms(params: Params) -> Result:
    """3: ``rooms`` meetings of ``per_room`` residents, writing for ``write_seconds``."""
    with (
        tempfile.TemporaryDirectory(prefix="bench-") as tmp,
        _facilitate(Path(tmp), params.rooms, voting=False) as (data, rooms, urls, pids),
    ):
        specs = [
            Spec(urls[0], room.meeting_id, room.join_code)
            for room in rooms
            for _ in range(params.per_room)
        ]
        watch = Watch(pids)
        fleet = Fleet(specs, params.workers)
        notes: list[str] = []
        try:
            connect_cpu = _connect_all(watch, fleet, notes)
            started = time.monotonic() + 0.5
            answers = _phase(
                fleet,
                "write",
                params.write_seconds,
                duration=params.write_seconds,
                interval=params.write_interval,
            )
            acks = [a for answer in answers for loop in answer["acks"] for a in loop]
            expected: dict[int, set[int]] = {room.meeting_id: set() for room in rooms}
            for meeting_id, _, _, good, made in acks:
                if good:
                    expected[meeting_id].add(int(made))
            heard = fleet.command("deliveries", 15 + GRACE, expected=expected, timeout=15.0)
            usage = watch.stop()
            busy = usage.cpu_seconds - connect_cpu
            ended = time.monotonic()
        finally:
            dropped = fleet.close()
        ok = sum(len(ids) for ids in expected.values())
        refused = [code for *_, good, code in acks if not good]
        if refused:
            notes.append(f"refused: {sorted(set(refused))}")
        acked = set().union(*expected.values())
        stored = data.contribution_ids([room.meeting_id for room in rooms])
        lost_in_delivery = sum(h["lost"] for h in heard)
        if lost_in_delivery:
            notes.append(f"{lost_in_delivery} deliveries missing after 15 s")
        events = sum(a["events"] for a in answers) + sum(h["events"] for h in heard)
        per_resident = _per_resident(
            notes, connect_cpu, len(specs), busy, ok, "contribution (its deliveries included)"
        )
        return Result(
            name="3 many rooms",
            residents=len(specs),
            latencies={
                "write → ack": spread([ack - sent for _, sent, ack, good, _ in acks if good]),
                "write → heard by the room": spread([t for h in heard for t in h["latencies"]]),
            },
            messages_per_second=(len(acks) + events) / max(1e-9, ended - started),
            busy_cpu_seconds=busy,
            writes_ok=ok,
            writes_refused=len(refused),
            lost=len(acked - stored) + lost_in_delivery,
            duplicated=sum(h["duplicated"] + h["extra"] for h in heard),
            dropped=dropped,
            notes=notes,
            **per_resident,
            **_usage_fields(usage, len(specs)),
        )


# -- 4: the join storm ---------------------------------------------------------------------


def join_storm(params: Params) -> Result:
    """4: ``joins`` residents join (HTTP join, connect, ``state``) within ``join_seconds``."""
    with (
        tempfile.TemporaryDirectory(prefix="bench-") as tmp,
        _facilitate(Path(tmp), 1, voting=True) as (data, (room,), urls, pids),
    ):
        specs = [Spec(urls[0], room.meeting_id, room.join_code) for _ in range(params.joins)]
        watch = Watch(pids)
        fleet = Fleet(specs, params.workers)
        notes: list[str] = []
        try:
            watch.start()
            timings = _connect(fleet, parallel=params.joins, spread_s=params.join_seconds)
            usage = watch.stop()
        finally:
            dropped = fleet.close()
        failed = [error for *_, error in timings if error]
        if failed:
            notes.append(f"failed: {sorted(set(failed))}")
        joined = [t for t in timings if not math.isnan(t[1])]
        with_state = [t for t in timings if not math.isnan(t[2])]
        stored = data.count_participants([room.meeting_id])
        first = min((s for s, *_ in timings if not math.isnan(s)), default=math.nan)
        last = max((state for _, _, state, _ in with_state), default=first)
        return Result(
            name="4 join storm",
            residents=len(specs),
            latencies={
                "HTTP join": spread([j - s for s, j, _, _ in joined]),
                "join → state": spread([st - s for s, _, st, _ in with_state]),
            },
            messages_per_second=len(with_state) / max(1e-9, last - first),
            busy_cpu_seconds=usage.cpu_seconds,
            writes_ok=len(joined),
            writes_refused=len(timings) - len(joined),
            lost=max(0, len(joined) - stored) + (len(joined) - len(with_state)),
            duplicated=max(0, stored - len(joined)),
            dropped=dropped,
            notes=notes,
            **_usage_fields(usage, len(specs)),
        )


# -- 6: the reconnect wave ----------------------------------------------------------------

#: How long a reconnect may take beyond the spread of the wave, and how long after it a
#: second ``state`` would have to come to be counted.
RECONNECT_DEADLINE = 60.0
RECONNECT_SETTLE = 1.0


def reconnect_wave(params: Params) -> Result:
    """6: ``reconnect`` residents of one meeting connected (SQLite, one instance) all drop
    their connection at once and reconnect with the same token at random within
    ``reconnect_seconds``, as the phones do after a Wi-Fi blip."""
    with (
        tempfile.TemporaryDirectory(prefix="bench-") as tmp,
        _facilitate(Path(tmp), 1, voting=True) as (data, (room,), urls, pids),
    ):
        tokens = data.join(room.meeting_id, params.reconnect)
        specs = [
            Spec(urls[0], room.meeting_id, None, token, proposal_id=room.proposal_id)
            for token in tokens
        ]
        watch = Watch(pids)
        fleet = Fleet(specs, params.workers)
        notes: list[str] = []
        try:
            connect_cpu = _connect_all(watch, fleet, notes)
            drop_at = time.monotonic() + 0.5
            deadline = drop_at + params.reconnect_seconds + RECONNECT_DEADLINE
            answers = fleet.command(
                "reconnect",
                deadline - time.monotonic() + RECONNECT_SETTLE + GRACE,
                drop_at=drop_at,
                spread=params.reconnect_seconds,
                deadline=deadline,
                settle=RECONNECT_SETTLE,
            )
            usage = watch.stop()
        finally:
            dropped = fleet.close()
        wave_cpu = usage.cpu_seconds - connect_cpu
        timings = [t for a in answers for t in a["timings"]]
        states = [n for a in answers for n in a["states"]]
        failed = [error for *_, error in timings if error]
        if failed:
            notes.append(f"failed: {sorted(set(failed))}")
        fresh = [t for t in timings if not math.isnan(t[1])]
        first = min((s for s, _, _ in timings if not math.isnan(s)), default=math.nan)
        last = max((st for _, st, _ in fresh), default=first)
        notes.append(
            f"the wave took {last - drop_at:.1f} s from the drop to the last fresh state, "
            f"and {wave_cpu:.1f} CPU s"
        )
        per_resident = _per_resident(
            notes, connect_cpu, len(specs), wave_cpu, len(fresh), "reconnect"
        )
        events = sum(a["events"] for a in answers)
        return Result(
            name="6 reconnect wave",
            residents=len(specs),
            latencies={"reconnect → state": spread([st - s for s, st, _ in fresh])},
            messages_per_second=events / max(1e-9, last - drop_at),
            busy_cpu_seconds=wave_cpu,
            writes_ok=len(fresh),
            writes_refused=len(timings) - len(fresh),
            # Exactly one fresh ``state`` each: none is a lost one, two a duplicate.
            lost=(len(specs) - len(timings)) + sum(1 for n in states if n == 0),
            duplicated=sum(n - 1 for n in states if n > 1),
            dropped=dropped,
            notes=notes,
            **per_resident,
            **_usage_fields(usage, len(specs)),
        )


SCENARIOS = {
    "hall": hall_storm,
    "townhall": town_hall,
    "rooms": many_rooms,
    "joins": join_storm,
    "baseline": baseline,
    "reconnect": reconnect_wave,
}
