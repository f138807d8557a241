#!/usr/bin/env bash
# The programs `make test` needs that pip cannot bring: Debian's Chromium for the browser
# tests (Playwright never downloads a browser), nginx for the test of deploy/nginx.conf and
# openssl for that test's certificate (most machines have it already). Checked first, in a moment, so that a machine without them learns it
# before the install and ten minutes of tests rather than after. As root (CI included)
# they are installed through apt; anyone else gets the one command that installs them.
# PostgreSQL and Redis are no prerequisite: the tests start their own when none answers
# (tests/services.py).
set -euo pipefail

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/sbin/nginx ] || missing+=(nginx-light)
command -v openssl >/dev/null || missing+=(openssl)
[ ${#missing[@]} -eq 0 ] && exit 0

command="apt-get update && apt-get install -y ${missing[*]}"
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
    echo "make test needs ${missing[*]}, missing here. To install on Debian or Ubuntu:" >&2
    echo "    sudo sh -c '$command'" >&2
    exit 1
fi

# No time limit: a slow mirror is no failure, an apt error is.
echo "Installing ${missing[*]} for the tests: $command"
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y "${missing[@]}"
