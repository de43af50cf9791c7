"""``pmtk run risk`` and ``pmtk predict`` end to end: target kinds, formats, roles, bad input."""

from __future__ import annotations

import io
import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.conftest import tree_snapshot
from tests.plugins.risk.conftest import make_cohort, write_table

FAST = ("--epochs", "1", "--batch-size", "16", "--importance-repeats", "1")
RUN_FILES = {"model.keras", "config.json", "history.csv", "metrics.json", "predictions.csv",
             "importance.csv"}  # fmt: skip


def _run(cli, data: Path, output: Path, *extra: str) -> dict:
    result = cli("run", "risk", "--data", data, "--output", output, "--target", "outcome",
                 *FAST, *extra)  # fmt: skip
    assert result.exit_code == 0, result.output
    return json.loads((output / "metrics.json").read_text())


def test_binary_run_writes_risk_outputs(cli, cohort_csv: Path, tmp_path: Path):
    output = tmp_path / "run"
    result = cli("run", "risk", "--data", cohort_csv, "--output", output, "--target", "outcome",
                 *FAST)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "column 'patient_id' has a different value in every row" in result.stderr
    assert {p.name for p in output.iterdir()} >= RUN_FILES
    metrics = json.loads((output / "metrics.json").read_text())
    assert set(metrics["test"]) == {"accuracy", "auroc", "auprc", "loss", "brier"}
    assert 0 <= metrics["train"]["brier"] <= 1 and "brier" in metrics["val"]
    table = metrics["calibration"]["test"]  # the core's table, as for every classification task
    assert len(table) == 10 and sum(row["n"] for row in table) == metrics["n"]["test"]
    assert metrics["positive_class"] == "yes"
    importance = pd.read_csv(output / "importance.csv")
    assert set(importance["feature"]) == {"age", "bmi", "smoking", "site"}
    assert list(importance.columns) == ["feature", "importance", "importance_std", "metric"]
    config = json.loads((output / "config.json").read_text())
    assert config["options"]["target"] == "outcome"
    assert config["derived"]["id_column"] == "patient_id"
    predictions = pd.read_csv(output / "predictions.csv")
    assert predictions["id"].str.startswith("P").all()


def test_predict_raw_rows_with_missing_unseen_and_no_target(cli, cohort_csv: Path, tmp_path):
    output = tmp_path / "run"
    _run(cli, cohort_csv, output, "--model", "linear")
    new = tmp_path / "new.csv"
    new.write_text(
        "patient_id,age,bmi,smoking,site,extra\n"
        "N1,71,,vaping,east,1\n"  # missing number, two categories never seen in training
        "N2,,?,,,2\n"  # everything missing
        "N3,45,24.5,never,north,3\n"
    )
    result = cli("predict", output, "--data", new)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(io.StringIO(result.stdout))
    assert list(table.columns) == ["id", "predicted", "score"]
    assert table["id"].tolist() == ["N1", "N2", "N3"]
    assert table["score"].between(0, 1).all()


def test_saved_model_takes_raw_rows_after_importing_the_layers(cli, cohort_csv, tmp_path: Path):
    import keras
    import tensorflow as tf

    import pmtk.plugins.risk.layers  # noqa: F401  (registers the custom layers)

    output = tmp_path / "run"
    _run(cli, cohort_csv, output)
    model = keras.saving.load_model(output / "model.keras")
    row = {"age": [[np.nan]], "bmi": [[30.0]], "smoking": [["unknown"]], "site": [[""]]}
    risk = model({name: tf.constant(value) for name, value in row.items()}).numpy()
    assert risk.shape == (1, 1) and 0 < float(risk[0, 0]) < 1


@pytest.mark.parametrize(
    ("target", "suffix", "model", "metric_names"),
    [
        ("multiclass", ".tsv", "linear", {"accuracy", "macro_auroc", "loss", "brier"}),
        ("regression", ".parquet", "mlp", {"mae", "rmse", "r2"}),
    ],
    ids=["multiclass-tsv-linear", "regression-parquet-mlp"],
)
def test_target_kinds_and_formats(cli, tmp_path: Path, target, suffix, model, metric_names):
    data = write_table(make_cohort(90, target), tmp_path / f"cohort{suffix}")
    output = tmp_path / "run"
    metrics = _run(cli, data, output, "--model", model)
    assert set(metrics["test"]) == metric_names
    assert "positive_class" not in metrics
    assert (output / "importance.csv").is_file()
    predicted = pd.read_csv(output / "predictions.csv")["predicted"]
    if target == "regression":
        assert predicted.between(0, 150).all()  # on the target's own scale


