"""Generate the genomics samples: 200-bp bound/unbound DNA, and 60-nt splice-site-like sequences.

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

Second set, splice-site-like: ``genomics_splice/splice.fa``, one FASTA whose descriptions carry
``label=<class>``: 3000 records of 60 nt (``splice_0001`` ...), 750 ``donor`` (exon | intron
boundary), 750 ``acceptor`` (intron | exon) and 1500 ``neither``, like the UCI splice-junction
data. The boundary is always between positions 30 and 31 (1-based), so the signal is a consensus
at a fixed offset: exon bases are GC-richer than the T-rich intron bases; a donor carries
``MAG|GTRAGT`` (positions -3..+6, the ``GT`` always, the rest from a position weight matrix),
an acceptor a polypyrimidine tract at -18..-5 and ``YAG|G`` (the ``AG`` always). Every site has a
strength drawn from Beta(12, 1.5) that mixes its matrix with the background: some true sites are
weak.
``neither`` sequences have a random exon/intron make-up, and 12% of them are decoys with the ``GT``
(or the ``AG`` and tract) at the boundary but weak flanks (strength from Beta(1, 10)). 3% of all
records hold 1-2 ``N``. A logistic regression on the one-hot bases reaches test accuracy 0.91-0.94
over seeds 0-4 (``scripts/genomics_seeds.py``); weak true sites and decoys keep it from perfect.

Deterministic: ``numpy.random.default_rng(SEED)`` and ``default_rng(SPLICE_SEED)``; re-running
writes byte-identical files. Run ``python sample_data/make_genomics.py [--out DIR]
[--splice-out DIR]``.
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


# --- splice-site-like set -------------------------------------------------------------------

SPLICE_SEED = 20250917
SPLICE_LENGTH = 60
#: Index of the first base after the exon/intron (or intron/exon) boundary.
BOUNDARY = 30
SPLICE_COUNTS = {"donor": 750, "acceptor": 750, "neither": 1500}
EXON = np.array([0.26, 0.24, 0.28, 0.22])  # A C G T, GC 0.52
INTRON = np.array([0.27, 0.19, 0.20, 0.34])  # T-rich, GC 0.39
#: Donor site, exon positions -3..-1 and intron +1..+6 (rows A C G T; the GT is forced).
DONOR_PWM = np.array(
    [[0.35, 0.35, 0.19, 0.11], [0.60, 0.13, 0.14, 0.13], [0.09, 0.03, 0.80, 0.08],
     [0.00, 0.00, 1.00, 0.00], [0.00, 0.00, 0.00, 1.00], [0.60, 0.03, 0.35, 0.02],
     [0.71, 0.07, 0.12, 0.10], [0.07, 0.05, 0.80, 0.08], [0.16, 0.15, 0.18, 0.51]]
)  # fmt: skip
DONOR_START = BOUNDARY - 3
PYRIMIDINE = np.array([0.08, 0.42, 0.08, 0.42])
#: Acceptor site, intron positions -3..-1 and exon +1 (the AG is forced).
ACCEPTOR_PWM = np.array(
    [[0.05, 0.70, 0.01, 0.24], [1.00, 0.00, 0.00, 0.00], [0.00, 0.00, 1.00, 0.00],
     [0.25, 0.14, 0.50, 0.11]]
)  # fmt: skip
ACCEPTOR_START = BOUNDARY - 3
#: The polypyrimidine tract: intron positions -18..-5.
TRACT = slice(BOUNDARY - 18, BOUNDARY - 4)


def _draw(rng: np.random.Generator, rows: np.ndarray) -> np.ndarray:
    """One base per row of probabilities (rows x 4), as letters."""
    cumulative = np.cumsum(rows, axis=1)
    picks = (rng.random((len(rows), 1)) > cumulative[:, :-1]).sum(axis=1)
    return BASES[picks]


def _site(rng, pwm: np.ndarray, background: np.ndarray, strength: float) -> np.ndarray:
    """A site drawn from ``pwm`` diluted towards ``background`` (forced positions stay)."""
    forced = pwm.max(axis=1) == 1.0
    rows = np.where(forced[:, None], pwm, strength * pwm + (1 - strength) * background)
    return _draw(rng, rows)


def splice_sequence(rng: np.random.Generator, label: str) -> np.ndarray:
    """One 60-nt sequence of class ``donor``, ``acceptor`` or ``neither`` (see the docstring)."""
    left, right = (EXON, INTRON) if label == "donor" else (INTRON, EXON)
    if label == "neither":
        left, right = [(EXON, EXON), (INTRON, INTRON), (INTRON, EXON), (EXON, INTRON)][
            int(rng.integers(4))
        ]
    rows = np.vstack([np.tile(left, (BOUNDARY, 1)), np.tile(right, (SPLICE_LENGTH - BOUNDARY, 1))])
    decoy = rng.random() if label == "neither" else 1.0
    # True sites have strong consensus; decoys (GT or AG at the boundary) weak flanks.
    strength = rng.beta(12, 1.5) if label != "neither" else rng.beta(1, 10)
    if label == "acceptor" or decoy < 0.06:
        tract = strength * PYRIMIDINE + (1 - strength) * INTRON
        rows[TRACT] = tract
    seq = _draw(rng, rows)
    if label == "donor" or 0.06 <= decoy < 0.12:
        seq[DONOR_START : DONOR_START + len(DONOR_PWM)] = _site(rng, DONOR_PWM, EXON, strength)
    if label == "acceptor" or decoy < 0.06:
        seq[ACCEPTOR_START : ACCEPTOR_START + len(ACCEPTOR_PWM)] = _site(
            rng, ACCEPTOR_PWM, INTRON, strength
        )
    if rng.random() < 0.03:
        seq[rng.choice(SPLICE_LENGTH, size=int(rng.integers(1, 3)), replace=False)] = "N"
    return seq


def splice_records(rng: np.random.Generator) -> list[tuple[str, str, str]]:
    """(id, description, sequence) records of every class, shuffled."""
    labels = [name for name, count in SPLICE_COUNTS.items() for _ in range(count)]
    labels = [labels[i] for i in rng.permutation(len(labels))]
    return [
        (f"splice_{i:04d}", f"label={label}", "".join(splice_sequence(rng, label)))
        for i, label in enumerate(labels, start=1)
    ]


def main(out: Path, splice_out: Path) -> None:
    rng = np.random.default_rng(SEED)
    out.mkdir(parents=True, exist_ok=True)
    for name in ("bound", "unbound"):
        records = []
        for i in range(1, PER_CLASS + 1):
            desc, seq = make_record(rng, bound=name == "bound")
            records.append((f"{name}_{i:04d}", desc, seq))
        write_fasta(out / f"{name}.fa", records)
    splice_out.mkdir(parents=True, exist_ok=True)
    write_fasta(splice_out / "splice.fa", splice_records(np.random.default_rng(SPLICE_SEED)))


if __name__ == "__main__":
    here = Path(__file__).resolve().parent
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=here / "genomics")
    parser.add_argument("--splice-out", type=Path, default=here / "genomics_splice")
    arguments = parser.parse_args()
    main(arguments.out, arguments.splice_out)
