"""Reading feature tables: formats, columns set aside, and every bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pmtk.core.errors import DataError, OptionError, PmtkError
from pmtk.plugins.autoencoder.reading import (
    FEATURE_PREFIX,
    feature_matrix,
    feature_names,
    prediction_examples,
    read_table,
    training_examples,
)
from tests.plugins.autoencoder.conftest import make_table, write_table

OPTIONS = {"id_column": "sample", "color_column": "kind"}


def _context(host):
    """The run context the loop hands the autoencoder (its readers included)."""
    return host.registry.run_context("autoencoder", {})


@pytest.mark.parametrize(
    ("name", "separator"),
    [("t.csv", ","), ("t.tsv", "\t"), ("t.txt", "\t"), ("t.csv", ";"), ("t.csv.gz", ","),
     ("t.tsv.xz", "\t"), ("t.parquet", None)],
    ids=["csv", "tsv", "txt", "semicolon-csv", "gzip-csv", "xz-tsv", "parquet"],
)  # fmt: skip
def test_formats(host, tmp_path: Path, name: str, separator: str | None):
    table = make_table(rows=5)
    table.loc[2, "f3"] = np.nan
    path = tmp_path / name
    if separator is None:
        write_table(table, path)
    else:
        table.to_csv(path, index=False, sep=separator)
    read = read_table(path, _context(host))
    assert list(read.columns) == list(table.columns)
    np.testing.assert_allclose(read["f1"], table["f1"])
    assert read["f3"].isna().sum() == 1


def test_missing_markers_and_header_spaces(host, tmp_path: Path):
    path = tmp_path / "uci.csv"
    path.write_text("id, a, b\nx,1,?\ny,.,2\n")
    read = read_table(path, _context(host))
    assert list(read.columns) == ["id", "a", "b"]
    assert read["a"].isna().sum() == 1 and read["b"].isna().sum() == 1
    assert pd.api.types.is_numeric_dtype(read["a"])


def test_parquet_named_index_becomes_a_column(host, tmp_path: Path):
    path = tmp_path / "t.parquet"
    make_table(rows=3).set_index("sample").to_parquet(path)
    assert read_table(path, _context(host)).columns[0] == "sample"


def test_columns_set_aside_and_feature_order(tmp_path: Path):
    table = make_table(rows=6)
    table["split"] = ["train", "train", "val", "val", "test", "test"]
    table["patient"] = [1, 1, 2, 2, 3, 3]
    table["batch"] = "x"
    options = OPTIONS | {"exclude": "batch, f6"}
    examples = training_examples(table, "t.csv", options, group_column="patient")
    assert feature_names(examples) == ["f1", "f2", "f3", "f4", "f5"]
    assert list(examples["id"]) == list(table["sample"])
    assert list(examples["color"]) == list(table["kind"])
    assert list(examples["split"]) == list(table["split"])
    assert list(examples["group"]) == ["1", "1", "2", "2", "3", "3"]
    assert list(examples["row"]) == list(range(6))
    assert feature_matrix(examples).dtype == np.float32


def test_row_numbers_are_ids_and_a_feature_may_be_called_id():
    table = pd.DataFrame({"id": [5.0, 6.0, 7.0], "x": [1.0, np.nan, 3.0]})
    examples = training_examples(table, "t.csv", {})
    assert list(examples["id"]) == ["1", "2", "3"]
    assert feature_names(examples) == ["id", "x"]
    assert f"{FEATURE_PREFIX}id" in examples
    assert np.isnan(feature_matrix(examples)[1, 1])  # missing values stay missing


def test_constant_column_is_a_warning(host, capsys):
    from pmtk.plugins.autoencoder.task import AutoencoderTask

    table = make_table(rows=5)
    table["flat"] = 3.0
    examples = training_examples(table, "t.csv", OPTIONS)
    assert "flat" in feature_names(examples)
    context = host.registry.run_context("autoencoder", {"data": "t.csv", "latent_dim": 2})
    derived = AutoencoderTask().derive(examples, context)
    assert derived["constant_features"] == ["flat"]
    err = capsys.readouterr().err
    assert err.startswith("Warning: t.csv: constant column(s) flat")


@pytest.mark.parametrize(
    ("change", "options", "error", "message"),
    [
        (lambda t: t[["sample", "kind"]], OPTIONS | {"color_column": None}, DataError,
         "has no numeric feature columns, found only non-numeric columns (kind)"),
        (lambda t: t, {}, DataError,
         "non-numeric column(s) sample, kind; leave them out with --exclude sample,kind"),
        (lambda t: t, OPTIONS | {"id_column": "patient"}, OptionError,
         "has no column 'patient' (--id-column)"),
        (lambda t: t, OPTIONS | {"exclude": "nope"}, OptionError,
         "has no column 'nope' (--exclude)"),
        (lambda t: t.assign(sample="same"), OPTIONS, DataError,
         "row 2 repeats the id of row 1 in column 'sample'"),
        (lambda t: t.assign(f2=[1.0, np.inf, 0, 0, 0]), OPTIONS, DataError,
         "column 'f2' has an infinite or too large value (inf, -inf or beyond 1.8e308) at row 2"),
    ],
    ids=["no-numeric-columns", "non-numeric-columns", "missing-id-column",
         "missing-excluded-column", "repeated-ids", "infinite-value"],
)  # fmt: skip
def test_bad_tables(change, options, error, message):
    with pytest.raises(error) as raised:
        training_examples(change(make_table(rows=5)), "t.csv", options)
    assert message in str(raised.value)
    assert str(raised.value).startswith("t.csv")


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "e.csv", "is empty; give a table with a header row"),
        (b"\n\n", "blank.tsv", "is empty; give a table with a header row"),
        (b"a,b\n", "h.csv", "has a header but no rows"),
        (b"\xff\xfe\x00garbage\x81\x00", "g.csv", "cannot be read as a CSV/TSV table (it holds "
         "binary data)"),
        (b'a,b\n1,"2\n', "q.csv", "cannot be read as a CSV/TSV table"),
        (b"not gzip", "t.csv.gz", "cannot be read"),
        (b"PAR1 not really parquet", "g.parquet", "cannot be read as a Parquet table"),
        (b"a,b\n1,2\n", "t.xlsx", "is not a file type the autoencoder reads; convert it to one "
         "of: .csv"),
    ],
    ids=["empty-file", "blank-lines", "header-only", "binary-csv", "unclosed-quote",
         "corrupt-gzip", "corrupt-parquet", "unknown-format"],
)  # fmt: skip
def test_unreadable_files(host, tmp_path: Path, content: bytes, name: str, message: str):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DataError) as raised:
        read_table(path, _context(host))
    assert str(raised.value).startswith(str(path)) and message in str(raised.value)


def test_folder_is_refused(host, tmp_path: Path):
    with pytest.raises(DataError, match="is a folder"):
        read_table(tmp_path, _context(host))


def test_prediction_uses_training_features_in_order():
    table = make_table(rows=3)[["f3", "sample", "f1", "kind"]].assign(extra="ignored")
    examples = prediction_examples(table, "new.csv", ["f1", "f3"], "sample")
    assert feature_names(examples) == ["f1", "f3"]
    assert list(examples["id"]) == ["s000", "s001", "s002"]


@pytest.mark.parametrize(
    ("features", "id_column", "message"),
    [
        (["f1", "f9"], None, "lacks 1 feature column(s) the model was trained on (f9)"),
        (["f1", "kind"], None, "non-numeric values in feature column(s) kind"),
        (["f1"], "patient", "has no column 'patient' (the run's --id-column)"),
    ],
    ids=["missing-feature", "text-feature", "missing-id-column"],
)
def test_prediction_bad_tables(features, id_column, message):
    with pytest.raises(PmtkError) as raised:
        prediction_examples(make_table(rows=3), "new.csv", features, id_column)
    assert message in str(raised.value)
