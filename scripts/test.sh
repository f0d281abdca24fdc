#!/usr/bin/env bash
# README command 2 (and all that .ci/run does): install what the tests need, then run every check.
# Works on a fresh Debian machine with Python 3.11 as root and no browser installed.
set -euo pipefail
cd "$(dirname "$0")/.."

python -m pip install --quiet --disable-pip-version-check -r requirements-test.txt

# The end-to-end tests drive Debian's Chromium (Playwright cannot download its own browser here).
if [ ! -x /usr/bin/chromium ]; then
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q chromium
fi

python -m ruff check .
python -m mypy
exec python -m pytest "$@"
