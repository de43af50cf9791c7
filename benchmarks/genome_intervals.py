"""Genome intervals: BED + genome to model input (indexed vs loaded whole), variants per second.

1. Intervals per second from a BED file and a genome FASTA to the packed bytes the models
   take (``--sequence-length`` 1,000): pmtk's path (``genome_data.genome_parts``:
   pyfaidx random access, index in the cache) side by side with cutting the same windows
   from a genome first loaded whole into memory with Biopython (``SimpleFastaParser``), load
   time included and excluded.
2. Variants scored per second by ``pmtk variants`` (``variants_command.score_vcf``: VCF
   parsing, REF and ALT window per allele, a small CNN at 1,000 bases, model loading
   included; TensorFlow already imported).

The synthetic genome has 4 chromosomes of 2 Mb; 20,000 intervals; 2,000 SNVs.
Every number is the median of ``--repeats`` runs. Run:
``.venv/bin/python benchmarks/genome_intervals.py`` (3-4 minutes on 2 cores; training included).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

CHROMOSOMES = 4
CHROMOSOME_LENGTH = 2_000_000
INTERVALS = 20_000
VARIANTS = 2_000
LENGTH = 1_000


def median_seconds(function, repeats: int) -> float:
    """Median wall time of ``repeats`` calls."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def write_inputs(folder: Path) -> tuple[Path, Path, Path]:
    """genome.fa, intervals.bed and variants.vcf of random data."""
    rng = np.random.default_rng(0)
    genome = folder / "genome.fa"
    texts = {}
    with genome.open("w") as handle:
        for index in range(CHROMOSOMES):
            codes = rng.choice(np.frombuffer(b"ACGT", dtype=np.uint8), CHROMOSOME_LENGTH)
            text = texts[index + 1] = codes.tobytes().decode()
            handle.write(f">chr{index + 1}\n")
            handle.writelines(text[i : i + 60] + "\n" for i in range(0, len(text), 60))
    chroms = rng.integers(1, CHROMOSOMES + 1, INTERVALS)
    starts = rng.integers(0, CHROMOSOME_LENGTH - 500, INTERVALS)
    strands = rng.choice(["+", "-"], INTERVALS)
    bed = folder / "intervals.bed"
    bed.write_text(
        "".join(
            f"chr{c}\t{s}\t{s + 300}\t{'ab'[i % 2]}\t0\t{t}\n"
            for i, (c, s, t) in enumerate(zip(chroms, starts, strands, strict=True))
        )
    )
    vcf = folder / "variants.vcf"
    header = ["##fileformat=VCFv4.2"] + [
        f"##contig=<ID=chr{i + 1},length={CHROMOSOME_LENGTH}>" for i in range(CHROMOSOMES)
    ]
    header.append("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO")
    body = []
    for chrom, pos in sorted(
        zip(
            rng.integers(1, CHROMOSOMES + 1, VARIANTS),
            rng.integers(1000, 1_900_000, VARIANTS),
            strict=True,
        )
    ):
        ref = texts[int(chrom)][pos - 1]
        alt = "ACGT"[("ACGT".index(ref) + 1) % 4]
        body.append(f"chr{chrom}\t{pos}\tv{len(body)}\t{ref}\t{alt}\t.\tPASS\t.")
    vcf.write_text("\n".join(header + body) + "\n")
    return genome, bed, vcf


def indexed(genome: Path, bed: Path):
    """pmtk's path: BED -> pyfaidx windows -> packed bytes."""
    from pmtk.core.contract.context import RunContext
    from pmtk.plugins.genomics.encoding import pack
    from pmtk.plugins.genomics.genome_data import genome_parts

    context = RunContext("genomics", {"sequence_length": LENGTH})
    parts = genome_parts(bed, genome, context, require_labels=False)
    return np.concatenate([pack(frame["sequence"].tolist(), LENGTH) for frame in parts])


def load_whole(genome: Path) -> dict[str, str]:
    """Every chromosome in memory (Biopython)."""
    from Bio.SeqIO.FastaIO import SimpleFastaParser

    with genome.open() as handle:
        return {title.split()[0]: sequence for title, sequence in SimpleFastaParser(handle)}


def cut_loaded(chromosomes: dict[str, str], bed: Path):
    """The same windows cut from the loaded genome (same BED reader, same padding, same pack)."""
    from pmtk.plugins.genomics.encoding import pack
    from pmtk.plugins.genomics.genome import reverse_complement
    from pmtk.plugins.genomics.genome_data import read_intervals

    frame = read_intervals(bed, require_labels=False)
    windows = []
    for chrom, centre, strand in zip(frame["chrom"], frame["centre"], frame["strand"], strict=True):
        sequence, start = chromosomes[chrom], centre - LENGTH // 2
        window = sequence[max(start, 0) : start + LENGTH]
        window = "N" * max(-start, 0) + window + "N" * (LENGTH - len(window) - max(-start, 0))
        windows.append(reverse_complement(window) if strand == "-" else window)
    return pack(windows, LENGTH)


def train_model(folder: Path, genome: Path, bed: Path) -> Path:
    """A one-epoch small CNN on the benchmark intervals (only its speed matters)."""
    from pmtk.cli.app import build_app

    run = folder / "run"
    arguments = ["run", "genomics", "--data", str(bed), "--genome", str(genome), "--output",
                 str(run), "--epochs", "1", "--model", "cnn", "--filters", "16",
                 "--sequence-length", str(LENGTH), "--bootstrap", "0"]  # fmt: skip
    with contextlib.suppress(SystemExit):
        build_app()(arguments, standalone_mode=False)
    return run


def main() -> None:
    """Runs both measurements and prints one table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="runs per measurement")
    repeats = parser.parse_args().repeats
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        os.environ["XDG_CACHE_HOME"] = str(folder / "cache")
        genome, bed, vcf = write_inputs(folder)
        indexed(genome, bed)  # builds the .fai once, as the first run of a genome does
        pmtk_seconds = median_seconds(lambda: indexed(genome, bed), repeats)
        load_seconds = median_seconds(lambda: load_whole(genome), repeats)
        loaded = load_whole(genome)
        cut_seconds = median_seconds(lambda: cut_loaded(loaded, bed), repeats)
        assert (indexed(genome, bed) == cut_loaded(loaded, bed)).all()
        run = train_model(folder, genome, bed)
        from pmtk.plugins.genomics.variants_command import score_vcf

        score_vcf(run, vcf, genome)  # loads TensorFlow and the model once
        variant_seconds = median_seconds(lambda: score_vcf(run, vcf, genome), repeats)
    megabases = CHROMOSOMES * CHROMOSOME_LENGTH / 1e6
    print(f"{INTERVALS:,} intervals x {LENGTH} bases on a {megabases:.0f} Mb genome; "
          f"medians of {repeats} runs\n")  # fmt: skip
    rows = [
        ("indexed (pyfaidx, pmtk)", INTERVALS / pmtk_seconds),
        ("fully loaded, load included", INTERVALS / (load_seconds + cut_seconds)),
        ("fully loaded, cutting only", INTERVALS / cut_seconds),
    ]
    print(f"{'BED + genome -> model input':<34}{'intervals/s':>12}{'vs indexed':>12}")
    for name, rate in rows:
        print(f"{name:<34}{rate:12,.0f}{rate / rows[0][1]:11.2f}x")
    print(f"\nvariants scored per second (REF + ALT windows, model loaded per call): "
          f"{VARIANTS / variant_seconds:,.0f}")  # fmt: skip


if __name__ == "__main__":
    main()
