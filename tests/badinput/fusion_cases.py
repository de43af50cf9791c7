"""Bad-input corpus cases of ``pmtk run fusion`` (registered into ``make_corpus.CASES``)."""

from __future__ import annotations

import csv
from pathlib import Path

import cv2
import numpy as np

from tests.badinput.make_corpus import Invocation, case, sequences

#: Options that keep a fused training to a few seconds.
FUSION_FAST = ("--epochs", "1", "--batch-size", "8", "--encoder", "scan=seed",
               "--modality-option", "scan.image_size=16", "--modality-option", "promoter.filters=8",
               "--modality-option", "promoter.units=4", "--modality-option",
               "promoter.kernel_size=5", "--modality-option", "promoter.pool_size=4",
               "--bootstrap", "50")  # fmt: skip
COLUMNS = ["patient_id", "scan", "promoter", "age", "outcome"]


def fusion_rows(patients: int = 40, seed: int = 0) -> list[dict[str, str]]:
    """Patients with a scan path, a promoter, an age and an outcome (images not written)."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(patients):
        positive = i % 2 == 0
        rows.append({
            "patient_id": f"P{i:03d}",
            "scan": f"scans/p{i:03d}.png",
            "promoter": sequences(1, motif=positive, seed=seed * 1000 + i)[0],
            "age": f"{rng.normal(60, 10):.1f}",
            "outcome": "yes" if positive else "no",
        })  # fmt: skip
    return rows


def write_patients(folder: Path, rows: list[dict[str, str]] | None = None) -> Path:
    """Writes ``patients.csv`` and a 16x16 PNG for every non-empty scan cell that is listed."""
    rows = fusion_rows() if rows is None else rows
    (folder / "scans").mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(1)
    for row in rows:
        if row["scan"] and not row["scan"].startswith("gone/"):
            image = rng.integers(0, 255, (16, 16), dtype=np.uint8)
            cv2.imwrite(str(folder / row["scan"]), image)
    path = folder / "patients.csv"
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def fusion_args(data: Path, out: Path, *extra: str) -> list[str]:
    """``pmtk run fusion`` on ``data`` with the sample's two modality columns."""
    return ["run", "fusion", "--data", str(data), "--output", str(out), "--target", "outcome",
            "--id-column", "patient_id", "--modality", "scan=imaging",
            "--modality", "promoter=genomics", *FUSION_FAST, *extra]  # fmt: skip


def _changed(row: int, **cells: str) -> list[dict[str, str]]:
    rows = fusion_rows()
    rows[row - 1] |= cells
    return rows


@case("fusion-modality-column-absent")
def _absent(inputs: Path, out: Path, runs):
    data = write_patients(inputs)
    args = fusion_args(data, out, "--modality", "ct=imaging")
    return Invocation(args, ["patients.csv", "'ct'", "--modality"])


@case("fusion-modality-task-unknown")
def _unknown_task(inputs: Path, out: Path, runs):
    data = write_patients(inputs)
    args = fusion_args(data, out)
    args[args.index("promoter=genomics")] = "promoter=dna"
    return Invocation(args, ["--modality promoter=dna", "no task 'dna'"])


@case("fusion-modality-task-without-encoder")
def _no_encoder(inputs: Path, out: Path, runs):
    data = write_patients(inputs)
    args = fusion_args(data, out)
    args[args.index("promoter=genomics")] = "promoter=autoencoder"
    return Invocation(args, ["'autoencoder'", "registers no encoder"])


@case("fusion-modality-flag-malformed")
def _malformed(inputs: Path, out: Path, runs):
    data = write_patients(inputs)
    args = fusion_args(data, out)
    args[args.index("promoter=genomics")] = "promoter"
    return Invocation(args, ["--modality", "'promoter'"])


@case("fusion-image-path-missing")
def _image_missing(inputs: Path, out: Path, runs):
    data = write_patients(inputs, _changed(3, scan="gone/p002.png"))
    return Invocation(fusion_args(data, out), ["patients.csv", "line 4", "'scan'",
                                               "--skip-bad-images"])  # fmt: skip


@case("fusion-image-path-missing-skipped")
def _image_missing_skipped(inputs: Path, out: Path, runs):
    data = write_patients(inputs, _changed(3, scan="gone/p002.png"))
    return Invocation(fusion_args(data, out, "--skip-bad-images"), valid=True)


@case("fusion-patient-with-nothing")
def _nothing(inputs: Path, out: Path, runs):
    data = write_patients(inputs, _changed(5, scan="", promoter="", age=""))
    return Invocation(fusion_args(data, out), ["patients.csv", "line 6", "every modality"],
                      absent=["P004"])  # fmt: skip


@case("fusion-patient-id-repeated")
def _repeated(inputs: Path, out: Path, runs):
    data = write_patients(inputs, _changed(7, patient_id="P001"))
    return Invocation(fusion_args(data, out), ["patients.csv", "'patient_id'", "line 8"])


@case("fusion-modality-column-empty")
def _empty_column(inputs: Path, out: Path, runs):
    rows = [row | {"promoter": ""} for row in fusion_rows()]
    data = write_patients(inputs, rows)
    return Invocation(fusion_args(data, out), ["patients.csv", "'promoter'", "every patient"])


@case("fusion-sequence-invalid")
def _bad_sequence(inputs: Path, out: Path, runs):
    data = write_patients(inputs, _changed(9, promoter="ACGTXACGT"))
    return Invocation(fusion_args(data, out), ["patients.csv", "line 10", "'promoter'", "'X'"])


@case("fusion-modality-option-unknown")
def _unknown_option(inputs: Path, out: Path, runs):
    data = write_patients(inputs)
    args = fusion_args(data, out, "--modality-option", "scan.zoom=2")
    return Invocation(args, ["scan.zoom", "no option 'zoom'"])


def with_gaps(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Empties every fifth scan (from row 0), every sixth promoter (from row 1) and every
    fourth age (from row 2); no patient loses all three, and row 3 keeps everything."""
    for column, start, step in (("scan", 0, 5), ("promoter", 1, 6), ("age", 2, 4)):
        for row in rows[start::step]:
            row[column] = ""
    return rows


@case("valid-fusion-missing-cells")
def _missing_cells(inputs: Path, out: Path, runs):
    data = write_patients(inputs, with_gaps(fusion_rows()))
    return Invocation(fusion_args(data, out), valid=True, absent=["P000", "P001"])
