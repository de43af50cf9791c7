"""``pmtk run genomics`` and ``pmtk predict`` end to end, on every layout, and every bad input."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import tree_snapshot
from tests.plugins.genomics.conftest import (
    FAST,
    write_fasta,
    write_fasta_folder,
    write_labelled_fasta,
    write_table,
)

RUN_FILES = {"model.keras", "config.json", "history.csv", "metrics.json", "predictions.csv"}


def _run(cli, data: Path, output: Path, *extra: str) -> tuple[dict, object]:
    result = cli("run", "genomics", "--data", data, "--output", output, *FAST, *extra)
    assert result.exit_code == 0, result.output
    return json.loads((output / "metrics.json").read_text()), result


def test_folder_layout_writes_a_complete_run(genomics_run: Path):
    metrics = json.loads((genomics_run / "metrics.json").read_text())
    assert {p.name for p in genomics_run.iterdir()} >= RUN_FILES
    assert set(metrics["test"]) >= {"accuracy", "auroc", "auprc", "loss", "brier"}
    assert sum(metrics["n"].values()) == 40
    config = json.loads((genomics_run / "config.json").read_text())
    assert config["options"]["model"] == "danq"
    assert config["derived"]["sequence_length"] == config["derived"]["longest_training_sequence"]
    predictions = pd.read_csv(genomics_run / "predictions.csv")
    assert list(predictions.columns) == ["id", "label", "predicted", "score"]


def test_saved_model_loads_with_plain_keras_after_importing_the_layers(genomics_run: Path):
    import keras

    import pmtk.plugins.genomics.layers  # noqa: F401
    from pmtk.plugins.genomics.encoding import pack

    model = keras.saving.load_model(genomics_run / "model.keras")
    length = model.input_shape[1]
    assert model.predict(pack(["ACGTN", "ttgacgtcaa"], length), verbose=0).shape == (2, 1)


def test_predict_unlabelled_fasta_gives_one_row_per_record(cli, genomics_run: Path, tmp_path):
    records = [("peak1 chr1:100-130", "ACGTTTGACGTCAAGG"), ("peak2", "acgtnnacgt"),
               ("peak3", "G" * 80)]  # fmt: skip
    data = write_fasta(tmp_path / "new.fa", records)
    result = cli("predict", genomics_run, "--data", data)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(io.StringIO(result.stdout))
    assert table["id"].tolist() == ["peak1", "peak2", "peak3"]
    assert "label" not in table and table["score"].between(0, 1).all()
    assert "1 sequence(s) are longer than the model's" in result.stderr


def test_labelled_fasta_with_rnn_reverse_complement_and_fixed_length(cli, tmp_path: Path):
    data = write_labelled_fasta(tmp_path / "all.fa.gz")
    output = tmp_path / "run"
    metrics, result = _run(cli, data, output, "--model", "rnn", "--reverse-complement",
                           "--sequence-length", "26")  # fmt: skip
    assert sum(metrics["n"].values()) == 40
    assert "are longer than 26 bases and are trimmed" in result.stderr
    config = json.loads((output / "config.json").read_text())
    assert config["derived"]["sequence_length"] == 26
    assert config["options"]["reverse_complement"] is True


def test_table_layout_multiclass_with_cnn(cli, tmp_path: Path):
    data = write_table(tmp_path / "seqs.tsv", classes=("enhancer", "promoter", "other"),
                       per_class=10)  # fmt: skip
    output = tmp_path / "run"
    metrics, _ = _run(cli, data, output, "--model", "cnn")
    assert set(metrics["test"]) == {"accuracy", "macro_auroc", "loss", "brier"}
    predictions = pd.read_csv(output / "predictions.csv")
    assert {"p_enhancer", "p_promoter", "p_other"} <= set(predictions.columns)


def _one_class(tmp: Path) -> Path:
    return write_fasta_folder(tmp / "one", classes=("bound",))


def _invalid_base(tmp: Path) -> Path:
    folder = write_fasta_folder(tmp / "bad")
    write_fasta(folder / "unbound.fa", [("u1", "ACGT"), ("u2", "ACGTXACG"), ("u3", "GG")])
    return folder


def _empty_record(tmp: Path) -> Path:
    folder = write_fasta_folder(tmp / "gap")
    (folder / "unbound.fa").write_text(">u1\nACGT\n>u2\n>u3\nGG\n")
    return folder


def _empty_file(tmp: Path) -> Path:
    folder = write_fasta_folder(tmp / "hollow")
    (folder / "unbound.fa").write_text("")
    return folder


def _mixed(tmp: Path) -> Path:
    folder = write_fasta_folder(tmp / "mixed")
    write_table(folder / "more.csv")
    return folder


def _table(tmp: Path, header: str, row: str) -> Path:
    path = tmp / "seqs.csv"
    path.write_text(f"{header}\n{row}\n")
    return path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (_invalid_base, "unbound.fa: record 'u2' has the invalid character 'X' at position 5"),
        (_empty_file, "unbound.fa holds no FASTA records"),
        (_empty_record, "unbound.fa: record 'u2' has an empty sequence"),
        (lambda t: _table(t, "seq,label", "ACGT,a"), "has no 'sequence' column"),
        (lambda t: _table(t, "sequence,class", "ACGT,a"), "has no 'label' column"),
        (lambda t: _table(t, "sequence,label", "AC-GT,a"),
         "seqs.csv, row 2 has the invalid character '-' at position 3"),
        (_mixed, "mixes layouts"),
        (_one_class, "found only the class 'bound'"),
        (lambda t: t / "missing.fa", "does not exist; check the --data path"),
    ],
    ids=["invalid-base", "empty-file", "empty-sequence", "csv-without-sequence",
         "csv-without-label", "csv-invalid-base", "mixed-layouts", "one-class", "missing-path"],
)  # fmt: skip
def test_bad_input_is_one_sentence(cli, tmp_path: Path, make, message: str):
    data = make(tmp_path)
    before = tree_snapshot(tmp_path)
    output = tmp_path / "out" / "run"
    result = cli("run", "genomics", "--data", data, "--output", output, *FAST)
    assert result.exit_code == 1
    assert message in result.stderr
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.output
    assert not output.exists()
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())
    assert tree_snapshot(tmp_path) == before


def test_sequence_length_must_be_positive(cli, fasta_folder: Path, tmp_path: Path):
    output = tmp_path / "run"
    result = cli("run", "genomics", "--data", fasta_folder, "--output", output, *FAST,
                 "--sequence-length", "0")  # fmt: skip
    assert result.exit_code == 1 and "--sequence-length must be at least 1" in result.stderr
    assert not output.exists()


def test_predict_reports_invalid_bases_in_new_data(cli, genomics_run: Path, tmp_path: Path):
    data = write_fasta(tmp_path / "new.fa", [("ok", "ACGT"), ("bad", "ACGU")])
    result = cli("predict", genomics_run, "--data", data)
    assert result.exit_code == 1
    assert "record 'bad' has the invalid character 'U' (RNA? write T for U)" in result.stderr
