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

# The end-to-end tests drive Debian's Chromium: Playwright cannot download its own browser here.
if [ ! -x /usr/bin/chromium ]; then
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  echo "scripts/test.sh: installing Debian's chromium for the browser tests" >&2
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q chromium
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
