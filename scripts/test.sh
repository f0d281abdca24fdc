#!/usr/bin/env bash
# README command 2 (and all that .ci/run does): install what the tests need, then run every check.
# Works on a fresh Debian machine with Python 3.11 as root, no browser and no network but the
# package registries. Extra arguments go to pytest (e.g. `bash scripts/test.sh tests/e2e -x`).
#
# Exit code: pytest's when it fails; otherwise non-zero if ruff or mypy found a problem. All three
# always run, so one report shows everything that is wrong.
set -euo pipefail
cd "$(dirname "$0")/.."

export PIP_ROOT_USER_ACTION=ignore PIP_DISABLE_PIP_VERSION_CHECK=1
python -m pip install --quiet -r requirements-test.txt

# The end-to-end tests drive Debian's Chromium (Playwright cannot download its own browser
# here); the shared-store tests start Debian's redis-server and the replica test Debian's nginx,
# each on free loopback ports of their own.
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/redis-server ] || missing+=(redis-server)
[ -x /usr/sbin/nginx ] || missing+=(nginx)
if [ "${#missing[@]}" -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  echo "scripts/test.sh: installing Debian's ${missing[*]} for the tests" >&2
  $SUDO apt-get update -q
  # Installed as tools only: the packages' own services are not started (policy-rc.d says no).
  own_policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod +x /usr/sbin/policy-rc.d
    own_policy=1
  fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${missing[@]}"
  [ -z "$own_policy" ] || $SUDO rm -f /usr/sbin/policy-rc.d
fi

lint_status=0
echo "== ruff" >&2
python -m ruff check . || lint_status=$?
echo "== mypy" >&2
python -m mypy || lint_status=$?
echo "== pytest" >&2
pytest_status=0
# Two workers, one test file each at a time (module fixtures stay whole): the browser tests
# mostly wait (auto-refresh cycles, job delays), so two of them at once halve the wall time.
python -m pytest -n 2 --dist loadfile -ra --durations=10 "$@" || pytest_status=$?

if [ "$pytest_status" -ne 0 ]; then
  exit "$pytest_status"
fi
exit "$lint_status"
