"""The run directory: staged under a hidden name, published only when the run succeeds."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from pmtk.core.errors import OptionError
from pmtk.core.run.rundir import (
    RunDirectory,
    content_hash,
    default_output,
    read_progress,
    write_json,
)
from pmtk.core.runtime import interruption


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


def _checkpoint(staging: Path, epoch: int = 2, epochs: int = 5) -> None:
    """A minimal resumable checkpoint, as the loop's EpochCheckpoint writes it."""
    (staging / "checkpoint").mkdir(parents=True, exist_ok=True)
    meta = json.dumps({"epoch": epoch, "epochs": epochs})
    np.savez(staging / "checkpoint" / "state.npz", meta=np.array(meta))


def test_lock_file_is_beside_the_run_and_removed(tmp_path):
    final = tmp_path / "run"
    with RunDirectory(final):
        assert (tmp_path / ".run.lock").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]
    assert not (final / ".run.lock").exists()


def test_second_run_to_the_same_output_stops_at_once(tmp_path):
    final = tmp_path / "run"
    with RunDirectory(final) as staging:
        (staging / "history.csv").write_text("epoch\n0\n")
        another = RunDirectory(final)
        with pytest.raises(OptionError, match="Another pmtk run is writing") as caught, another:
            pass
        assert "--output" in str(caught.value)
        assert (staging / "history.csv").read_text() == "epoch\n0\n"  # untouched
    assert (final / "history.csv").exists()


def test_lock_of_a_killed_process_does_not_block(tmp_path):
    final = tmp_path / "run"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(final)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(OptionError, match="Another pmtk run"), RunDirectory(final):
            pass
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
    with RunDirectory(final) as staging:
        (staging / "metrics.json").write_text("{}")
    assert (final / "metrics.json").exists()


HOLD_LOCK = """
import sys, time
from pathlib import Path
from pmtk.core.run.rundir import RunDirectory
with RunDirectory(Path(sys.argv[1])):
    print("locked", flush=True)
    time.sleep(120)
"""


def test_failure_keeps_a_resumable_staging_folder(tmp_path):
    final = tmp_path / "run"
    with pytest.raises(KeyboardInterrupt), RunDirectory(final) as staging:
        (staging / "history.csv").write_text("epoch\n0\n1\n")
        _checkpoint(staging)
        raise KeyboardInterrupt
    assert not final.exists() and (staging / "history.csv").exists()
    assert not (tmp_path / ".run.lock").exists()
    assert read_progress(staging / "checkpoint" / "state.npz") == (2, 5)


def test_resume_continues_in_the_same_staging_folder_and_publishes_without_checkpoint(tmp_path):
    final = tmp_path / "run"
    staging = tmp_path / ".run.incomplete"
    _checkpoint(staging)
    (staging / "history.csv").write_text("epoch\n0\n1\n")
    with RunDirectory(final, resume=True) as path:
        assert path == staging and (path / "history.csv").exists()
    assert sorted(p.name for p in final.iterdir()) == ["history.csv"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_plain_rerun_refuses_to_overwrite_a_resumable_run(tmp_path):
    staging = tmp_path / ".run.incomplete"
    _checkpoint(staging)
    with pytest.raises(OptionError, match="add --resume") as caught, RunDirectory(tmp_path / "run"):
        pass
    assert str(staging) in str(caught.value)
    assert (staging / "checkpoint" / "state.npz").exists()
    assert not (tmp_path / ".run.lock").exists()


@pytest.mark.parametrize("leftover", [None, "run.json"], ids=["no-staging", "no-finished-epoch"])
def test_resume_with_nothing_to_resume_is_one_sentence(tmp_path, leftover):
    if leftover:
        (tmp_path / ".run.incomplete" / "checkpoint").mkdir(parents=True)
        (tmp_path / ".run.incomplete" / "checkpoint" / leftover).write_text("{}")
    run = RunDirectory(tmp_path / "run", resume=True)
    with pytest.raises(OptionError, match="^Nothing to resume for .*run") as caught, run:
        pass
    assert "without --resume" in str(caught.value)
    assert not (tmp_path / "run").exists()


def test_resume_of_a_published_run_is_refused(tmp_path):
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "metrics.json").write_text("{}")
    with pytest.raises(OptionError, match="Nothing to resume .*finished"):
        RunDirectory(tmp_path / "run", resume=True)


def test_a_remembered_signal_stops_publishing(tmp_path):
    final = tmp_path / "run"
    stopped = pytest.raises(interruption.RunInterrupted)
    with interruption.stop_on_signals(), stopped as caught, RunDirectory(final) as staging:
        _checkpoint(staging, epoch=3, epochs=9)
        interruption._received.append(signal.SIGTERM)  # its first raise was swallowed
    assert caught.value.exit_code == 143
    assert not final.exists() and staging.exists()


def test_signal_raises_in_the_main_thread_and_is_remembered():
    with interruption.stop_on_signals():
        with pytest.raises(interruption.RunInterrupted) as caught:
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)
        with pytest.raises(interruption.RunInterrupted):
            interruption.raise_if_interrupted()
    assert caught.value.signal_name == "SIGTERM" and caught.value.exit_code == 143
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
    interruption.raise_if_interrupted()  # forgotten once the block ends


def test_interrupted_sentence_says_what_was_kept(tmp_path):
    run = RunDirectory(tmp_path / "run")
    assert "nothing was kept" in run.kept()
    _checkpoint(run.path, epoch=3, epochs=9)
    kept = interruption.RunInterrupted(signal.SIGINT, run.kept()).sentence
    assert kept.startswith("Interrupted by SIGINT: nothing was published; 3 of 9 epoch(s)")
    assert str(run.path) in kept and "--resume" in kept and kept.endswith(".")


def test_existing_empty_folder_is_reused(tmp_path):
    final = tmp_path / "run"
    final.mkdir()
    with RunDirectory(final) as staging:
        (staging / "config.json").write_text("{}")
    assert [p.name for p in final.iterdir()] == ["config.json"]


def test_stale_staging_folder_without_a_checkpoint_is_replaced(tmp_path):
    stale = tmp_path / ".run.incomplete"
    stale.mkdir()
    (stale / "leftover").write_text("from a run killed before its first epoch ended")
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
