"""One cohort, one set of split rules, whatever its size (issue 22).

The bundled risk cohort with a ``split`` column is trained read whole and read in parts
(``PMTK_STREAMING_ROWS=0``): a column naming its validation rows ``validation``, and a
column naming none (validation is carved from training), give the same split counts on
both paths; a value the column may not hold gets the same sentence on both.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pmtk.core.data.part_threshold import THRESHOLD_VARIABLE
from pmtk.core.data.sample_data import sample_data_path

FAST = ("--epochs", "1", "--bootstrap", "50", "--importance-repeats", "1")


def _cohort(folder: Path, names: dict[str, str]) -> Path:
    """The bundled cohort with a seeded 70/15/15 ``split`` column, spelt with ``names``."""
    frame = pd.read_csv(sample_data_path("risk/cohort.csv"))
    splits = np.random.default_rng(7).choice(["train", "val", "test"], len(frame),
                                             p=[0.7, 0.15, 0.15])  # fmt: skip
    frame["split"] = [names.get(split, split) for split in splits]
    path = folder / "cohort.csv"
    frame.to_csv(path, index=False)
    return path


def _counts(cli, monkeypatch, data: Path, output: Path, streamed: bool) -> dict[str, int]:
    if streamed:
        monkeypatch.setenv(THRESHOLD_VARIABLE, "0")
    else:
        monkeypatch.delenv(THRESHOLD_VARIABLE, raising=False)
    result = cli("run", "risk", "--data", data, "--target", "disease", "--output", output, *FAST)
    assert result.exit_code == 0, result.output
    assert json.loads((output / "config.json").read_text())["loop"]["streamed"] is streamed
    return json.loads((output / "metrics.json").read_text())["n"]


@pytest.mark.slow
@pytest.mark.parametrize(
    "names",
    [{"val": "validation"}, {"val": "train"}],
    ids=["validation-spelt-out", "no-validation-rows"],
)
def test_both_paths_give_the_same_split_counts(cli, monkeypatch, tmp_path, names):
    data = _cohort(tmp_path, names)
    memory = _counts(cli, monkeypatch, data, tmp_path / "memory", streamed=False)
    streamed = _counts(cli, monkeypatch, data, tmp_path / "streamed", streamed=True)
    assert memory == streamed
    assert sum(memory.values()) == 3000
    assert 0.10 * 3000 < memory["val"] < 0.20 * 3000  # named, or carved from training
    assert memory["test"] > 0.10 * 3000


@pytest.mark.parametrize("streamed", [False, True], ids=["in-memory", "streamed"])
def test_a_split_value_the_column_may_not_hold_gets_one_sentence(
    cli, monkeypatch, tmp_path, streamed
):
    data = _cohort(tmp_path, {"val": "holdout"})
    if streamed:
        monkeypatch.setenv(THRESHOLD_VARIABLE, "0")
    else:
        monkeypatch.delenv(THRESHOLD_VARIABLE, raising=False)
    result = cli("run", "risk", "--data", data, "--target", "disease",
                 "--output", tmp_path / "run", *FAST)  # fmt: skip
    assert result.exit_code == 1
    message = result.output.strip()
    assert "has split 'holdout'; the 'split' column may only hold train, val or test" in message
    assert message.startswith(f"Error: {data}: ") or f"{data}: " in message
    assert "Traceback" not in message
    assert not (tmp_path / "run").exists()
