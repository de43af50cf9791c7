"""Genomics on a genome: BED intervals, windows, chromosome holdouts, predict, bad input."""

from __future__ import annotations

import gzip
import io
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import tree_snapshot
from tests.plugins.genomics.conftest import FAST

SAMPLE = Path(__file__).resolve().parents[3] / "sample_data" / "genome"
GENOME_FAST = (
    *FAST,
    "--epochs",
    "2",
    "--model",
    "cnn",
    "--sequence-length",
    "64",
    "--bootstrap",
    "0",
)


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """pmtk's cache (genome indexes) in a temporary folder."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    return folder


@pytest.fixture
def small_genome(tmp_path: Path) -> Path:
    """Two chromosomes: chr1 = ACGT... (40 bases, 10-base lines), chr2 = 20 x G."""
    path = tmp_path / "genome" / "small.fa"
    path.parent.mkdir()
    chr1 = "AAAACCCCGGGGTTTTACGT" * 2
    lines = [">chr1"] + [chr1[i : i + 10] for i in range(0, 40, 10)] + [">chr2", "G" * 20]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_windows_are_centred_padded_and_strand_aware(small_genome: Path, tmp_path: Path):
    from pmtk.plugins.genomics.genome import Genome
    from pmtk.plugins.genomics.genome_data import read_intervals
    from pmtk.plugins.genomics.intervals import cut_sequences

    bed = tmp_path / "a.bed"
    bed.write_text("chr1\t4\t8\tx\t0\t+\nchr1\t4\t8\tx\t0\t-\nchr1\t0\t2\tx\nchr2\t18\t20\ty\n")
    frame = read_intervals(bed)
    genome = Genome(small_genome)
    sequences = cut_sequences(frame, genome, 6)
    genome.close()
    assert sequences[0] == "ACCCCG"  # centre 6 -> [3, 9)
    assert sequences[1] == "CGGGGT"  # reverse complement
    assert sequences[2] == "NNAAAA"  # centre 1 -> [-2, 4): padded on the left
    assert sequences[3] == "GGGGNN"  # centre 19 -> [16, 22): padded on the right
    assert frame["label"].tolist() == ["x", "x", "x", "y"]


def test_narrowpeak_centres_on_the_summit_and_gzip_folders_give_classes(
    small_genome: Path, tmp_path: Path
):
    from pmtk.plugins.genomics.genome_data import read_intervals

    folder = tmp_path / "peaks"
    folder.mkdir()
    peak = "chr1\t10\t30\tp1\t0\t+\t5.0\t1.0\t1.0\t3\n"
    (folder / "bound.narrowPeak.gz").write_bytes(gzip.compress(peak.encode()))
    (folder / "unbound.bed").write_text("track name=x\n# comment\nchr1\t0\t10\tignored\n")
    frame = read_intervals(folder)
    assert frame["label"].tolist() == ["bound", "unbound"]
    assert frame["centre"].tolist() == [13, 5]


def test_index_is_built_in_the_cache_never_beside_the_genome(small_genome: Path, cache: Path):
    from pmtk.plugins.genomics.genome import Genome

    before = tree_snapshot(small_genome.parent)
    Genome(small_genome).close()
    assert tree_snapshot(small_genome.parent) == before
    assert [p.suffix for p in (cache / "pmtk" / "genome-index").iterdir()] == [".fai"]


def test_train_with_chromosome_holdout_then_predict_on_bed(cli, tmp_path: Path, cache: Path):
    data = shutil.copytree(SAMPLE, tmp_path / "data")
    before = tree_snapshot(data)
    run = tmp_path / "run"
    result = cli(
        "run", "genomics", "--data", data / "intervals.bed", "--genome", data / "genome.fa",
        "--holdout-chromosomes", "chr3", "--val-chromosomes", "chr4", "--output", run,
        *GENOME_FAST,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert tree_snapshot(data) == before  # no .fai next to the genome
    config = json.loads((run / "config.json").read_text())
    assert config["derived"]["chromosomes"] == {
        "train": ["chr1", "chr2"], "val": ["chr4"], "test": ["chr3"],
    }  # fmt: skip
    assert config["derived"]["sequence_length"] == 64
    predictions = pd.read_csv(run / "predictions.csv")
    assert predictions["id"].str.startswith("chr3:").all()
    other = tmp_path / "other.bed"
    other.write_text("chr2\t1000\t1200\t.\t0\t-\nchr1\t500\t700\n")
    result = cli("predict", run, "--data", other, "--genome", data / "genome.fa")
    assert result.exit_code == 0, result.output
    table = pd.read_csv(io.StringIO(result.stdout))
    assert table["id"].tolist() == ["chr2:1000-1200(-)", "chr1:500-700(.)"]
    assert tree_snapshot(data) == before


def test_holdout_only_carves_validation_from_the_other_chromosomes(tmp_path: Path):
    from pmtk.core.data.splitters import SplitRequest
    from pmtk.plugins.genomics.chromosome_splits import ChromosomeSplitter
    from pmtk.plugins.genomics.genome_data import read_intervals

    frame = read_intervals(SAMPLE / "intervals.bed")
    request = SplitRequest(val_fraction=0.15, test_fraction=0.15, seed=42, source="x.bed",
                           options={"holdout_chromosomes": "chr2,chr3"})  # fmt: skip
    split = ChromosomeSplitter().assign(frame, request)
    assert set(frame["chrom"][split == "test"]) == {"chr2", "chr3"}
    assert set(split[~frame["chrom"].isin(["chr2", "chr3"]).to_numpy()]) == {"train", "val"}


def test_intervals_in_parts_are_the_one_part_cut_in_pieces(host, tmp_path: Path, monkeypatch):
    import pandas as pd

    from pmtk.core.data.part_threshold import THRESHOLD_VARIABLE

    bed = tmp_path / "intervals.bed"
    lines = (SAMPLE / "intervals.bed").read_text().splitlines(keepends=True)
    bed.write_text("".join([*lines, lines[3]]))  # one interval twice: both get '#<line>'
    task = host.registry.task("genomics")
    options = {"data": bed, "genome": SAMPLE / "genome.fa", "sequence_length": 64,
               "holdout_chromosomes": "chr3"}  # fmt: skip
    context = host.registry.run_context("genomics", options)
    whole = list(task.read_parts(bed, context))
    monkeypatch.setenv(THRESHOLD_VARIABLE, "0")
    monkeypatch.setattr("pmtk.plugins.genomics.chunking.CHUNK_BASES", 4000)  # 64 a part
    parts = list(task.read_parts(bed, context))
    assert len(whole) == 1 and len(parts) > 2
    joined = pd.concat(parts, ignore_index=True)
    assert sorted(joined.columns) == sorted(whole[0].columns)
    left = whole[0].sort_values("id").reset_index(drop=True)
    pd.testing.assert_frame_equal(
        left, joined[left.columns].sort_values("id").reset_index(drop=True)
    )
    assert joined["id"].str.endswith(f"#{len(lines) + 1}").sum() == 1
    chromosomes = json.loads(joined["split_chromosomes"].iloc[0])
    assert chromosomes["test"] == ["chr3"] and "chr3" not in chromosomes["train"]


def _bad(tmp_path: Path, case: str) -> tuple[list[str], str]:
    """Arguments of a bad run and the text its message must contain."""
    genome = tmp_path / "in" / "genome.fa"
    bed = tmp_path / "in" / "intervals.bed"
    genome.parent.mkdir(exist_ok=True)
    genome.write_text(">chr1\n" + "ACGT" * 50 + "\n")
    lines = [f"chr1\t{10 * i}\t{10 * i + 20}\t{'ab'[i % 2]}\n" for i in range(12)]
    arguments = ["--data", str(bed), "--genome", str(genome)]
    expected = f"{bed}, line 3"
    if case == "start_not_below_end":
        lines[2] = "chr1\t50\t50\ta\n"
    elif case == "non_integer":
        lines[2] = "chr1\t5.5\t50\ta\n"
    elif case == "absent_chromosome":
        lines[2] = "chrX\t5\t50\ta\n"
    elif case == "empty_file":
        lines, expected = ["# nothing\n"], f"{bed} holds no intervals"
    elif case == "genome_not_fasta":
        genome.write_text("chrom,start\nchr1,5\n")
        expected = f"{genome}, line 1"
    elif case == "holdout_without_intervals":
        arguments += ["--holdout-chromosomes", "chr9"]
        expected = f"{bed}: no interval lies on chromosome 'chr9'"
    elif case == "plain_gzip_genome":
        genome.unlink()
        genome = genome.with_name("genome.fa.gz")
        genome.write_bytes(gzip.compress(b">chr1\nACGT\n"))
        arguments[3], expected = str(genome), "not with bgzip"
    bed.write_text("".join(lines))
    return arguments, expected


BAD = ["start_not_below_end", "non_integer", "absent_chromosome", "empty_file",
       "genome_not_fasta", "holdout_without_intervals", "plain_gzip_genome"]  # fmt: skip


@pytest.mark.parametrize("case", BAD)
def test_bad_input_is_one_sentence_naming_file_and_line(cli, tmp_path: Path, case: str):
    arguments, expected = _bad(tmp_path, case)
    before = tree_snapshot(tmp_path / "in")
    output = tmp_path / "run"
    result = cli("run", "genomics", *arguments, "--output", output, *GENOME_FAST)
    assert result.exit_code == 1
    assert expected in result.stderr, result.stderr
    assert result.stderr.startswith("Error: ") and "Traceback" not in result.output
    assert tree_snapshot(tmp_path / "in") == before
    assert not output.exists()


def test_bed_without_genome_says_to_add_it(cli, tmp_path: Path):
    bed = tmp_path / "a.bed"
    bed.write_text("chr1\t0\t10\ta\n")
    result = cli("run", "genomics", "--data", bed, "--output", tmp_path / "run", *GENOME_FAST)
    assert result.exit_code == 1 and "--genome genome.fa" in result.stderr
