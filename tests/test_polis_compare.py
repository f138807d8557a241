"""bench.polis_compare on a tiny conversation in Pol.is's open-data layout.

The real data stays outside the repository; here a two-camp conversation is written as
Pol.is exports one, with changed votes and a moderated-out comment, and the comparison must
find the camps Pol.is "published".
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from processes import ROOT


def _write(path: Path, header: list[str], rows: list[list[object]]) -> None:
    lines = [",".join(header)] + [",".join(str(v) for v in row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _conversation(folder: Path) -> None:
    folder.mkdir()
    comments = range(10)
    _write(
        folder / "comments.csv",
        [
            "timestamp",
            "datetime",
            "comment-id",
            "author-id",
            "agrees",
            "disagrees",
            "moderated",
            "comment-body",
        ],
        [[0, "x", c, 0, 0, 0, -1 if c == 9 else 1, f"Statement {c}"] for c in comments],
    )
    votes: list[list[object]] = []
    time = 1000
    for p in range(24):
        camp = 1 if p % 2 else -1
        for c in comments:
            time += 1
            # Comment 0 is answered twice: one answer per voter and comment counts.
            if c == 0:
                votes.append([time, "x", c, p, -camp])
                time += 1
            votes.append([time, "x", c, p, camp if c % 3 else -camp])
    _write(folder / "votes.csv", ["timestamp", "datetime", "comment-id", "voter-id", "vote"], votes)
    _write(
        folder / "participants-votes.csv",
        ["participant", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree"],
        [[p, p % 2, 0, 10, 0, 0] for p in range(24)],
    )


def test_polis_compare_finds_published_camps(tmp_path: Path) -> None:
    _conversation(tmp_path / "two-camps")
    out = tmp_path / "compare.json"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.polis_compare",
            "--json",
            str(out),
            str(tmp_path / "two-camps"),
            str(tmp_path / "missing"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert "missing: skipped" in done.stderr
    [result] = json.loads(out.read_text())
    assert result["conversation"] == "two-camps"
    assert result["statements"] == 9
    assert result["answers"] == 24 * 10
    assert result["polis_placed"] == result["ours_placed"] == result["both_placed"] == 24
    assert result["polis_groups"] == result["our_groups"] == 2
    assert result["adjusted_rand"] == 1.0
