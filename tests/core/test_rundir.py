"""The run directory: staged under a hidden name, published only when the run succeeds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pmtk.core.errors import OptionError
from pmtk.core.rundir import RunDirectory, content_hash, default_output, write_json


def test_staging_folder_is_renamed_on_success(tmp_path):
    final = tmp_path / "runs" / "first"
    with RunDirectory(final) as staging:
        assert staging == tmp_path / "runs" / ".first.incomplete"
        assert staging.is_dir() and not final.exists()
        (staging / "metrics.json").write_text("{}")
    assert (final / "metrics.json").read_text() == "{}"
    assert not staging.exists()


@pytest.mark.parametrize("error", [RuntimeError("fit failed"), KeyboardInterrupt()])
def test_failure_leaves_nothing_at_the_final_path(tmp_path, error):
    final = tmp_path / "run"
    with pytest.raises(type(error)), RunDirectory(final) as staging:
        (staging / "model.keras").write_text("half written")
        raise error
    assert not final.exists()
    assert not staging.exists()
    assert list(tmp_path.iterdir()) == []


def test_existing_non_empty_output_is_an_option_error(tmp_path):
    final = tmp_path / "run"
    final.mkdir()
    (final / "notes.txt").write_text("mine")
    with pytest.raises(OptionError) as caught:
        RunDirectory(final)
    assert str(final) in str(caught.value) and "--output" in str(caught.value)
    assert (final / "notes.txt").read_text() == "mine"


def test_existing_file_as_output_is_an_option_error(tmp_path):
    final = tmp_path / "run"
    final.write_text("not a folder")
    with pytest.raises(OptionError, match="already exists"):
        RunDirectory(final)


def test_existing_empty_folder_is_reused(tmp_path):
    final = tmp_path / "run"
    final.mkdir()
    with RunDirectory(final) as staging:
        (staging / "config.json").write_text("{}")
    assert [p.name for p in final.iterdir()] == ["config.json"]


def test_stale_staging_folder_is_replaced(tmp_path):
    stale = tmp_path / ".run.incomplete"
    stale.mkdir()
    (stale / "leftover").write_text("from a killed run")
    with RunDirectory(tmp_path / "run") as staging:
        assert list(staging.iterdir()) == []
    assert [p.name for p in (tmp_path / "run").iterdir()] == []


def test_default_output_is_under_runs():
    path = default_output("imaging")
    assert path.parent == Path("runs") and path.name.startswith("imaging-")


def test_write_json_is_indented_and_handles_paths(tmp_path):
    write_json(tmp_path / "out.json", {"data": tmp_path, "n": 1})
    text = (tmp_path / "out.json").read_text()
    assert text.endswith("}\n") and "\n  " in text
    assert json.loads(text) == {"data": str(tmp_path), "n": 1}


def _folder(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_content_hash_is_stable_and_location_independent(tmp_path):
    files = {"a.png": "pixels", "sub/b.png": "more pixels"}
    first = content_hash(_folder(tmp_path / "one", files))
    assert first.startswith("sha256:") and len(first) == len("sha256:") + 64
    assert content_hash(tmp_path / "one") == first
    assert content_hash(_folder(tmp_path / "two", files)) == first


@pytest.mark.parametrize(
    "changed",
    [
        {"a.png": "pixels!", "sub/b.png": "more pixels"},
        {"c.png": "pixels", "sub/b.png": "more pixels"},
        {"a.png": "pixels", "sub/b.png": "more pixels", "extra.png": ""},
    ],
    ids=["content", "name", "added-file"],
)
def test_content_hash_changes_with_content_and_names(tmp_path, changed):
    original = content_hash(
        _folder(tmp_path / "one", {"a.png": "pixels", "sub/b.png": "more pixels"})
    )
    assert content_hash(_folder(tmp_path / "two", changed)) != original


def test_content_hash_of_a_file(tmp_path):
    (tmp_path / "cohort.csv").write_text("a,b\n1,2\n")
    first = content_hash(tmp_path / "cohort.csv")
    (tmp_path / "cohort.csv").write_text("a,b\n1,3\n")
    assert content_hash(tmp_path / "cohort.csv") != first


def test_content_hash_separates_names_from_contents(tmp_path):
    one = _folder(tmp_path / "one", {"a": "b", "c": ""})
    two = _folder(tmp_path / "two", {"a": "", "bc": ""})
    assert content_hash(one) != content_hash(two)
