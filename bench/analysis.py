"""``python -m bench.analysis [--smoke] [--repeat N] [--json PATH]``: the analysis's timings.

The perspectives analysis (facilitate/perspectives/analysis.py) on synthetic rooms with
planted groups (bench/opinions.py): the size of the largest Pol.is open-data conversations
(2,000 participants × 1,000 statements, about 60,000 answers) against the issue's 2 s, and a
30-person room. Each size runs ``--repeat`` times in this one process; the first run pays
for warming the libraries and counts like the others. ``--smoke`` runs tiny rooms, as the
test does.

Then the room's flush as the live layer runs it (rooms/perspectives.py), on rooms of the same
sizes stored in SQLite (made by the app's migrations and operations, bench/data.py): the
time it spends on the event loop (reading the answers and the deck; storing the analysis
and queueing each audience's view, then committing, which sends them) against the time in
the thread pool (the analysis). The sends reach no socket here: the bench connects no
client, so a real room adds the writes to its phones' sockets.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import sqlalchemy as sa
from sklearn.metrics import adjusted_rand_score
from sqlalchemy.orm import Session

from facilitate import events
from facilitate.perspectives import operations as perspectives_ops
from facilitate.perspectives.analysis import analyse
from rooms.perspectives import read_room, send_room

from .data import Data, migrate
from .opinions import planted

#: The issue's target for the largest conversation, on this 2-core machine.
TARGET_S = 2.0


@dataclass(frozen=True)
class Room:
    name: str
    groups: int
    size: int  # residents per group
    partisan: int
    answered: float  # share of the deck each resident answers


FULL = [
    Room("2,000 × 1,000", groups=5, size=400, partisan=994, answered=0.0285),
    Room("30-person room", groups=3, size=10, partisan=14, answered=0.8),
]
SMOKE = [
    Room("200 × 100", groups=3, size=67, partisan=94, answered=0.1),
    Room("30-person room", groups=3, size=10, partisan=14, answered=0.8),
]


@dataclass(frozen=True)
class Timing:
    room: str
    participants: int
    statements: int
    answers: int
    groups: int
    adjusted_rand: float
    wall_s: list[float]
    cpu_s: list[float]

    @property
    def worst(self) -> float:
        return max(self.wall_s)


def measure(room: Room, repeat: int) -> Timing:
    opinions = planted(
        room.groups, size=room.size, partisan=room.partisan, answered=room.answered, seed=1
    )
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        analysis = analyse(opinions.answers, opinions.statements)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    found = {p: g.id for g in analysis.groups for p in g.members}
    people = sorted(found)
    planted_groups = [opinions.group_of[p] for p in people]
    return Timing(
        room=room.name,
        participants=len(opinions.group_of),
        statements=len(opinions.statements),
        answers=len(opinions.answers),
        groups=len(analysis.groups),
        adjusted_rand=float(adjusted_rand_score(planted_groups, [found[p] for p in people])),
        wall_s=walls,
        cpu_s=cpus,
    )


@dataclass(frozen=True)
class Flush:
    """One room's flushes: each part's wall time per run, in seconds."""

    room: str
    residents: int
    statements: int
    answers: int  # stored: the last per resident and statement
    events: int  # queued per flush: staff, the room, and each phone that answered
    read_s: list[float]  # on the loop: the answers and the deck
    analyse_s: list[float]  # in the thread pool
    send_s: list[float]  # on the loop: store, build each audience's view, commit and send
    #: CPU time of the read and the send together: what the loop cannot give anyone else,
    #: whatever else is running on the machine.
    on_loop_cpu_s: list[float]

    @property
    def on_loop(self) -> list[float]:
        return [r + s for r, s in zip(self.read_s, self.send_s, strict=True)]


def measure_flushes(rooms: list[Room], repeat: int) -> list[Flush]:
    """Each room in one SQLite database made by the migrations, flushed ``repeat`` times
    through the functions the flusher calls, in its order."""
    flushes = []
    with tempfile.TemporaryDirectory(prefix="bench-flush-") as folder:
        instance = Path(folder)
        url = f"sqlite:///{instance / 'bench.db'}"
        migrate(instance, url)
        data = Data(instance, url)
        queued: list[int] = []  # events waiting at each commit: the last flush's count

        def count(db_session: Session) -> None:
            queued.append(len(db_session.info.get(events.PENDING, [])))

        sa.event.listen(Session, "before_commit", count)
        try:
            for room in rooms:
                opinions = planted(
                    room.groups,
                    size=room.size,
                    partisan=room.partisan,
                    answered=room.answered,
                    seed=1,
                )
                meeting_id = data.perspectives_room(opinions, room.name)
                reads, analyses, sends, cpus = [], [], [], []
                queued.clear()
                with data.app.app_context():
                    for _ in range(repeat):
                        start, cpu = time.perf_counter(), time.process_time()
                        read = read_room(meeting_id)
                        if read is None:
                            raise RuntimeError(f"nothing to flush in {room.name}")
                        answers, statement_ids = read
                        reads.append(time.perf_counter() - start)
                        cpus.append(time.process_time() - cpu)
                        start = time.perf_counter()
                        analysis = perspectives_ops.run(answers, statement_ids)
                        analyses.append(time.perf_counter() - start)
                        start, cpu = time.perf_counter(), time.process_time()
                        send_room(meeting_id, analysis, answers, statement_ids)
                        sends.append(time.perf_counter() - start)
                        cpus[-1] += time.process_time() - cpu
                flushes.append(
                    Flush(
                        room=room.name,
                        residents=len(opinions.group_of),
                        statements=len(statement_ids),
                        answers=len(answers),
                        events=queued[-1],
                        read_s=reads,
                        analyse_s=analyses,
                        send_s=sends,
                        on_loop_cpu_s=cpus,
                    )
                )
        finally:
            sa.event.remove(Session, "before_commit", count)
            data.close()
    return flushes


def _ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:,.0f} / {max(values) * 1000:,.0f}"


def flush_table(flushes: list[Flush]) -> str:
    lines = [
        "| room | residents | statements | answers stored | events "
        "| on the loop: read | on the loop: send | in the pool: analyse "
        "| on the loop in all | its CPU |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for f in flushes:
        lines.append(
            f"| {f.room} | {f.residents:,} | {f.statements:,} | {f.answers:,} | {f.events:,} "
            f"| {_ms(f.read_s)} | {_ms(f.send_s)} | {_ms(f.analyse_s)} | {_ms(f.on_loop)} "
            f"| {_ms(f.on_loop_cpu_s)} |"
        )
    return "\n".join(lines)


def table(timings: list[Timing]) -> str:
    lines = [
        "| room | participants | statements | answers | groups (ARI) "
        "| wall ms median / max | CPU ms median |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for t in timings:
        lines.append(
            f"| {t.room} | {t.participants:,} | {t.statements:,} | {t.answers:,} "
            f"| {t.groups} ({t.adjusted_rand:.2f}) "
            f"| {statistics.median(t.wall_s) * 1000:,.0f} / {t.worst * 1000:,.0f} "
            f"| {statistics.median(t.cpu_s) * 1000:,.0f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.analysis", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny rooms, as the test runs")
    parser.add_argument("--repeat", type=int, default=5, help="runs per room")
    parser.add_argument("--json", type=Path, help="write the results here as JSON too")
    args = parser.parse_args(argv)
    timings = [measure(room, args.repeat) for room in (SMOKE if args.smoke else FULL)]
    print(table(timings))
    largest = timings[0]
    holds = largest.worst <= TARGET_S
    verdict = f"{'ok' if holds else 'MISSED'}: slowest of {args.repeat} runs "
    verdict += f"{largest.worst:.2f} s ≤ {TARGET_S:.0f} s ({largest.room})"
    print(verdict)
    flushes = measure_flushes(SMOKE if args.smoke else FULL, args.repeat)
    print()
    print("The room's flush (rooms/perspectives.py), ms median / max:")
    print(flush_table(flushes))
    if args.json is not None:
        report = {
            "timings": [asdict(t) for t in timings],
            "verdict": verdict,
            "flushes": [asdict(f) | {"on_loop_s": f.on_loop} for f in flushes],
        }
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    return 0 if holds or args.smoke else 1


if __name__ == "__main__":
    sys.exit(main())
