"""Generate the bundled genomics sample: 200-bp DNA, bound vs unbound by a CTCF-like factor.

Layout: ``genomics/bound.fa`` and ``genomics/unbound.fa`` (one FASTA per class, class = file stem),
300 records each, ids ``bound_0001`` ..., sequence lines wrapped at 60 characters.

Background: i.i.d. bases with GC content 0.45. Each ``bound`` sequence gets 1-2 non-overlapping
copies of a CTCF-like core motif (consensus ``CCGCGNGGNGGCAG``), each base drawn from a position
weight matrix that gives the consensus base probability 0.85 (``N`` positions are uniform), on the
forward or reverse strand with equal odds. The motif is GC-rich and raises the GC content of a
bound sequence from 0.45 to about 0.49, so ``unbound`` sequences are drawn with GC 0.49: GC
content alone does not give the class away, only the motif does.
Both classes then get the same nuisance: a soft-masked (lower-case) stretch of 10-40 bp in about
20% of records and 1-3 ``N`` bases in about 5% of records.

Deterministic: ``numpy.random.default_rng(SEED)``; re-running writes byte-identical files.
Run ``python sample_data/make_genomics.py [--out DIR]``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

SEED = 20240602
PER_CLASS = 300
LENGTH = 200
WRAP = 60
BASES = np.array(list("ACGT"))
BACKGROUND = np.array([0.275, 0.225, 0.225, 0.275])  # A C G T, GC 0.45 (+ motif = 0.49)
UNBOUND_BACKGROUND = np.array([0.255, 0.245, 0.245, 0.255])  # GC 0.49, matches bound
CONSENSUS = "CCGCGNGGNGGCAG"
COMPLEMENT = str.maketrans("ACGTNacgtn", "TGCANtgcan")


def motif_pwm(consensus: str, p: float = 0.85) -> np.ndarray:
    """Position weight matrix (len x 4): consensus base gets p, the others share the rest."""
    pwm = np.full((len(consensus), 4), (1 - p) / 3)
    for i, base in enumerate(consensus):
        if base == "N":
            pwm[i] = 0.25
        else:
            pwm[i, "ACGT".index(base)] = p
    return pwm


PWM = motif_pwm(CONSENSUS)


def sample_motif(rng: np.random.Generator) -> tuple[str, str]:
    """One motif instance drawn from the PWM and its strand; reverse-complemented half the time."""
    site = "".join(rng.choice(BASES, p=row) for row in PWM)
    return (site.translate(COMPLEMENT)[::-1], "-") if rng.random() < 0.5 else (site, "+")


def make_record(rng: np.random.Generator, bound: bool) -> tuple[str, str]:
    """One (description, sequence) pair."""
    seq = list(rng.choice(BASES, size=LENGTH, p=BACKGROUND if bound else UNBOUND_BACKGROUND))
    notes = []
    if bound:
        width = len(CONSENSUS)
        starts = [int(rng.integers(0, LENGTH - width + 1))]
        if rng.random() < 0.5:
            free = [s for s in range(LENGTH - width + 1) if abs(s - starts[0]) >= width]
            starts.append(int(rng.choice(free)))
        for start in sorted(starts):
            site, strand = sample_motif(rng)
            seq[start : start + width] = list(site)
            notes.append(f"{start + 1}({strand})")
    if rng.random() < 0.2:
        mask_len = int(rng.integers(10, 41))
        m0 = int(rng.integers(0, LENGTH - mask_len + 1))
        seq[m0 : m0 + mask_len] = [b.lower() for b in seq[m0 : m0 + mask_len]]
    if rng.random() < 0.05:
        for pos in rng.choice(LENGTH, size=int(rng.integers(1, 4)), replace=False):
            seq[pos] = "N"
    if bound:
        desc = f"label=bound synthetic, CTCF-like motif at {','.join(notes)} (1-based)"
    else:
        desc = "label=unbound synthetic, no motif"
    return desc, "".join(seq)


def write_fasta(path: Path, records: list[tuple[str, str, str]]) -> None:
    """Write (id, description, sequence) records with lines wrapped at WRAP characters."""
    lines = []
    for rec_id, desc, seq in records:
        lines.append(f">{rec_id} {desc}")
        lines.extend(seq[i : i + WRAP] for i in range(0, len(seq), WRAP))
    path.write_text("\n".join(lines) + "\n", encoding="ascii", newline="\n")


def main(out: Path) -> None:
    rng = np.random.default_rng(SEED)
    out.mkdir(parents=True, exist_ok=True)
    for name in ("bound", "unbound"):
        records = []
        for i in range(1, PER_CLASS + 1):
            desc, seq = make_record(rng, bound=name == "bound")
            records.append((f"{name}_{i:04d}", desc, seq))
        write_fasta(out / f"{name}.fa", records)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "genomics")
    main(parser.parse_args().out)
