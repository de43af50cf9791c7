"""Writes sample_data/genome/: a small synthetic genome, BED intervals of two classes, a VCF.

- ``genome.fa``: chromosomes chr1-chr4 (220, 180, 150, 120 kb) of random DNA with soft-masked
  (lower-case) stretches and 5 kb of ``N`` at the start of chr4 (like a telomere gap).
- ``intervals.bed``: 200-base intervals, name column ``bound`` (the motif ``TTGACGTCAA``
  planted within 20 bases of the centre) or ``unbound`` (random places without the motif),
  on both strands, on every chromosome.
- ``variants.vcf``: one sample column; SNVs that break planted motifs (ID ``motif_break_N``),
  random SNVs away from any motif (``random_N``), a multi-allelic record, a REF mismatch, a
  record past the end of chr2, a deletion inside a motif, a symbolic ``<DEL>`` and a variant
  in the chr4 N gap.

Deterministic: ``numpy.random.default_rng(16)``. Run: ``python sample_data/make_genome.py
[--output DIR]`` (default ``sample_data/genome``).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

MOTIF = "TTGACGTCAA"
CHROMOSOMES = {"chr1": 220_000, "chr2": 180_000, "chr3": 150_000, "chr4": 120_000}
N_GAP = 5_000  # N bases at the start of chr4
INTERVAL = 200
PER_CHROMOSOME = 60  # intervals per class per chromosome
LINE = 60


def make_genome(rng: np.random.Generator) -> dict[str, bytearray]:
    """Random DNA per chromosome, with lower-case stretches and chr4's N gap."""
    genome = {}
    for name, length in CHROMOSOMES.items():
        codes = rng.choice(np.frombuffer(b"ACGT", dtype=np.uint8), length)
        for start in rng.integers(0, length - 400, length // 20_000):
            codes[start : start + 300] |= 0x20  # soft-masked repeat
        genome[name] = bytearray(codes.tobytes())
    genome["chr4"][:N_GAP] = b"N" * N_GAP
    for sequence in genome.values():  # no accidental motif anywhere
        _erase_motif(sequence)
    return genome


def _erase_motif(sequence: bytearray) -> None:
    motif = MOTIF.encode()
    start = sequence.upper().find(motif)
    while start != -1:
        sequence[start + 4] = ord("T")  # TTGA C -> TTGA T
        start = sequence.upper().find(motif, start + 1)


def make_intervals(rng: np.random.Generator, genome: dict[str, bytearray]) -> list[tuple]:
    """(chrom, start, end, label, strand, motif_start or None), sorted by position."""
    intervals = []
    for name, sequence in genome.items():
        low = N_GAP + INTERVAL if name == "chr4" else INTERVAL
        slot_count = (len(sequence) - low - 2 * INTERVAL) // (2 * INTERVAL)
        slots = rng.choice(slot_count, 2 * PER_CHROMOSOME, replace=False)
        for index, slot in enumerate(sorted(int(s) for s in slots)):
            start = low + slot * 2 * INTERVAL
            label = "bound" if index % 2 == 0 else "unbound"
            strand = "+" if rng.random() < 0.5 else "-"
            motif_start = None
            if label == "bound":
                motif_start = start + INTERVAL // 2 - len(MOTIF) // 2 + int(rng.integers(-20, 21))
                sequence[motif_start : motif_start + len(MOTIF)] = MOTIF.encode()
            intervals.append((name, start, start + INTERVAL, label, strand, motif_start))
    return intervals


def make_variants(rng: np.random.Generator, genome, intervals) -> list[tuple]:
    """VCF rows (chrom, 1-based pos, id, ref, alt) covering every status pmtk variants reports."""
    rows = []
    bound = [i for i in intervals if i[5] is not None and i[0] != "chr4"]
    unbound = [i for i in intervals if i[5] is None and i[0] != "chr4"]
    for n, (chrom, *_, motif_start) in enumerate(bound[:12]):
        offset = int(rng.integers(2, 8))  # a central motif base
        position = motif_start + offset
        ref = chr(genome[chrom][position]).upper()
        alt = {"A": "C", "C": "A", "G": "T", "T": "G"}[ref]
        rows.append((chrom, position + 1, f"motif_break_{n}", ref, alt))
    for n, (chrom, start, end, *_) in enumerate(unbound[:12]):
        position = start + int(rng.integers(0, end - start))
        ref = chr(genome[chrom][position]).upper()
        alt = "ACGT"[("ACGT".index(ref) + 1 + int(rng.integers(0, 3))) % 4]
        rows.append((chrom, position + 1, f"random_{n}", ref, alt))
    chrom, *_, motif_start = bound[12]
    ref = chr(genome[chrom][motif_start + 4]).upper()
    alts = ",".join(base for base in "ACGT" if base != ref)
    rows.append((chrom, motif_start + 5, "multi_allelic", ref, alts))
    chrom, *_, motif_start = bound[13]
    wrong = "ACGT"[("ACGT".index(chr(genome[chrom][motif_start + 3]).upper()) + 1) % 4]
    rows.append((chrom, motif_start + 4, "ref_mismatch", wrong, "A" if wrong != "A" else "C"))
    rows.append(("chr2", CHROMOSOMES["chr2"] + 500, "past_chromosome_end", "A", "G"))
    chrom, *_, motif_start = bound[14]
    deleted = genome[chrom][motif_start + 2 : motif_start + 7].decode().upper()
    rows.append((chrom, motif_start + 3, "motif_deletion", deleted, deleted[0]))
    chrom, start, *_ = unbound[13]
    rows.append((chrom, start + 50, "symbolic", chr(genome[chrom][start + 49]).upper(), "<DEL>"))
    rows.append(("chr4", N_GAP // 2, "in_n_gap", "N", "A"))
    return sorted(rows, key=lambda row: (row[0], row[1]))


def write(folder: Path, genome, intervals, variants) -> None:
    """Writes genome.fa, intervals.bed and variants.vcf into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "genome.fa").open("w", newline="\n") as handle:
        for name, sequence in genome.items():
            handle.write(f">{name}\n")
            text = sequence.decode()
            handle.writelines(text[i : i + LINE] + "\n" for i in range(0, len(text), LINE))
    lines = [f"{c}\t{s}\t{e}\t{label}\t0\t{strand}\n" for c, s, e, label, strand, _ in intervals]
    (folder / "intervals.bed").write_text("".join(lines), newline="\n")
    header = ["##fileformat=VCFv4.2"]
    header += [f"##contig=<ID={name},length={length}>" for name, length in CHROMOSOMES.items()]
    header += ['##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">']
    header += ["\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO",
                          "FORMAT", "SAMPLE_0001"])]  # fmt: skip
    body = [f"{c}\t{p}\t{i}\t{r}\t{a}\t.\tPASS\t.\tGT\t0/1" for c, p, i, r, a in variants]
    (folder / "variants.vcf").write_text("\n".join(header + body) + "\n", newline="\n")


def main() -> None:
    """Writes the sample genome, intervals and variants."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    here = Path(__file__).resolve().parent
    parser.add_argument("--output", type=Path, default=here / "genome")
    folder = parser.parse_args().output
    rng = np.random.default_rng(16)
    genome = make_genome(rng)
    intervals = make_intervals(rng, genome)
    write(folder, genome, intervals, make_variants(rng, genome, intervals))
    print(f"Wrote {folder}: {len(genome)} chromosomes, {len(intervals)} intervals")


if __name__ == "__main__":
    main()