def test_id_group_exclude_and_split_columns(cli, tmp_path: Path):
    frame = make_cohort(80)
    frame["family"] = [f"F{i // 4}" for i in range(80)]
    frame["nurse_note"] = [f"note {i}" for i in range(80)]
    frame["split"] = np.array(["train", "val", "test", "train"] * 20)
    data = write_table(frame, tmp_path / "cohort.csv")
    output = tmp_path / "run"
    result = cli("run", "risk", "--data", data, "--output", output, "--target", "outcome",
                 "--id-column", "patient_id", "--group-column", "family", "--exclude", "site",
                 *FAST)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "column 'nurse_note' has a different value in every row and is left out" in (
        result.stderr
    )
    config = json.loads((output / "config.json").read_text())
    features = {
        f["column"] for f in config["derived"]["numeric"] + config["derived"]["categorical"]
    }
    assert features == {"age", "bmi", "smoking"}
    assert config["n"] == {"train": 40, "val": 20, "test": 20}


def test_sample_data_needs_no_options(cli, tmp_path: Path):
    output = tmp_path / "run"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = cli("run", "risk", "--output", output, "--epochs", "1",
                     "--importance-repeats", "0")  # fmt: skip
        assert result.exit_code == 0, result.output
    writes = [str(w.message) for w in caught if "Writing into the run context" in str(w.message)]
    assert writes == []  # the sample's target is returned by derive(), never written
    config = json.loads((output / "config.json").read_text())
    assert config["derived"]["target"] == "disease" and config["options"]["target"] is None
    assert config["target"]["positive_class"] == "yes"
    assert not (output / "importance.csv").exists()


def _with(column: str, row: int, value: object):
    def make(tmp: Path) -> Path:
        frame = make_cohort().astype({column: object})
        frame.loc[row, column] = value
        return write_table(frame, tmp / "cohort.csv")

    return make


def _bytes(name: str, content: bytes):
    def make(tmp: Path) -> Path:
        (tmp / name).write_bytes(content)
        return tmp / name

    return make


BAD_INPUTS = [
    (lambda tmp: write_table(make_cohort(), tmp / "c.csv"), ("--target", "outcme"),
     "has no column 'outcme' (--target); its columns are: patient_id, age, bmi"),
    (lambda tmp: write_table(make_cohort(), tmp / "c.csv"), (),
     "Name the outcome column of"),
    (lambda tmp: write_table(make_cohort().assign(outcome="no"), tmp / "c.csv"), None,
     "the target column 'outcome' holds only the value 'no'"),
    (lambda tmp: write_table(make_cohort().assign(ldl=np.nan), tmp / "c.csv"), None,
     "column 'ldl' is empty in every row"),
    (_with("bmi", 5, "abc"), None, "column 'bmi' holds numbers but line 7 has 'abc'"),
    (_bytes("empty.csv", b""), None, "empty.csv is empty"),
    (_bytes("c.parquet", bytes(range(256)) * 4), None, "cannot be read as a Parquet table"),
    (_bytes("c.csv", b"age,outcome\n1,yes\n2,no,extra,fields\n"), None,
     "cannot be read as a CSV/TSV table"),
    (_bytes("c.csv", b"\x89PNG\r\n\x1a\n\x00\x00binary"), None, "it holds binary data"),
    (_bytes("c.xlsx", b"PK"), None, "has an extension the risk task cannot read"),
    (_with("patient_id", 3, "P0001"), ("--target", "outcome", "--id-column", "patient_id"),
     "id column 'patient_id' repeats an earlier id at line 5"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("make_data", "options", "message"),
    BAD_INPUTS,
    ids=["unknown-target", "no-target", "one-outcome", "all-missing-column", "garbage-number",
         "empty-file", "garbage-parquet", "unparsable-csv", "binary-csv", "unknown-extension",
         "duplicate-id"],
)  # fmt: skip
def test_bad_input_is_one_sentence(cli, tmp_path: Path, make_data, options, message: str):
    data = make_data(tmp_path)
    before = tree_snapshot(tmp_path)
    output = tmp_path / "out" / "run"
    options = ("--target", "outcome") if options is None else options
    result = cli("run", "risk", "--data", data, "--output", output, *options, *FAST)
    assert result.exit_code == 1
    error = result.stderr.strip().splitlines()[-1]
    assert error.startswith("Error: ") and message in error
    assert str(data) in error or data.name in error
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()
    assert tree_snapshot(tmp_path) == before


def test_predict_needs_the_trained_columns(cli, cohort_csv: Path, tmp_path: Path):
    output = tmp_path / "run"
    _run(cli, cohort_csv, output, "--model", "linear")
    new = write_table(make_cohort(5).drop(columns=["bmi", "outcome"]), tmp_path / "new.csv")
    result = cli("predict", output, "--data", new)
    assert result.exit_code == 1
    assert "lacks the column(s) 'bmi' the model was trained on" in result.stderr
    assert "Traceback" not in result.output
