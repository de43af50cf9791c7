"""In-silico mutagenesis: the arithmetic on a hand-made model, and ``pmtk explain`` end to end."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pmtk.plugins.genomics.encoding import pack
from tests.plugins.genomics.conftest import write_fasta


def _g_counter(length: int):
    """A model whose score is sigmoid(number of G bases): every ISM value is known."""
    import keras
    from keras import layers

    from pmtk.plugins.genomics.layers import DnaOneHot

    inputs = keras.Input((length,), dtype="uint8")
    per_base = layers.Dense(1, use_bias=False)(DnaOneHot()(inputs))
    score = layers.Dense(1, use_bias=False, activation="sigmoid")(layers.Flatten()(per_base))
    model = keras.Model(inputs, score)
    model.layers[2].set_weights([np.array([[0.0], [0.0], [1.0], [0.0]])])
    model.layers[4].set_weights([np.ones((length, 1))])
    return model


def _sigmoid(x: float) -> float:
    return 1 / (1 + np.exp(-x))


def test_mutagenesis_values_signs_and_padding():
    from pmtk.plugins.genomics.explain import mutagenesis

    result = mutagenesis(_g_counter(6), pack(["AGG", "tN"], 6))
    # "AGG": two Gs -> P(class 1) = sigmoid(2); "tN": N counts a quarter G -> sigmoid(0.25).
    assert result.class_index.tolist() == [1, 1]
    assert result.reference[0] == pytest.approx(_sigmoid(2))
    delta = result.delta[0]
    assert delta[0].tolist() == pytest.approx([0, 0, _sigmoid(3) - _sigmoid(2), 0])  # A -> G
    assert delta[1, 2] == 0  # the reference base
    assert delta[1, 0] == pytest.approx(_sigmoid(1) - _sigmoid(2))  # losing a G lowers it
    assert np.isnan(result.delta[0, 3:]).all() and np.isnan(result.delta[1, 2:]).all()
    assert result.substitutions[1].tolist() == [3, 4, 0, 0, 0, 0]  # N has four alternatives
    importance = result.importance
    assert importance[0, 1] > 0 and importance[0, 0] < 0  # the Gs drive the prediction
    assert np.isnan(importance[0, 3:]).all()


def test_mutagenesis_of_a_multiclass_model_scores_the_predicted_class():
    import keras
    from keras import layers

    from pmtk.plugins.genomics.explain import mutagenesis
    from pmtk.plugins.genomics.layers import DnaOneHot

    inputs = keras.Input((4,), dtype="uint8")
    counts = layers.GlobalAveragePooling1D()(DnaOneHot()(inputs))  # base shares -> softmax
    model = keras.Model(inputs, layers.Softmax()(layers.Rescaling(10.0)(counts)))
    result = mutagenesis(model, pack(["CCCA", "TTTG"], 4))
    assert result.class_index.tolist() == [1, 3]
    assert (result.delta[0, :3] <= 0).all() and result.delta[0, 0, 1] == 0


def test_explain_writes_npz_and_plot(cli, genomics_run: Path, tmp_path: Path):
    data = write_fasta(tmp_path / "x.fa", [("s1", "TTGACGTCAAGG"), ("s2", "acgn"), ("s3", "GC")])
    output = tmp_path / "explain"
    result = cli("explain", genomics_run, "--data", data, "--output", output,
                 "--plot-count", "2")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (output / "importance.png").stat().st_size > 0
    arrays = np.load(output / "ism.npz")
    length = json.loads((genomics_run / "config.json").read_text())["derived"]["sequence_length"]
    assert arrays["ids"].tolist() == ["s1", "s2", "s3"]
    assert arrays["delta"].shape == (3, length, 4) and arrays["importance"].shape == (3, length)
    assert set(arrays["explained_class"]) <= {"bound", "unbound"}
    assert np.isnan(arrays["delta"][2, 2:]).all() and not np.isnan(arrays["delta"][2, :2]).any()


def test_explain_csv_has_one_row_per_substitution(cli, genomics_run: Path, tmp_path: Path):
    data = write_fasta(tmp_path / "x.fa", [("s1", "ACGT"), ("s2", "aN")])
    output = tmp_path / "explain"
    result = cli("explain", genomics_run, "--data", data, "--output", output,
                 "--format", "csv", "--plot-count", "0")  # fmt: skip
    assert result.exit_code == 0, result.output
    table = pd.read_csv(output / "ism.csv")
    assert list(table.columns) == ["id", "position", "reference", "alternative", "score_change"]
    assert (table["id"] == "s1").sum() == 12 and (table["id"] == "s2").sum() == 3 + 4
    assert not (output / "importance.png").exists()
    first = table.iloc[0]
    assert (first["id"], first["position"], first["reference"]) == ("s1", 1, "A")


def test_explain_refuses_sequences_for_an_imaging_run(cli, tmp_path: Path):
    from tests.conftest import write_images

    run = tmp_path / "imaging-run"
    result = cli("run", "imaging", "--data", write_images(tmp_path / "images", per_class=6),
                 "--output", run, "--epochs", "1", "--image-size", "16", "--model", "seed",
                 "--bootstrap", "0")  # fmt: skip
    assert result.exit_code == 0, result.output
    data = write_fasta(tmp_path / "x.fa", [("s1", "ACGT")])
    result = cli("explain", run, "--data", data, "--output", tmp_path / "out")
    assert result.exit_code == 1
    assert str(data) in result.stderr and "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("make_data", "message"),
    [
        (lambda t: t / "missing.fa", "does not exist; check the --data path"),
        (lambda t: write_fasta(t / "bad.fa", [("s1", "ACGJ")]), "'J' at position 4"),
    ],
    ids=["missing-data", "invalid-base"],
)
def test_explain_bad_data(cli, genomics_run: Path, tmp_path: Path, make_data, message: str):
    output = tmp_path / "explain"
    result = cli("explain", genomics_run, "--data", make_data(tmp_path), "--output", output)
    assert result.exit_code == 1 and message in result.stderr
    assert not output.exists()


def test_explain_needs_a_finished_run(cli, tmp_path: Path):
    result = cli("explain", tmp_path, "--data", tmp_path)
    assert result.exit_code == 1 and "is not a finished pmtk run" in result.stderr


def test_explain_output_must_be_a_folder(cli, genomics_run: Path, tmp_path: Path):
    data = write_fasta(tmp_path / "x.fa", [("s1", "ACGT")])
    taken = tmp_path / "taken.txt"
    taken.write_text("mine")
    result = cli("explain", genomics_run, "--data", data, "--output", taken)
    assert result.exit_code == 1 and "is a file; pass a folder" in result.stderr
    assert taken.read_text() == "mine"
