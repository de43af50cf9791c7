"""``pmtk plugin new``: the skeleton, bad names, and that it installs and passes its own test."""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.conftest import tree_snapshot

BIN = Path(sys.executable).parent
SKELETON = {"pyproject.toml", "README.md", "pmtk_demo/__init__.py", "pmtk_demo/model.py",
            "pmtk_demo/sample_data/__init__.py",
            "tests/test_plugin.py"}  # fmt: skip


def _files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def test_new_writes_a_complete_skeleton(cli, tmp_path):
    result = cli("plugin", "new", "demo", "--directory", tmp_path)
    assert result.exit_code == 0, result.output
    root = tmp_path / "pmtk-demo"
    assert _files(root) == SKELETON
    assert str(root / "pyproject.toml") in result.stdout
    assert f"pip install -e {root}" in result.stderr
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    assert project["name"] == "pmtk-demo"
    assert project["entry-points"]["pmtk"] == {"demo": "pmtk_demo"}
    assert any(dependency.startswith("pmtk") for dependency in project["dependencies"])
    for name in SKELETON:
        text = (root / name).read_text()
        assert "$" not in text, f"{name} has an unfilled placeholder"
        if name.endswith(".py"):
            ast.parse(text, filename=name)
    init = (root / "pmtk_demo" / "__init__.py").read_text()
    assert init.count("@hookimpl") == 1 and "def pmtk_register_models(register)" in init
    assert "import keras" not in init  # Keras only inside the builder


def test_a_dashed_name_gives_an_underscored_module(cli, tmp_path):
    assert cli("plugin", "new", "my-net", "-d", tmp_path).exit_code == 0
    root = tmp_path / "pmtk-my-net"
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    assert project["entry-points"]["pmtk"] == {"my-net": "pmtk_my_net"}
    assert (root / "pmtk_my_net" / "model.py").is_file()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Demo", "'Demo' is not a valid plugin name"),
        ("1net", "'1net' is not a valid plugin name"),
        ("my net", "'my net' is not a valid plugin name"),
        ("imaging", "A plugin named 'imaging' is already loaded"),
    ],
    ids=["upper-case", "leading-digit", "space", "builtin-name"],
)
def test_bad_names_write_nothing(cli, tmp_path, name, message):
    result = cli("plugin", "new", name, "-d", tmp_path)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {message}") and "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_an_existing_folder_is_left_alone(cli, tmp_path):
    (tmp_path / "pmtk-demo").mkdir()
    (tmp_path / "pmtk-demo" / "notes.txt").write_text("mine")
    before = tree_snapshot(tmp_path)
    result = cli("plugin", "new", "demo", "-d", tmp_path)
    assert result.exit_code == 1
    assert f"{tmp_path / 'pmtk-demo'} already exists; choose another NAME" in result.stderr
    assert tree_snapshot(tmp_path) == before


def test_the_skeleton_is_lint_clean(cli, tmp_path):
    cli("plugin", "new", "demo", "-d", tmp_path)
    root = tmp_path / "pmtk-demo"
    # --isolated: the ruff defaults a new package gets, not pmtk's own settings.
    for args in (["check", "--select", "E,F,W,I,B,UP,SIM"], ["format", "--check"]):
        result = subprocess.run(
            [str(BIN / "ruff"), *args, "--isolated", "."], cwd=root, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stdout + result.stderr


def _env(site: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PMTK_")}
    return env | {"PYTHONPATH": str(site)}


def _install(site: Path, *packages: Path) -> None:
    """pip-installs packages into ``site``, a throwaway folder: .venv is never touched."""
    # Without build isolation pip builds offline with the venv's setuptools, when it has one.
    isolation = ["--no-build-isolation"] if importlib.util.find_spec("setuptools") else []
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", *isolation,
         "--target", str(site), *map(str, packages)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert install.returncode == 0, install.stdout + install.stderr


def _pmtk(site: Path, *args: str) -> subprocess.CompletedProcess:
    """The real console script, seeing the packages installed into ``site``."""
    return subprocess.run(
        [str(BIN / "pmtk"), *args], capture_output=True, text=True, env=_env(site), timeout=120
    )


@pytest.mark.slow
def test_the_skeleton_installs_lists_and_passes_its_own_test(cli, tmp_path):
    cli("plugin", "new", "demo", "-d", tmp_path)
    root, site = tmp_path / "pmtk-demo", tmp_path / "site"
    (root / "pmtk_demo" / "sample_data" / "cohort.csv").write_text("x,label\n1,a\n")
    _install(site, root)
    installed = site / "pmtk_demo" / "sample_data"  # a regular install ships the data
    assert (installed / "cohort.csv").read_text() == "x,label\n1,a\n"

    tasks = {row["task"]: row for row in json.loads(_pmtk(site, "tasks", "--json").stdout)}
    assert "demo" in tasks["imaging"]["models"]
    assert "demo" in _pmtk(site, "tasks").stdout
    plugins = {row["name"]: row for row in json.loads(_pmtk(site, "plugins", "--json").stdout)}
    demo = plugins["demo"]
    assert (demo["distribution"], demo["version"]) == ("pmtk-demo", "0.1.0")
    assert demo["status"] == "loaded"
    assert demo["hooks"] == ["pmtk_register_models"]

    own_test = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=root, capture_output=True, text=True, env=_env(site), timeout=300,
    )  # fmt: skip
    assert own_test.returncode == 0, own_test.stdout + own_test.stderr
    assert "2 passed" in own_test.stdout


BROKEN_HOOK = """from pmtk import hookimpl


@hookimpl
def pmtk_register_models(register):
    raise RuntimeError("licence server unreachable")
"""


def test_installed_plugins_that_break_are_reported_and_listing_still_works(cli, tmp_path):
    """Two scaffolded packages broken on purpose: one raises in its hook, one cannot import."""
    for name in ("failing", "unimportable"):
        cli("plugin", "new", name, "-d", tmp_path)
    (tmp_path / "pmtk-failing" / "pmtk_failing" / "__init__.py").write_text(BROKEN_HOOK)
    (tmp_path / "pmtk-unimportable" / "pmtk_unimportable" / "__init__.py").write_text(
        "import pmtk_missing_dependency  # noqa: F401\n"
    )
    site = tmp_path / "site"
    _install(site, tmp_path / "pmtk-failing", tmp_path / "pmtk-unimportable")

    tasks = _pmtk(site, "tasks")
    assert tasks.returncode == 0 and "imaging" in tasks.stdout
    plugins = {row["name"]: row for row in json.loads(_pmtk(site, "plugins", "--json").stdout)}
    failing, unimportable = plugins["failing"], plugins["unimportable"]
    assert failing["status"] == unimportable["status"] == "failed"
    assert failing["errors"] == ["pmtk_register_models: RuntimeError: licence server unreachable"]
    assert unimportable["errors"] == [
        "import: ModuleNotFoundError: No module named 'pmtk_missing_dependency'"
    ]
    readable = _pmtk(site, "plugins").stdout
    assert "error: pmtk_register_models: RuntimeError: licence server unreachable" in readable
    assert plugins["imaging"]["status"] == "loaded"


def test_plugin_new_help_loads_no_heavy_module():
    probe = (
        "import sys\nfrom pmtk.cli.app import main\n"
        "sys.argv = ['pmtk', 'plugin', 'new', '--help']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('tensorflow', 'keras', 'cv2', 'sklearn') if m in sys.modules]\n"
        "print('HEAVY:', heavy, file=sys.stderr)"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert "--directory" in result.stdout
    assert "HEAVY: []" in result.stderr, result.stderr
