"""scripts/test-prerequisites.sh, the first step of `make test`: Chromium, nginx and
openssl are there, or the user learns at once what installs them."""

from __future__ import annotations

import os
import subprocess
import time

from processes import ROOT

SCRIPT = ROOT / "scripts" / "test-prerequisites.sh"
#: An unprivileged user, for a root test run: who may not install, and is told how.
NOBODY = 65534


def run(script: str) -> tuple[subprocess.CompletedProcess[str], float]:
    """The script, read from standard input: the unprivileged user may not reach the file."""
    started = time.monotonic()
    done = subprocess.run(
        ["bash", "-s"],
        input=script,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        user=NOBODY if os.geteuid() == 0 else None,
    )
    return done, time.monotonic() - started


def test_with_both_installed_it_passes_at_once() -> None:
    done, seconds = run(SCRIPT.read_text())
    assert done.returncode == 0, done.stderr
    assert seconds < 2


def test_without_them_a_user_who_may_not_install_gets_the_command() -> None:
    """The same script on a machine where both are missing (their paths made nowhere)."""
    script = SCRIPT.read_text()
    for path in ("/usr/bin/chromium", "/usr/sbin/nginx"):
        assert path in script
        script = script.replace(path, f"/nowhere{path}")
    done, seconds = run(script)
    assert done.returncode == 1
    assert seconds < 2
    assert "sudo sh -c 'apt-get update && apt-get install -y chromium nginx-light'" in (done.stderr)
