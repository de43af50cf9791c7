"""Generate the bundled fusion sample: a patient table whose outcome needs several modalities.

Layout: ``fusion/patients.csv`` (one row per patient) and ``fusion/scans/pNNNN.png``.
Columns: ``patient_id``, ``scan`` (image path relative to the table), ``promoter`` (a DNA
sequence), ``age``, ``sex``, ``biomarker``, ``bmi`` and the target ``outcome`` (yes/no).

Each patient has three hidden binary factors, one per modality, each true with chance 1/2:
- the scan shows a lesion (the imaging sample's generator, ``make_imaging.make_image``);
- the promoter holds the motif ``TATAAAGG`` at a random position (else none anywhere);
- the biomarker is raised (normal with mean 1.5 instead of 0, sd 1); age, sex and bmi are
  noise.
The outcome is ``yes`` when at least two of the three factors are true. One modality alone
can therefore reach an AUROC of at most 0.75, and only the combination can reach 1; no
single linear feature sees the lesion or the motif, which sit at random positions.
Cells are missing at random: 12% of scans, 12% of promoters, 8% of biomarkers, 3% of ages;
no patient misses everything.

Deterministic: ``numpy.random.default_rng(SEED)``; re-running writes byte-identical files.
Run ``python sample_data/make_fusion.py [--out DIR]``.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_imaging import make_image  # noqa: E402  (the sibling generator script)

SEED = 20261130
PATIENTS = 1600
SEQUENCE_LENGTH = 120
MOTIF = "TATAAAGG"
MISSING = {"scan": 0.12, "promoter": 0.12, "biomarker": 0.08, "age": 0.03}


def promoter(rng: np.random.Generator, with_motif: bool) -> str:
    """A random sequence, with the motif once at a random position or nowhere."""
    while True:
        sequence = "".join(rng.choice(list("ACGT"), SEQUENCE_LENGTH))
        if MOTIF not in sequence:
            break
    if with_motif:
        start = int(rng.integers(0, SEQUENCE_LENGTH - len(MOTIF)))
        sequence = sequence[:start] + MOTIF + sequence[start + len(MOTIF) :]
    return sequence


def main(out: Path) -> None:
    rng = np.random.default_rng(SEED)
    (out / "scans").mkdir(parents=True, exist_ok=True)
    rows = []
    for i in range(1, PATIENTS + 1):
        lesion, motif, raised = (bool(v) for v in rng.random(3) < 0.5)
        scan = f"scans/p{i:04d}.png"
        cv2.imwrite(str(out / scan), make_image(rng, lesion), [cv2.IMWRITE_PNG_COMPRESSION, 9])
        row = {
            "patient_id": f"P{i:04d}",
            "scan": scan,
            "promoter": promoter(rng, motif),
            "age": round(float(rng.normal(62, 10)), 1),
            "sex": "female" if rng.random() < 0.5 else "male",
            "biomarker": round(float(rng.normal(1.5 if raised else 0.0, 1.0)), 3),
            "bmi": round(float(rng.normal(27, 4)), 1),
            "outcome": "yes" if lesion + motif + raised >= 2 else "no",
        }
        gone = [column for column, share in MISSING.items() if rng.random() < share]
        if set(gone) >= {"scan", "promoter", "biomarker"}:
            gone.remove("scan")  # the sample has no patient without any informative data
        for column in gone:
            row[column] = ""
            if column == "scan":
                (out / scan).unlink()
        rows.append(row)
    with (out / "patients.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "fusion")
    main(parser.parse_args().out)
