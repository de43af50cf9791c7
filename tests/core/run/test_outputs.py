"""Checking ``--output`` before any data is read: never into an input, always writable."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pmtk.core.errors import OptionError
from pmtk.core.run.outputs import check_output


@pytest.fixture
def data(tmp_path: Path) -> Path:
    (tmp_path / "scans" / "lesion").mkdir(parents=True)
    (tmp_path / "new.csv").write_text("a\n1\n")
    (tmp_path / "notes.txt").write_text("x\n")
    return tmp_path


@pytest.mark.parametrize(
    ("output", "kind", "message"),
    [
        ("scans", "folder", "is the input"),
        ("scans/run1", "folder", "is inside the input"),
        ("scans/lesion/deep/run", "folder", "is inside the input"),
        ("new.csv", "file", "is the input"),
        ("notes.txt/run", "folder", "is a file, not a folder"),
        ("notes.txt/a/b/p.csv", "file", "is a file, not a folder"),
        ("scans2", "file", None),
        (".", "file", "is a folder"),
    ],
    ids=["equal", "inside", "deep-inside", "same-file", "parent-file", "ancestor-file",
         "sibling-ok", "file-is-folder"],
)  # fmt: skip
def test_refusals(data: Path, output: str, kind: str, message: str | None):
    inputs = [data / "scans", data / "new.csv"]
    if message is None:
        check_output(data / output, inputs, kind=kind)
        return
    with pytest.raises(OptionError, match=message):
        check_output(data / output, inputs, kind=kind)


def test_relative_paths_and_symlinks_are_resolved(data: Path, monkeypatch):
    (data / "link").symlink_to(data / "scans")
    monkeypatch.chdir(data)
    with pytest.raises(OptionError, match="inside the input"):
        check_output(Path("link/run"), [Path("scans")])
    with pytest.raises(OptionError, match="inside the input"):
        check_output(Path("./scans/../scans/run"), [data / "scans"])


def test_inside_allowed_for_not_equal_to(data: Path):
    check_output(data / "scans" / "explain", [], not_equal_to=[data / "scans"])
    with pytest.raises(OptionError, match="is the input"):
        check_output(data / "scans", [], not_equal_to=[data / "scans"])


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs Linux /proc")
def test_unwritable_place(data: Path):
    with pytest.raises(OptionError, match="cannot be written"):
        check_output(Path("/proc/pmtk-test/run"), [data])


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_read_only_folder(data: Path):
    locked = data / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(OptionError, match="cannot be written"):
            check_output(locked / "run", [data / "scans"])
    finally:
        locked.chmod(0o700)


def test_check_leaves_nothing_behind(data: Path):
    before = sorted(p.name for p in data.iterdir())
    check_output(data / "runs" / "r1", [data / "scans"])
    assert sorted(p.name for p in data.iterdir()) == before
