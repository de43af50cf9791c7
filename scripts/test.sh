#!/usr/bin/env bash
# One command: set up .venv with the test tools, lint, and run the whole test suite.
# Extra arguments go to pytest (for example -k imaging).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-venv.sh test
# The example plugin package is installed like any third-party plugin, so its tests
# exercise the real entry-point discovery, but into its own folder that only the tests put
# on PYTHONPATH: afterwards the user's .venv/bin/pmtk sees exactly the plugins they installed.
example_location="$(.venv/bin/python -m pip show pmtk-example 2>/dev/null \
    | sed -n 's/^Editable project location: //p' || true)"
if [ "$example_location" = "$PWD/examples/pmtk-example" ]; then
    # Older versions of this script installed it into .venv; take that back.
    .venv/bin/python -m pip uninstall --quiet --yes pmtk-example
fi
rm -rf .test-plugins
.venv/bin/python -m pip install --quiet --no-deps --target .test-plugins examples/pmtk-example
export PYTHONPATH="$PWD/.test-plugins${PYTHONPATH:+:$PYTHONPATH}"
# The report's browser test needs Chromium; install Debian's package when missing (root only).
if ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) \
            >/dev/null || echo "Could not install chromium; the browser test will be skipped." >&2
    else
        echo "chromium is missing and this is not root; the browser test will be skipped." >&2
    fi
fi
.venv/bin/ruff check .
.venv/bin/ruff format --check .
# The dependency layers of docs/architecture.md ([tool.importlinter] in pyproject.toml).
.venv/bin/lint-imports
status=0
.venv/bin/pytest "$@" || status=$?
if [ "$status" -eq 5 ]; then
    echo "pytest collected no tests; that is a failure." >&2
    exit 1
fi
exit "$status"
