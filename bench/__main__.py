"""``python -m bench [SCENARIO ...] [--smoke] [--workers N] [--json PATH]``: run, print a table.

Scenarios: hall, townhall, rooms, joins, baseline (all by default, in that order, the
baseline before the ratio is judged). ``--smoke`` runs each at a tiny scale (the test's).
``BENCH_SCALE=smoke`` in the environment does the same. ``townhall`` needs PostgreSQL and
Redis, at ``TEST_POSTGRES_URL`` and ``TEST_REDIS_URL`` as for the tests (127.0.0.1 by
default); unlike the tests, the bench starts none.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import sys
import traceback
from pathlib import Path

from .scenarios import FULL, SCENARIOS, SMOKE, Result, milliseconds

#: The issue's targets for one instance on a 2-core machine.
ACK_P95_MS = 250.0
FINAL_TALLY_MS = 1000.0
CPU_RATIO = 2.0
RSS_PER_RESIDENT = 150 * 1024


def judge(result: Result, floor: Result | None) -> list[str]:
    """Each target this result is held to: ``ok ...`` or ``MISSED ...``."""
    verdicts = []

    def check(holds: bool, what: str) -> None:
        verdicts.append(f"{'ok' if holds else 'MISSED'}: {what}")

    check(
        result.lost == 0 and result.duplicated == 0 and result.writes_ok > 0,
        f"no lost or duplicated write (lost {result.lost}, duplicated {result.duplicated})",
    )
    if result.name.startswith("5"):
        return verdicts
    check(
        result.rss_per_resident <= RSS_PER_RESIDENT,
        f"RSS {result.rss_per_resident / 1024:.0f} KB per resident ≤ 150 KB",
    )
    ack = result.latencies.get("vote → ack")
    if ack is not None:
        check(ack[1] <= ACK_P95_MS, f"vote → ack p95 {ack[1]:.0f} ms ≤ {ACK_P95_MS:.0f} ms")
        final = result.latencies["last vote → final tally"]
        check(
            final[2] <= FINAL_TALLY_MS,
            f"final tally at the last client {final[2]:.0f} ms ≤ {FINAL_TALLY_MS:.0f} ms",
        )
    if floor is not None and result.name.startswith("1"):
        ratio = result.cpu_seconds / max(1e-9, floor.cpu_seconds)
        check(ratio <= CPU_RATIO, f"server CPU {ratio:.1f} × the baseline's ≤ {CPU_RATIO:.0f} ×")
    return verdicts


def table(results: list[Result]) -> str:
    """The results as a Markdown table, one row per measured latency."""
    lines = [
        "| scenario | residents | latency | p50 / p95 / max ms | msg/s | CPU s (busy) "
        "| peak RSS MB | KB/resident | writes ok / refused | lost / dup / dropped |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        for n, (label, values) in enumerate(r.latencies.items()):
            if n == 0:
                head = (
                    f"| {r.name} | {r.residents:,} | {label} | {milliseconds(values)} "
                    f"| {r.messages_per_second:,.0f} "
                    f"| {r.cpu_seconds:.1f} ({r.busy_cpu_seconds:.1f}) "
                    f"| {r.peak_rss / 2**20:,.0f} | {r.rss_per_resident / 1024:,.0f} "
                    f"| {r.writes_ok:,} / {r.writes_refused:,} "
                    f"| {r.lost} / {r.duplicated} / {r.dropped} |"
                )
                lines.append(head)
            else:
                lines.append(f"| | | {label} | {milliseconds(values)} | | | | | | |")
    return "\n".join(lines)


def machine() -> str:
    model = "?"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{os.cpu_count()} cores ({model}), {memory:.0f} GiB RAM, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("scenarios", nargs="*", metavar="SCENARIO", help=", ".join(SCENARIOS))
    parser.add_argument("--smoke", action="store_true", help="a tiny scale, as the test runs")
    parser.add_argument("--workers", type=int, help="load generator processes")
    parser.add_argument("--json", type=Path, help="write the results here as JSON too")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="change one parameter, e.g. --set townhall=400 (see bench/scenarios.py, Params)",
    )
    args = parser.parse_args(argv)
    params = SMOKE if args.smoke or os.environ.get("BENCH_SCALE") == "smoke" else FULL
    if args.workers:
        params = dataclasses.replace(params, workers=args.workers)
    for setting in args.set:
        name, _, value = setting.partition("=")
        kinds = {f.name: type(getattr(params, f.name)) for f in dataclasses.fields(params)}
        if name not in kinds:
            parser.error(f"no such parameter: {name}")
        params = dataclasses.replace(params, **{name: kinds[name](value)})
    names = args.scenarios or list(SCENARIOS)
    unknown = set(names) - set(SCENARIOS)
    if unknown:
        parser.error(f"no such scenario: {', '.join(sorted(unknown))}")
    # The baseline runs first, so the hall storm can be judged against it.
    names.sort(key=lambda name: name != "baseline")
    print(f"Machine: {machine()}", flush=True)
    print(f"Scale: {params}", flush=True)
    results: dict[str, Result] = {}
    failed = []
    for name in names:
        print(f"-- {name} ...", flush=True)
        # Anything else running on the machine shows here: the latencies share its cores.
        load = os.getloadavg()[0]
        try:
            results[name] = SCENARIOS[name](params)
        except Exception:
            traceback.print_exc()
            failed.append(name)
            continue
        results[name].notes.append(f"load average (1 min) before: {load:.2f}")
        print(table([results[name]]), flush=True)
    ordered = [results[n] for n in SCENARIOS if n in results]
    print("\n" + table(ordered))
    verdicts: dict[str, list[str]] = {}
    for result in ordered:
        verdicts[result.name] = judge(result, results.get("baseline"))
        for line in verdicts[result.name] + result.notes:
            print(f"  {result.name}: {line}")
    if args.json is not None:
        args.json.write_text(
            json.dumps(
                {
                    "machine": machine(),
                    "params": dataclasses.asdict(params),
                    "results": [r.as_json() for r in ordered],
                    "verdicts": verdicts,
                    "failed": failed,
                },
                indent=2,
                ensure_ascii=False,
            )
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
