"""``pmtk predict`` on an autoencoder run reads the table in parts: same codes as read whole."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pmtk.core.data import arrow_tables, part_threshold
from tests.plugins.autoencoder.conftest import make_table, write_table

PART = 23  # rows per part: several parts, the last one short


def _in_parts(monkeypatch) -> None:
    """Every table read in parts (``read_parts``) of about :data:`PART` rows."""
    monkeypatch.setenv(part_threshold.THRESHOLD_VARIABLE, "0")
    monkeypatch.setattr(arrow_tables, "BATCH_ROWS", PART)  # Parquet
    monkeypatch.setattr(arrow_tables, "CSV_BLOCK_BYTES", PART * 80)  # CSV: ~23 rows a block


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Path:
    from typer.testing import CliRunner

    from pmtk.cli.app import build_app
    from pmtk.core.host.plugins import PluginHost

    folder = tmp_path_factory.mktemp("parts")
    data = write_table(make_table(120, seed=1), folder / "train.csv")
    output = folder / "run"
    result = CliRunner().invoke(
        build_app(PluginHost(entry_points=False)),
        ["run", "autoencoder", "--data", str(data), "--output", str(output), "--id-column",
         "sample", "--color-column", "kind", "--latent-dim", "2", "--epochs", "2", "--bootstrap",
         "0"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return output


@pytest.mark.parametrize("name", ["new.csv", "new.parquet"])
def test_parts_give_the_whole_file_codes(cli, run, tmp_path, monkeypatch, name):
    data = write_table(make_table(100, seed=4), tmp_path / name)
    whole, parted = tmp_path / "whole.csv", tmp_path / "parted.csv"
    assert cli("predict", run, "--data", data, "--output", whole).exit_code == 0
    _in_parts(monkeypatch)
    result = cli("predict", run, "--data", data, "--output", parted)
    assert result.exit_code == 0, result.output
    got = pd.read_csv(parted)
    assert list(got["id"]) == [f"s{i:03d}" for i in range(100)]
    pd.testing.assert_frame_equal(got, pd.read_csv(whole), atol=1e-6)


def test_text_in_a_late_part_is_refused_and_nothing_is_written(cli, run, tmp_path, monkeypatch):
    table = make_table(100, seed=4)
    table["f2"] = table["f2"].astype(object)
    table.loc[80, "f2"] = "high"
    data = write_table(table, tmp_path / "new.csv")
    _in_parts(monkeypatch)
    output = tmp_path / "out.csv"
    result = cli("predict", run, "--data", data, "--output", output)
    assert result.exit_code != 0
    assert "non-numeric values in feature column(s) f2 (first at line 82)" in result.stderr
    assert "Traceback" not in result.stderr and not output.exists()
