"""``pmtk variants``: motif-breaking variants score larger, every status, naming, bad VCFs."""

from __future__ import annotations

import gzip
import io
import shutil
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import tree_snapshot

SAMPLE = Path(__file__).resolve().parents[3] / "sample_data" / "genome"
#: A small CNN that learns the planted motif in ~20 s on 2 cores without saturating.
LEARN = ("--sequence-length", "80", "--holdout-chromosomes", "chr3", "--epochs", "5",
         "--model", "cnn", "--filters", "16", "--kernel-size", "12", "--pool-size", "4",
         "--units", "8", "--learning-rate", "0.01", "--batch-size", "16",
         "--bootstrap", "0")  # fmt: skip


@pytest.fixture(scope="module")
def motif_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A genomics run trained on the sample genome's intervals."""
    from typer.testing import CliRunner

    from pmtk.cli.app import build_app
    from pmtk.core.host.plugins import PluginHost, reset_plugin_host

    root = tmp_path_factory.mktemp("variants-run")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(root / "cache"))
        for variable in ("PMTK_LOAD_PLUGINS", "PMTK_DISABLE_PLUGINS", "PMTK_TRACE_PLUGINS"):
            patch.delenv(variable, raising=False)
        host = PluginHost(entry_points=False)
        reset_plugin_host(host)
        try:
            arguments = ["run", "genomics", "--data", str(SAMPLE / "intervals.bed"),
                         "--genome", str(SAMPLE / "genome.fa"), "--output", str(root / "run"),
                         *LEARN]  # fmt: skip
            result = CliRunner().invoke(build_app(host), arguments, catch_exceptions=False)
        finally:
            reset_plugin_host(None)
    assert result.exit_code == 0, result.output
    return root / "run"


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A copy of the sample genome folder (genome.fa, intervals.bed, variants.vcf)."""
    return shutil.copytree(SAMPLE, tmp_path / "data")


def _table(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text), sep="\t", comment="#", keep_default_na=False)


def test_scores_every_allele_with_every_status(cli, motif_run: Path, data: Path, tmp_path):
    before = tree_snapshot(data)
    output = tmp_path / "out" / "scores.tsv"
    result = cli("variants", motif_run, "--vcf", data / "variants.vcf",
                 "--genome", data / "genome.fa", "--output", output)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert tree_snapshot(data) == before
    text = output.read_text()
    assert text.startswith("# pmtk variants: score = the probability of class 'bound'")
    table = _table(text).set_index("id")
    assert list(table.columns[:8]) == ["chrom", "pos", "ref", "alt", "score_ref", "score_alt",
                                       "delta", "status"]  # fmt: skip
    assert table.loc["ref_mismatch", "status"] == "ref_mismatch"
    expected_reasons = {
        "symbolic": "symbolic allele <DEL>",
        "past_chromosome_end": "outside the genome",
        "in_n_gap": "window holds only N",
    }
    for name, reason in expected_reasons.items():
        assert table.loc[name, "status"] == "skipped" and reason in table.loc[name, "reason"]
        assert table.loc[name, "delta"] == ""
    multi = table.loc["multi_allelic"]
    assert len(multi) == 3 and set(multi["alt"]) == {"A", "G", "T"}
    assert (multi["status"] == "ok").all()
    assert table.loc["motif_deletion", "status"] == "ok"  # an indel, re-centred
    assert "Variants: 32 allele(s): 28 ok, 1 ref_mismatch" in result.stderr
    assert "3 skipped" in result.stderr
    assert "SAMPLE_0001" not in result.output  # sample names are never printed


def test_motif_breaking_variants_move_the_score_more_than_random_ones(cli, motif_run, data):
    result = cli("variants", motif_run, "--vcf", data / "variants.vcf", "--genome",
                 data / "genome.fa")  # fmt: skip
    assert result.exit_code == 0, result.output
    table = _table(result.stdout)
    delta = pd.to_numeric(table["delta"], errors="coerce").abs()
    breaking = delta[table["id"].str.startswith("motif_break")]
    random = delta[table["id"].str.startswith("random")]
    assert breaking.median() > 2 * random.median()
    assert breaking.mean() > random.mean()
    assert delta[table["id"] == "motif_deletion"].iloc[0] > random.max()


def test_gzip_vcf_and_chromosome_naming_mismatch(cli, motif_run: Path, data: Path, tmp_path):
    lines = (data / "variants.vcf").read_text().splitlines()
    renamed = [line.replace("chr", "", 1) if not line.startswith("#") else line for line in lines]
    renamed = [line.replace("ID=chr", "ID=") for line in renamed]
    vcf = tmp_path / "plain_names.vcf.gz"
    vcf.write_bytes(gzip.compress(("\n".join(renamed) + "\n").encode()))
    result = cli("variants", motif_run, "--vcf", vcf, "--genome", data / "genome.fa")
    assert result.exit_code == 1
    assert "names its chromosomes like '1'" in result.stderr
    assert "like 'chr1'" in result.stderr and "--rename-chromosomes add-chr" in result.stderr
    assert "Traceback" not in result.output
    result = cli("variants", motif_run, "--vcf", vcf, "--genome", data / "genome.fa",
                 "--rename-chromosomes", "add-chr")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "28 ok" in result.stderr
    mapping = tmp_path / "names.tsv"
    mapping.write_text("".join(f"{n}\tchr{n}\n" for n in range(1, 5)))
    result = cli("variants", motif_run, "--vcf", vcf, "--genome", data / "genome.fa",
                 "--rename-chromosomes", mapping)  # fmt: skip
    assert result.exit_code == 0 and "28 ok" in result.stderr


def _bad_vcf(case: str, data: Path, tmp_path: Path) -> tuple[list, str]:
    vcf, genome = data / "variants.vcf", data / "genome.fa"
    if case == "not_a_vcf":
        vcf = tmp_path / "x.vcf"
        vcf.write_text("chrom,pos\nchr1,5\n")
        return [vcf, genome], f"{vcf} is not a readable VCF"
    if case == "no_records":
        vcf = tmp_path / "empty.vcf"
        header = [line for line in (data / "variants.vcf").read_text().splitlines() if "#" in line]
        vcf.write_text("\n".join(header) + "\n")
        return [vcf, genome], f"{vcf} holds no variant records"
    if case == "missing_vcf":
        return [tmp_path / "nope.vcf", genome], "nope.vcf does not exist"
    if case == "output_over_input":
        return [vcf, genome, "--output", vcf], "is the input"
    if case == "bad_rename":
        return [vcf, genome, "--rename-chromosomes", "add-prefix"], "expected add-chr, drop-chr"
    raise AssertionError(case)


@pytest.mark.parametrize(
    "case", ["not_a_vcf", "no_records", "missing_vcf", "output_over_input", "bad_rename"]
)
def test_bad_vcf_input_is_one_sentence(cli, motif_run: Path, data: Path, tmp_path, case):
    (vcf, genome, *extra), expected = _bad_vcf(case, data, tmp_path)
    before = tree_snapshot(data)
    result = cli("variants", motif_run, "--vcf", vcf, "--genome", genome, *extra)
    assert result.exit_code == 1
    assert expected in result.stderr, result.stderr
    assert "Error: " in result.stderr and "Traceback" not in result.output
    assert tree_snapshot(data) == before


def test_output_inside_the_run_directory_is_refused(cli, motif_run: Path, data: Path):
    before = tree_snapshot(motif_run)
    result = cli("variants", motif_run, "--vcf", data / "variants.vcf", "--genome",
                 data / "genome.fa", "--output", motif_run / "scores.tsv")  # fmt: skip
    assert result.exit_code == 1 and "is inside the input" in result.stderr
    assert tree_snapshot(motif_run) == before


def test_a_run_of_another_task_is_refused(cli, tmp_path: Path, data: Path):
    run = tmp_path / "risk-run"
    run.mkdir()
    (run / "config.json").write_text(
        '{"task": "risk", "options": {}, "target": {"kind": "binary", "class_names": ["a", "b"]}}'
    )
    (run / "model.keras").write_bytes(b"")
    result = cli("variants", run, "--vcf", data / "variants.vcf", "--genome", data / "genome.fa")
    assert result.exit_code == 1 and "needs a run of 'pmtk run genomics'" in result.stderr
