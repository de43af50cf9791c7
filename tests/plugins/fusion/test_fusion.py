"""The fusion task: modality flags, missing cells in training and prediction, explanations."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from pmtk.core.errors import OptionError
from pmtk.core.host.plugins import PluginHost, reset_plugin_host
from pmtk.plugins.fusion.modalities import parse_modalities, tabular_modality
from tests.badinput.fusion_cases import fusion_args, fusion_rows, with_gaps, write_patients


def invoke(*args: str | Path):
    from pmtk.cli.app import build_app

    host = PluginHost(entry_points=False)
    reset_plugin_host(host)
    try:
        return CliRunner().invoke(build_app(host), [str(a) for a in args], catch_exceptions=False)
    finally:
        reset_plugin_host(None)


# -- flags: no training ---------------------------------------------------------------------


def test_modality_flags_give_each_column_its_task_encoder_and_options(host):
    options = {
        "data": "p.csv",
        "seed": 3,
        "modality": ["scan=imaging", "promoter=genomics"],
        "encoder": ["scan=seed", "tabular=linear"],
        "modality_option": ["scan.image_size=16", "promoter.units=4", "tabular.dropout_rate=0.5"],
    }
    scan, promoter = parse_modalities(options, host.registry)
    assert (scan.task, scan.encoder, scan.options["image_size"], scan.options["seed"]) == (
        "imaging", "seed", 16, 3,
    )  # fmt: skip
    assert promoter.options["units"] == 4 and promoter.encoder is None
    tabular = tabular_modality(options, host.registry, ["scan", "promoter"])
    assert tabular.task == "risk" and tabular.encoder == "linear"
    assert tabular.options["dropout_rate"] == 0.5
    assert tabular.options["exclude"] == "scan,promoter"  # the risk task leaves them out


def test_the_sample_needs_no_modality_flags(host):
    scan, promoter = parse_modalities({"data": None}, host.registry)
    assert (scan.name, promoter.name) == ("scan", "promoter")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"modality": []}, "Name at least one modality column"),
        ({"modality": ["scan=imaging", "scan=genomics"]}, "twice"),
        ({"modality": ["scan=imaging"], "encoder": ["scan=resnet"]}, "Unknown encoder 'resnet'"),
        ({"modality": ["scan=imaging"], "encoder": ["ct=seed"]}, "not a --modality column"),
        ({"modality": ["scan=imaging"], "modality_option": ["scan.image_size=big"]}, "int"),
        ({"modality": ["scan=imaging"], "modality_option": ["image_size=8"]}, "COLUMN.OPTION"),
        ({"modality": ["x=autoencoder"]}, "registers no encoder"),
    ],
)
def test_bad_modality_flags_are_one_sentence(host, options, message):
    with pytest.raises(OptionError, match=message):
        parse_modalities({"data": "p.csv"} | options, host.registry)


def test_layers_never_hide_every_modality_and_ignore_missing_inputs():
    from pmtk.plugins.fusion.layers import MissingEmbedding, ModalityDropout

    present = np.array([[1, 1, 0], [1, 0, 0], [0, 1, 1]] * 200, dtype="float32")
    dropped = np.asarray(ModalityDropout(0.9, seed=0)(present, training=True))
    assert (dropped <= present).all() and (dropped.sum(axis=1) > 0).all()
    assert 0 < dropped.sum() < present.sum()  # some hidden, never all
    assert (np.asarray(ModalityDropout(0.9, seed=0)(present, training=False)) == present).all()
    layer = MissingEmbedding(1)
    embedding = np.random.default_rng(0).normal(size=(600, 4)).astype("float32")
    out = np.asarray(layer([embedding, present]))
    missing = np.asarray(layer.missing)
    assert np.allclose(out[present[:, 1] == 0], missing)
    assert np.allclose(out[present[:, 1] == 1], embedding[present[:, 1] == 1])


# -- one small trained run: missing cells, predict, explain ---------------------------------


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> tuple[Path, Path]:
    """A tiny fused run on patients with missing scans, promoters and ages."""
    root = tmp_path_factory.mktemp("fusion")
    data = write_patients(root / "data", with_gaps(fusion_rows(60)))
    result = invoke(*fusion_args(data, root / "run"))
    assert result.exit_code == 0, result.output
    return data, root / "run"


def test_a_run_records_its_modalities_and_what_each_brings(trained):
    _, run = trained
    config = json.loads((run / "config.json").read_text())
    names = [m["name"] for m in config["derived"]["modalities"]]
    assert names == ["scan", "promoter", "tabular"]
    assert config["options"]["modality"] == ["scan=imaging", "promoter=genomics"]
    metrics = json.loads((run / "metrics.json").read_text())
    assert set(metrics["modalities"]) == set(names)
    for values in metrics["modalities"].values():
        assert {"auroc", "patients_with_modality"} <= set(values["test"])
        assert "auroc" in values["ci"]["test"]
    assert "one-hot bases" in metrics["baseline"]["inputs"]
    report = (run / "report.html").read_text()
    assert 'id="modalities"' in report and "promoter only" in report


def test_predict_takes_missing_cells_and_refuses_a_patient_with_nothing(trained, tmp_path):
    data, run = trained
    table = pd.read_csv(data, keep_default_na=False, dtype=str)
    table.loc[0, ["scan", "promoter"]] = ""
    table.loc[2, "scan"] = ""  # row 2 has no age either: the promoter alone
    new = data.with_name("new.csv")
    table.drop(columns=["outcome"]).to_csv(new, index=False)
    result = invoke("predict", run, "--data", new, "--output", tmp_path / "p.csv")
    assert result.exit_code == 0, result.output
    predictions = pd.read_csv(tmp_path / "p.csv")
    assert len(predictions) == len(table) and predictions.notna().all().all()

    table.loc[3, ["scan", "promoter", "age"]] = ""
    table.to_csv(new, index=False)
    result = invoke("predict", run, "--data", new, "--output", tmp_path / "q.csv")
    assert result.exit_code == 1 and "line 5" in result.output and "every modality" in result.output
    assert not (tmp_path / "q.csv").exists() and "P003" not in result.output


def test_a_missing_modality_scores_the_same_whatever_its_placeholder(trained):
    """The model never looks at the input of a modality the patient lacks."""
    from pmtk.core.data.batching import batches
    from pmtk.core.loop.prediction import open_run

    data, run = trained
    host = PluginHost(entry_points=False)
    opened = open_run(run, host)
    examples = opened.task.read(data, opened.context, require_labels=False)
    model = opened.load_model()
    dataset = opened.task.dataset(examples, None, opened.context)
    scores = model.predict(batches(dataset, 16), verbose=0)
    noisy = dataset.map(lambda x: x | {"scan": x["scan"] + 200.0 * (1.0 - x["present"][0])})
    assert np.allclose(scores, model.predict(batches(noisy, 16), verbose=0), atol=1e-6)


def test_explain_gives_each_modality_contribution_per_patient(trained, tmp_path):
    data, run = trained
    result = invoke("explain", run, "--data", data, "--output", tmp_path / "x")
    assert result.exit_code == 0, result.output
    table = pd.read_csv(tmp_path / "x" / "modality_contributions.csv")
    assert list(table.columns) == ["id", "class", "score", "scan", "promoter", "tabular"]
    rows = pd.read_csv(data, keep_default_na=False, dtype=str)
    assert table.loc[rows["scan"] == "", "scan"].isna().all()
    assert table.loc[rows["scan"] != "", "scan"].notna().all()
