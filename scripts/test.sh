#!/usr/bin/env bash
# One command: set up .venv with the test tools, lint, and run the whole test suite.
# Extra arguments go to pytest (for example -k imaging).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-venv.sh test
# The example plugin package is installed like any third-party plugin, so its tests
# exercise the real entry-point discovery.
.venv/bin/python -m pip install --quiet -e examples/pmtk-example
.venv/bin/ruff check .
.venv/bin/ruff format --check .
status=0
.venv/bin/pytest "$@" || status=$?
if [ "$status" -eq 5 ]; then
    echo "pytest collected no tests; that is a failure." >&2
    exit 1
fi
exit "$status"
