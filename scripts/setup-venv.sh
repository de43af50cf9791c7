#!/usr/bin/env bash
# Creates .venv with Python >= 3.11 if it is missing and installs pmtk into it (editable).
# Usage: scripts/setup-venv.sh [EXTRA]   e.g. "test" installs pytest and ruff too.
set -euo pipefail
cd "$(dirname "$0")/.."
extra="${1:-}"
python="${PYTHON:-python3}"
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "pmtk needs Python 3.11 or newer; set PYTHON=/path/to/python3.11." >&2
    exit 1
fi
if [ ! -x .venv/bin/python ]; then
    if ! "$python" -m venv .venv 2>/dev/null; then
        # Debian ships venv separately; install it when we can, else say how.
        rm -rf .venv
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
            apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
            "$python" -m venv .venv
        else
            echo "Python's venv module is missing; run: sudo apt-get install python3-venv" >&2
            exit 1
        fi
    fi
fi
.venv/bin/python -m pip install --quiet --upgrade pip
target="."
[ -n "$extra" ] && target=".[$extra]"
.venv/bin/python -m pip install --quiet -e "$target"
