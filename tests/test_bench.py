"""The benchmark's harness at a tiny scale: every scenario runs and yields sound results.

`make bench` runs it at full scale (docs/performance.md); here each scenario runs with a
handful of residents, and only what cannot be flaky is asserted: every scenario produced
its measures, every write was acknowledged, none was lost or duplicated, nobody dropped;
after the reconnect wave everyone had exactly one fresh state. The latency and CPU
targets are the full run's business, not this test's.
"""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from processes import ROOT

SCENARIOS = [
    "1 hall storm",
    "2 town hall",
    "3 many rooms",
    "4 join storm",
    "5 baseline",
    "6 reconnect wave",
]


def bench(out: Path, *arguments: str, env: dict[str, str] | None = None) -> str:
    """``python -m bench --smoke ... --json out``; its output, once it has succeeded."""
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke", *arguments, "--json", str(out)],
        cwd=ROOT,
        env=os.environ | (env or {}),
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.mark.soak  # six servers and their data, about two minutes, out of make test
def test_bench_smoke(tmp_path: Path, postgres_admin: str, redis_url: str) -> None:
    out = tmp_path / "bench.json"
    # The town hall's PostgreSQL and Redis: the session's, embedded ones included.
    stdout = bench(out, env={"TEST_POSTGRES_URL": postgres_admin, "TEST_REDIS_URL": redis_url})
    report = json.loads(out.read_text())
    assert report["failed"] == []
    results = {r["name"]: r for r in report["results"]}
    assert sorted(results) == SCENARIOS
    for name, result in results.items():
        assert result["writes_ok"] == result["residents"] or name == "3 many rooms", result
        assert result["writes_ok"] > 0, result
        assert result["writes_refused"] == 0, result
        assert (result["lost"], result["duplicated"], result["dropped"]) == (0, 0, 0), result
        assert result["messages_per_second"] > 0, result
        assert result["peak_rss"] > 0, result
        for label, values in result["latencies"].items():
            assert not any(math.isnan(v) for v in values), (name, label, values)
    for name in ("1 hall storm", "5 baseline", "6 reconnect wave"):
        assert results[name]["connect_cpu_ms"] >= 0, results[name]
        assert results[name]["write_cpu_ms"] >= 0, results[name]
    # The hall storm is held to the floor of the same run.
    assert results["1 hall storm"]["cpu_ratio"] > 0
    assert any("connect ≤ 1.0 ms" in v for v in report["verdicts"]["1 hall storm"])
    assert any("fresh state" in v for v in report["verdicts"]["6 reconnect wave"])
    # The table is printed for a person too.
    assert "| 1 hall storm |" in stdout
    assert "| 6 reconnect wave |" in stdout


@pytest.mark.soak  # the same scenarios as above, three sizes each: about a minute more
def test_bench_sweep_smoke(tmp_path: Path) -> None:
    out = tmp_path / "sweep.json"
    stdout = bench(out, "--sweep", "--set", "hall=10")
    report = json.loads(out.read_text())
    assert report["failed"] == []
    results = {r["name"]: r for r in report["results"]}
    assert sorted(results) == sorted(
        f"{name} at {n}" for name in ("1 hall storm", "5 baseline") for n in (10, 20, 30)
    )
    for name, result in results.items():
        assert (result["lost"], result["duplicated"], result["dropped"]) == (0, 0, 0), name
        if name.startswith("1"):
            assert result["cpu_ratio"] > 0, result
    # Whether the servers had cores of their own is said, on this machine or any other.
    assert report["pinning"].startswith(("pinned", "not pinned"))
    assert f"The sweep ({report['pinning']})" in stdout
    for n in (10, 20, 30):
        assert f"\n| {n} | " in stdout


def test_bench_analysis_smoke(tmp_path: Path) -> None:
    from bench import analysis

    out = tmp_path / "analysis.json"
    assert analysis.main(["--smoke", "--repeat", "1", "--json", str(out)]) == 0
    report = json.loads(out.read_text())
    rooms = {t["room"]: t for t in report["timings"]}
    assert sorted(rooms) == ["200 × 100", "30-person room"]
    for timing in rooms.values():
        assert timing["groups"] >= 2, timing
        assert len(timing["wall_s"]) == 1
        assert timing["wall_s"][0] > 0
    # The room's flush, on the loop and off it, for each room stored in SQLite.
    flushes = {f["room"]: f for f in report["flushes"]}
    assert sorted(flushes) == ["200 × 100", "30-person room"]
    for flush in flushes.values():
        assert flush["answers"] > 0, flush
        assert flush["events"] == flush["residents"] + 2, flush
        for part in ("read_s", "analyse_s", "send_s", "on_loop_s", "on_loop_cpu_s"):
            assert len(flush[part]) == 1, (part, flush)
            assert flush[part][0] > 0, (part, flush)


def test_bench_inprocess_counts_every_connect_and_vote() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench.inprocess", "12"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "12 residents in one process" in done.stdout
    assert "12 votes stored" in done.stdout
    figures = [float(f) for f in re.findall(r"([0-9.]+) ms", done.stdout)]
    assert len(figures) == 2
    assert all(figure > 0 for figure in figures), figures
