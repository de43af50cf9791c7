#!/usr/bin/env bash
# One command: set up .venv and train the imaging task on the bundled sample data.
# Extra arguments go to `pmtk run imaging` (for example --epochs 5).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-venv.sh
.venv/bin/pmtk run imaging "$@"
