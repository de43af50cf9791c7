"""Fast commands never load TensorFlow (checked in a fresh interpreter)."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("tensorflow", "keras", "cv2", "pydicom", "sklearn", "matplotlib", "Bio", "pandas")

PROBE = """
import sys
from pmtk.cli.app import main
sys.argv = ["pmtk", *{args!r}]
try:
    main()
except SystemExit as exit:
    code = exit.code
else:
    code = 0
loaded = [name for name in {heavy!r} if name in sys.modules]
print("LOADED:" + ",".join(loaded), "CODE:" + str(code), file=sys.stderr)
"""


@pytest.mark.parametrize(
    "args",
    [["--help"], ["--version"], ["tasks"], ["plugins"], ["plugins", "--json"], ["run", "--help"],
     ["run", "imaging", "--help"], ["predict", "--help"], ["report", "--help"],
     ["compare", "--help"]],
    ids=lambda a: " ".join(a),
)  # fmt: skip
def test_fast_commands_do_not_import_heavy_modules(args: list[str]):
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(args=args, heavy=HEAVY)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    last = result.stderr.strip().splitlines()[-1]
    assert "CODE:0" in last, result.stderr
    assert last.startswith("LOADED: ") or last.startswith("LOADED:"), result.stderr
    assert last.split()[0] == "LOADED:", f"{args} imported {last.split()[0][7:]}"


def test_version(cli):
    from pmtk import __version__

    result = cli("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"pmtk {__version__}"


def test_console_script_is_installed():
    result = subprocess.run(
        [sys.executable, "-m", "pmtk", "--version"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and result.stdout.startswith("pmtk ")
