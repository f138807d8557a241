"""``python -m bench.polis_compare [--json PATH] DIR...``: our opinion groups against Pol.is's.

Each DIR is one conversation folder of Pol.is's open data (``compdemocracy/openData``:
``comments.csv``, ``votes.csv``, ``participants-votes.csv``). The answers are rebuilt from
``votes.csv`` (the last vote per voter and comment wins; votes arrive in time order, as Pol.is's
math reads them), comments moderated out (``moderated`` -1) leave the deck as Pol.is's
``mod-out`` takes them out, and ``facilitate.perspectives.analysis.analyse`` groups the
participants. The groups are compared with the ``group-id`` Pol.is exported per participant:
the adjusted Rand index over the participants both placed, how many each placed, and how many
groups each found. Where a folder has no ``votes.csv`` (the largest are left out of the Git
snapshot), the answer matrix of ``participants-votes.csv`` stands in for it.

The data is not part of this repository; fetch it first, e.g. into /tmp/opendata.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from sklearn.metrics import adjusted_rand_score

from facilitate.perspectives.analysis import analyse

NEEDED = ("comments.csv", "participants-votes.csv")

# Some exports carry long comment bodies.
csv.field_size_limit(sys.maxsize)


@dataclass(frozen=True)
class Comparison:
    conversation: str
    participants: int  # everyone who voted
    statements: int  # comments left in the deck
    answers: int  # (voter, comment) pairs after the last vote wins
    polis_placed: int
    ours_placed: int
    both_placed: int
    polis_groups: int
    our_groups: int
    adjusted_rand: float
    seconds: float


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _answers(folder: Path) -> list[tuple[int, int, int]]:
    votes = folder / "votes.csv"
    if votes.exists():
        rows = _rows(votes)
        # Stable: votes in the same millisecond keep the file's order.
        rows.sort(key=lambda r: int(r["timestamp"]))
        return [(int(r["voter-id"]), int(r["comment-id"]), int(r["vote"])) for r in rows]
    answers = []
    for row in _rows(folder / "participants-votes.csv"):
        for key, value in row.items():
            if key.isdigit() and value not in ("", None):
                answers.append((int(row["participant"]), int(key), int(float(value))))
    return answers


def compare(folder: Path) -> Comparison:
    comments = _rows(folder / "comments.csv")
    deck = [int(c["comment-id"]) for c in comments if int(c["moderated"]) != -1]
    answers = _answers(folder)
    polis = {
        int(r["participant"]): int(r["group-id"])
        for r in _rows(folder / "participants-votes.csv")
        if r["group-id"] not in ("", None)
    }
    started = time.perf_counter()
    result = analyse(answers, deck)
    seconds = time.perf_counter() - started
    ours = {p: g.id for g in result.groups for p in g.members}
    both = sorted(set(polis) & set(ours))
    ari = (
        adjusted_rand_score([polis[p] for p in both], [ours[p] for p in both])
        if both
        else float("nan")
    )
    return Comparison(
        conversation=folder.name,
        participants=len({a[0] for a in answers}),
        statements=len(deck),
        answers=len({(a[0], a[1]) for a in answers}),
        polis_placed=len(polis),
        ours_placed=len(ours),
        both_placed=len(both),
        polis_groups=len(set(polis.values())),
        our_groups=len(result.groups),
        adjusted_rand=ari,
        seconds=seconds,
    )


def _table(results: list[Comparison]) -> str:
    lines = [
        f"{'conversation':<42} {'ptpts':>6} {'cmts':>5} {'Pol.is':>6} {'ours':>6} "
        f"{'both':>6} {'k P/o':>5} {'ARI':>5} {'s':>5}"
    ]
    for r in results:
        lines.append(
            f"{r.conversation[:42]:<42} {r.participants:>6} {r.statements:>5} "
            f"{r.polis_placed:>6} {r.ours_placed:>6} {r.both_placed:>6} "
            f"{f'{r.polis_groups}/{r.our_groups}':>5} {r.adjusted_rand:>5.2f} {r.seconds:>5.2f}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("folders", nargs="+", type=Path, metavar="DIR")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    results = []
    for folder in args.folders:
        missing = [n for n in NEEDED if not (folder / n).exists()]
        if missing:
            print(f"{folder}: skipped, no {', '.join(missing)}", file=sys.stderr)
            continue
        results.append(compare(folder))
    print(_table(results))
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
