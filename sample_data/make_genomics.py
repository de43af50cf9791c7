"""Generate the bundled genomics sample: 200-bp DNA sequences, bound vs unbound by a CTCF-like factor.

Layout: ``genomics/bound.fa`` and ``genomics/unbound.fa`` (one FASTA per class, class = file stem),
300 records each, ids ``bound_0001`` ..., sequence lines wrapped at 60 characters.

Background: i.i.d. bases with GC content 0.45. Each ``bound`` sequence gets 1-2 non-overlapping
copies of a CTCF-like core motif (consensus ``CCGCGNGGNGGCAG``), each base drawn from a position
weight matrix that gives the consensus base probability 0.85 (``N`` positions are uniform), on the
forward or reverse strand with equal odds. So that GC content alone does not give the class away,
each ``unbound`` sequence gets 1-2 decoys: the same sampled motif with its bases shuffled.
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
BACKGROUND = np.array([0.275, 0.225, 0.225, 0.275])  # A C G T, GC = 0.45
CONSENSUS = "CCGCGNGGNGGCAG"
COMPLEMENT = str.maketrans("ACGTNacgtn", "TGCANtgcan")


def motif_pwm(consensus: str, p: float = 0.85) -> np.ndarray:
    """Position weight matrix (len x 4): consensus base with probability p, others share the rest."""
    pwm = np.full((len(consensus), 4), (1 - p) / 3)
    for i, base in enumerate(consensus):
        if base == "N":
            pwm[i] = 0.25
        else:
            pwm[i, "ACGT".index(base)] = p
    return pwm


PWM = motif_pwm(CONSENSUS)


def sample_motif(rng: np.random.Generator) -> str:
    """One motif instance drawn from the PWM, reverse-complemented half the time."""
    site = "".join(rng.choice(BASES, p=row) for row in PWM)
    return site.translate(COMPLEMENT)[::-1] if rng.random() < 0.5 else site


def make_record(rng: np.random.Generator, bound: bool) -> tuple[str, str]:
    """One (description, sequence) pair."""
    seq = list(rng.choice(BASES, size=LENGTH, p=BACKGROUND))
    width = len(CONSENSUS)
    n_sites = int(rng.integers(1, 3))
    starts = [int(rng.integers(0, LENGTH - width + 1))]
    if n_sites == 2:
        free = [s for s in range(LENGTH - width + 1) if abs(s - starts[0]) >= width]
        starts.append(int(rng.choice(free)))
    notes = []
    for start in sorted(starts):
        site = sample_motif(rng)
        if not bound:
            site = "".join(rng.permutation(list(site)))
        seq[start : start + width] = list(site)
        notes.append(f"{start + 1}")
    if rng.random() < 0.2:
        mask_len = int(rng.integers(10, 41))
        m0 = int(rng.integers(0, LENGTH - mask_len + 1))
        seq[m0 : m0 + mask_len] = [b.lower() for b in seq[m0 : m0 + mask_len]]
    if rng.random() < 0.05:
        for pos in rng.choice(LENGTH, size=int(rng.integers(1, 4)), replace=False):
            seq[pos] = "N"
    kind = "CTCF-like motif" if bound else "shuffled decoy"
    desc = f"label={'bound' if bound else 'unbound'} synthetic {kind} at {','.join(notes)}"
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
