"""pmtk's bad-input corpus: small bad or odd inputs for every task and command.

Each case writes its input files into a folder of its own and says how to run pmtk
on them and what must happen: exit status 1 and one ``Error:`` sentence holding
given fragments (a file name, column, line or record), or, for odd-but-valid
inputs, exit status 0. ``tests/badinput/test_corpus.py`` runs every case.

To look at the files and commands by hand::

    python -m tests.badinput.make_corpus /tmp/corpus

writes every case that needs no trained run into ``/tmp/corpus/<case>/in`` and
prints its command line.
"""

from __future__ import annotations

import gzip
import json
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

#: Options that keep each training to a second or two.
FAST = {
    "risk": ("--epochs", "1", "--batch-size", "16", "--importance-repeats", "0"),
    "autoencoder": ("--epochs", "1", "--batch-size", "16", "--latent-dim", "2",
                    "--hidden-units", "8"),
    "genomics": ("--epochs", "1", "--batch-size", "8", "--filters", "8", "--units", "4",
                 "--kernel-size", "5", "--pool-size", "4"),
    "imaging": ("--model", "seed", "--image-size", "16", "--epochs", "1", "--batch-size", "8"),
}  # fmt: skip
MOTIF = "TTGACGTCAA"


@dataclass
class Invocation:
    """How to run pmtk on a case and what must happen.

    Attributes:
        args: Arguments after ``pmtk``.
        fragments: Texts the one ``Error:`` sentence must hold (empty for a valid case).
        valid: The command must succeed (exit 0).
        absent: Texts that must not appear anywhere in the output (patient ids).
    """

    args: list[str]
    fragments: list[str] = field(default_factory=list)
    valid: bool = False
    absent: list[str] = field(default_factory=list)


@dataclass
class Case:
    """One corpus entry: ``build(inputs, out, runs)`` writes the files and returns the run."""

    id: str
    build: Callable[[Path, Path, dict[str, Path]], Invocation]
    needs_runs: bool = False


CASES: list[Case] = []


def case(case_id: str, *, needs_runs: bool = False):
    """Registers a builder as a corpus case."""

    def register(build):
        CASES.append(Case(case_id, build, needs_runs))
        return build

    return register


# ---------------------------------------------------------------- data writers


def cohort_rows(rows: int = 40, seed: int = 0) -> list[list[str]]:
    """A learnable binary cohort: header then rows of pid, age, bmi, smoking, outcome."""
    rng = np.random.default_rng(seed)
    table = [["pid", "age", "bmi", "smoking", "outcome"]]
    for i in range(rows):
        age = int(rng.integers(30, 90))
        smoking = str(rng.choice(["never", "former", "current"]))
        outcome = (
            "yes" if (age - 60) / 10 + (smoking == "current") + rng.normal(0, 0.5) > 0 else "no"
        )
        table.append([f"P{i:04d}", str(age), f"{rng.normal(27, 4):.1f}", smoking, outcome])
    return table


def write_cohort(path: Path, rows: list[list[str]] | None = None, *, separator: str = ",",
                 newline: str = "\n", encoding: str = "utf-8") -> Path:  # fmt: skip
    """Writes cohort rows as delimited text."""
    rows = cohort_rows() if rows is None else rows
    path.parent.mkdir(parents=True, exist_ok=True)
    text = newline.join(separator.join(row) for row in rows) + newline
    path.write_bytes(text.encode(encoding))
    return path


def with_cell(rows: list[list[str]], row: int, column: str, value: str) -> list[list[str]]:
    """A copy of cohort rows with one cell replaced (``row`` 1 is the first data row)."""
    rows = [list(r) for r in rows]
    rows[row][rows[0].index(column)] = value
    return rows


def write_features(path: Path, rows: int = 30, *, cell: tuple[int, str, str] | None = None,
                   header: str | None = None) -> Path:  # fmt: skip
    """An autoencoder table: sample_id and four correlated numeric features."""
    rng = np.random.default_rng(1)
    base = rng.normal(size=(rows, 2))
    values = np.column_stack([base, base @ rng.normal(size=(2, 2))]).round(4)
    lines = [[f"S{i:03d}", *map(str, row)] for i, row in enumerate(values)]
    if cell is not None:
        row, column, value = cell
        lines[row - 1][["sample_id", "f1", "f2", "f3", "f4"].index(column)] = value
    path.parent.mkdir(parents=True, exist_ok=True)
    text = (header or "sample_id,f1,f2,f3,f4") + "\n" + "\n".join(",".join(r) for r in lines)
    path.write_text(text + "\n")
    return path


def sequences(count: int, *, motif: bool, seed: int) -> list[str]:
    """Random DNA of 24-36 bases, with ``MOTIF`` planted when ``motif``."""
    rng = np.random.default_rng(seed)
    result = []
    for _ in range(count):
        bases = "".join(rng.choice(list("ACGT"), int(rng.integers(24, 37))))
        if motif:
            start = int(rng.integers(0, len(bases) - len(MOTIF)))
            bases = bases[:start] + MOTIF + bases[start + len(MOTIF) :]
        result.append(bases)
    return result


def write_fasta(path: Path, records: list[tuple[str, str]]) -> Path:
    """Writes FASTA records (gzip-compressed when the name ends in ``.gz``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(f">{title}\n{sequence}\n" for title, sequence in records)
    path.write_bytes(gzip.compress(text.encode()) if path.name.endswith(".gz") else text.encode())
    return path


def fasta_folder(root: Path, per_class: int = 12, *, lower: bool = False) -> Path:
    """Folder layout: ``bound.fa`` (motif) and ``unbound.fa``."""
    for index, name in enumerate(("bound", "unbound")):
        found = sequences(per_class, motif=index == 0, seed=index)
        found = [s.lower() for s in found] if lower else found
        write_fasta(root / f"{name}.fa", [(f"{name}_{i}", s) for i, s in enumerate(found)])
    return root


def image_folder(root: Path, per_class: int = 8) -> Path:
    """Two-class folder-per-class PNGs (16x16)."""
    from tests.conftest import write_images

    return write_images(root, per_class=per_class, size=16)


def files(root: Path, contents: dict[str, bytes | str]) -> Path:
    """Writes named files under ``root``."""
    for name, content in contents.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)
    return root


def copy_run(run: Path, target: Path) -> Path:
    """A copy of a trained run, to damage."""
    shutil.copytree(run, target, ignore=shutil.ignore_patterns("logs"))
    return target


def run_args(task: str, data: Path | str, output: Path, *extra: str) -> list[str]:
    """``run TASK --data DATA --output OUTPUT`` with the fast options."""
    return ["run", task, "--data", str(data), "--output", str(output), *FAST[task], *extra]


# ---------------------------------------------------------------- risk: pmtk run


def _risk(cell: tuple[int, str, str] | None = None, name: str = "cohort.csv", extra=()):
    """A risk case on the cohort with one cell changed; returns a builder."""

    def build(inputs: Path, out: Path, runs) -> tuple[Path, list[str]]:
        rows = cohort_rows() if cell is None else with_cell(cohort_rows(), *cell)
        data = write_cohort(inputs / name, rows)
        return data, run_args("risk", data, out / "run", "--target", "outcome", *extra)

    return build


def _simple(builder, fragments, *, valid=False, absent=()):
    """Wraps a ``(data, args)`` builder into an Invocation builder."""

    def build(inputs: Path, out: Path, runs):
        _, args = builder(inputs, out, runs)
        return Invocation(args, list(fragments), valid, list(absent))

    return build


for _id, _cell, _fragments in [
    ("risk-inf", (3, "age", "inf"), ["cohort.csv", "column 'age'", "line 4", "infinite"]),
    ("risk-minus-inf", (5, "bmi", "-inf"), ["cohort.csv", "column 'bmi'", "line 6"]),
    ("risk-1e400", (2, "bmi", "1e400"), ["cohort.csv", "column 'bmi'", "line 3"]),
    ("risk-Infinity", (9, "age", "Infinity"), ["column 'age'", "line 10"]),
    ("risk-text-in-numbers", (7, "age", "sixty"), ["cohort.csv", "column 'age'", "line 8"]),
]:
    case(_id)(_simple(_risk(_cell), _fragments))


def _infinite_score(inputs: Path, out: Path, runs):
    rows = [
        r[:-1] + [f"{int(r[1]) / 7:.3f}" if i else "score"] for i, r in enumerate(cohort_rows())
    ]
    data = write_cohort(inputs / "cohort.csv", with_cell(rows, 4, "score", "inf"))
    return data, run_args("risk", data, out / "run", "--target", "score")


case("risk-inf-in-numeric-target")(
    _simple(_infinite_score, ["cohort.csv", "column 'score'", "line 5"])
)


def _one_class(inputs: Path, out: Path, runs):
    rows = [r[:-1] + ["yes"] for r in cohort_rows()]
    rows[0][-1] = "outcome"
    data = write_cohort(inputs / "cohort.csv", rows)
    return data, run_args("risk", data, out / "run", "--target", "outcome")


case("risk-one-outcome")(_simple(_one_class, ["cohort.csv", "'outcome'", "only the value"]))


def _duplicate_header(inputs: Path, out: Path, runs):
    rows = cohort_rows()
    rows[0][2] = "age"
    data = write_cohort(inputs / "cohort.csv", rows)
    return data, run_args("risk", data, out / "run", "--target", "outcome")


case("risk-duplicate-column")(_simple(_duplicate_header, ["cohort.csv", "'age' twice"]))


def _risk_file(name: str, content: bytes | str, *extra: str):
    def build(inputs: Path, out: Path, runs):
        data = files(inputs, {name: content}) / name
        return data, run_args("risk", data, out / "run", "--target", "outcome", *extra)

    return build


_CSV = "\n".join(",".join(r) for r in cohort_rows()) + "\n"
for _id, _name, _content, _fragments in [
    ("risk-empty-file", "empty.csv", b"", ["empty.csv", "is empty"]),
    ("risk-blank-lines-only", "blank.csv", "\n\n  \n", ["blank.csv", "is empty"]),
    ("risk-header-only", "header.csv", "pid,age,outcome\n", ["header.csv", "no data rows"]),
    ("risk-binary", "binary.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00", ["binary.csv", "binary"]),
    ("risk-ragged-rows", "ragged.csv", _CSV + "P9,1,2,never,yes,extra,more\n",
     ["ragged.csv", "as many fields"]),
    ("risk-unclosed-quote", "quote.csv", _CSV.replace("never", '"never', 1),
     ["quote.csv", "cannot be read"]),
    ("risk-excel-file", "cohort.xlsx", b"PK\x03\x04 not really", ["cohort.xlsx", "extension"]),
    ("risk-fake-gzip", "cohort.csv.gz", _CSV, ["cohort.csv.gz", "cannot be read"]),
    ("risk-corrupt-parquet", "cohort.parquet", b"PAR1garbagePAR1",
     ["cohort.parquet", "Parquet"]),
    ("risk-no-feature-columns", "ids.csv", "pid,outcome\nA,yes\nB,no\nC,yes\n",
     ["ids.csv", "no feature columns"]),
    ("risk-empty-column", "gap.csv", "age,note,outcome\n61,,yes\n50,,no\n70,,yes\n",
     ["gap.csv", "column 'note' is empty"]),
]:  # fmt: skip
    case(_id)(_simple(_risk_file(_name, _content), _fragments))

for _id, _extra, _fragments in [
    ("risk-target-missing", ("--target", "nope"), ["cohort.csv", "no column 'nope'"]),
    ("risk-id-is-target", ("--id-column", "outcome"), ["--id-column 'outcome'"]),
    ("risk-exclude-unknown", ("--exclude", "weight"), ["cohort.csv", "no column 'weight'"]),
    ("risk-learning-rate-nan", ("--learning-rate", "nan"), ["--learning-rate", "finite"]),
    ("risk-learning-rate-inf", ("--learning-rate", "inf"), ["--learning-rate", "finite"]),
    ("risk-fraction-nan", ("--val-fraction", "nan"), ["--val-fraction", "finite"]),
    ("risk-dropout-inf", ("--dropout-rate", "-inf"), ["--dropout-rate", "finite"]),
]:
    case(_id)(_simple(_risk(extra=_extra), _fragments))


def _repeated_ids(inputs: Path, out: Path, runs):
    data = write_cohort(inputs / "cohort.csv", with_cell(cohort_rows(), 6, "pid", "P0002"))
    return data, run_args("risk", data, out / "run", "--target", "outcome", "--id-column", "pid")


case("risk-repeated-id")(
    _simple(_repeated_ids, ["cohort.csv", "line 7", "'pid'"], absent=["P0002"])
)


def _no_target_option(inputs: Path, out: Path, runs):
    data = write_cohort(inputs / "cohort.csv")
    return data, run_args("risk", data, out / "run")


case("risk-no-target-option")(_simple(_no_target_option, ["cohort.csv", "--target"]))


@case("risk-missing-data")
def _missing_data(inputs: Path, out: Path, runs):
    inputs.mkdir(parents=True, exist_ok=True)
    args = run_args("risk", inputs / "nope.csv", out / "run", "--target", "outcome")
    return Invocation(args, ["nope.csv", "does not exist"])


@case("risk-data-is-folder")
def _data_folder(inputs: Path, out: Path, runs):
    write_cohort(inputs / "cohort.csv")
    args = run_args("risk", inputs, out / "run", "--target", "outcome")
    return Invocation(args, [inputs.name, "is a folder"])


# ------------------------------------------------------- output paths of pmtk run


@case("run-output-is-the-data-file")
def _output_is_data(inputs: Path, out: Path, runs):
    data = write_cohort(inputs / "cohort.csv")
    args = run_args("risk", data, data, "--target", "outcome")
    return Invocation(args, ["--output", "cohort.csv", "is the input"])


@case("run-output-inside-image-folder")
def _output_in_scans(inputs: Path, out: Path, runs):
    scans = image_folder(inputs / "scans")
    return Invocation(
        run_args("imaging", scans, scans / "run1"), ["scans/run1", "inside the input"]
    )


@case("run-output-is-image-folder")
def _output_is_scans(inputs: Path, out: Path, runs):
    scans = image_folder(inputs / "scans")
    return Invocation(run_args("imaging", scans, scans), ["scans", "is the input"])


@case("run-output-under-a-file")
def _output_under_file(inputs: Path, out: Path, runs):
    data = write_cohort(inputs / "cohort.csv")
    notes = files(inputs, {"notes.txt": "my notes\n"}) / "notes.txt"
    args = run_args("risk", data, notes / "run", "--target", "outcome")
    return Invocation(args, ["notes.txt", "is a file, not a folder"])


@case("run-output-unwritable")
def _output_unwritable(inputs: Path, out: Path, runs):
    data = write_cohort(inputs / "cohort.csv")
    args = run_args("risk", data, Path("/proc/pmtk-corpus/run"), "--target", "outcome")
    return Invocation(args, ["/proc/pmtk-corpus/run", "cannot be written"])


@case("run-output-inside-fasta-folder")
def _output_in_fasta(inputs: Path, out: Path, runs):
    folder = fasta_folder(inputs / "fasta")
    return Invocation(run_args("genomics", folder, folder / "runs" / "r1"), ["inside the input"])


@case("run-output-is-existing-nonempty-folder")
def _output_exists(inputs: Path, out: Path, runs):
    data = write_cohort(inputs / "cohort.csv")
    files(out / "run", {"keep.txt": "precious\n"})
    args = run_args("risk", data, out / "run", "--target", "outcome")
    return Invocation(args, ["already exists and is not empty"])


# ------------------------------------------------------------ config files


def _risk_config(text: str, fragments: list[str]):
    def build(inputs: Path, out: Path, runs):
        data = write_cohort(inputs / "cohort.csv")
        config = files(inputs, {"run.toml": text}) / "run.toml"
        args = run_args("risk", data, out / "run", "--target", "outcome", "--config", str(config))
        return Invocation(args, fragments)

    return build


case("config-not-toml")(_risk_config("epochs = = 3\n", ["run.toml", "not valid TOML"]))
case("config-unknown-key")(_risk_config("epoch = 3\n", ["run.toml", "unknown option 'epoch'"]))
case("config-wrong-type")(_risk_config('epochs = "3"\n', ["run.toml", "'epochs' must be int"]))
case("config-nan")(_risk_config("learning-rate = nan\n", ["learning-rate", "finite"]))

# ---------------------------------------------------------- autoencoder: pmtk run


def _features(cell=None, header=None, extra=("--id-column", "sample_id")):
    def build(inputs: Path, out: Path, runs):
        data = write_features(inputs / "features.csv", cell=cell, header=header)
        return data, run_args("autoencoder", data, out / "run", *extra)

    return build


for _id, _builder, _fragments in [
    ("ae-inf", _features((4, "f2", "inf")), ["features.csv", "column 'f2'", "line 5"]),
    ("ae-1e400", _features((1, "f1", "1e400")), ["features.csv", "column 'f1'", "line 2"]),
    ("ae-minus-inf", _features((30, "f4", "-inf")), ["column 'f4'", "line 31"]),
    ("ae-text-value", _features((3, "f3", "n/a?")), ["features.csv", "f3"]),
    ("ae-duplicate-column", _features(header="sample_id,f1,f2,f1,f4"),
     ["features.csv", "'f1' twice"]),
    ("ae-repeated-id", _features((9, "sample_id", "S000")),
     ["features.csv", "line 10", "'sample_id'"]),
    ("ae-missing-id", _features((2, "sample_id", "")), ["features.csv", "line 3", "no value"]),
    ("ae-no-id-column-option", _features(extra=()), ["features.csv", "sample_id"]),
    ("ae-latent-too-big", _features(extra=("--id-column", "sample_id", "--latent-dim", "9")),
     ["--latent-dim", "features.csv"]),
    ("ae-denoise-nan", _features(extra=("--id-column", "sample_id", "--denoise", "nan")),
     ["--denoise", "finite"]),
    ("ae-exclude-unknown", _features(extra=("--id-column", "sample_id", "--exclude", "f9")),
     ["features.csv", "no column 'f9'"]),
    ("ae-color-unknown", _features(extra=("--id-column", "sample_id", "--color-column", "c")),
     ["features.csv", "no column 'c'"]),
]:  # fmt: skip
    case(_id)(_simple(_builder, _fragments, absent=["S000", "S008"]))


@case("ae-header-only")
def _ae_header_only(inputs: Path, out: Path, runs):
    data = files(inputs, {"features.tsv": "sample_id\tf1\tf2\n"}) / "features.tsv"
    return Invocation(run_args("autoencoder", data, out / "run"), ["features.tsv", "no rows"])


@case("ae-data-is-folder")
def _ae_folder(inputs: Path, out: Path, runs):
    write_features(inputs / "features.csv")
    return Invocation(run_args("autoencoder", inputs, out / "run"), ["is a folder"])


# ------------------------------------------------------------ genomics: pmtk run


def _genomics(files_: dict[str, str], fragments: list[str], *extra: str):
    def build(inputs: Path, out: Path, runs):
        fasta_folder(inputs / "fasta")
        files(inputs / "fasta", files_)
        return Invocation(run_args("genomics", inputs / "fasta", out / "run", *extra), fragments)

    return build


_GOOD = sequences(1, motif=False, seed=5)[0]
for _id, _files, _fragments in [
    ("gen-invalid-base", {"unbound.fa": f">u1\n{_GOOD}\n>u2\nACGTXACGT\n"},
     ["unbound.fa", "'X'", "position 5"]),
    ("gen-rna", {"bound.fa": f">b1\n{_GOOD}\n>b2\nACGUACGU\n"}, ["bound.fa", "'U'", "RNA"]),
    ("gen-empty-record", {"unbound.fa": f">u1\n{_GOOD}\n>u2\n>u3\n{_GOOD}\n"},
     ["unbound.fa", "empty sequence"]),
    ("gen-empty-file", {"unbound.fa": ""}, ["unbound.fa", "no FASTA records"]),
    ("gen-not-fasta", {"unbound.fa": "sequence,label\nACGT,x\n"}, ["unbound.fa", "not FASTA"]),
    ("gen-fake-gzip", {"extra.fa.gz": ">a\nACGT\n"}, ["extra.fa.gz"]),
    ("gen-mixed-layout", {"table.csv": "sequence,label\nACGT,a\n"}, ["mixes layouts"]),
]:  # fmt: skip
    case(_id)(_genomics(_files, _fragments))


def _genomics_file(name: str, content: str, fragments: list[str]):
    def build(inputs: Path, out: Path, runs):
        data = files(inputs, {name: content}) / name
        return Invocation(run_args("genomics", data, out / "run"), fragments)

    return build


_TABLE = "sequence,label\n" + "".join(
    f"{s},{'b' if i % 2 else 'u'}\n" for i, s in enumerate(sequences(12, motif=False, seed=3))
)
for _id, _name, _content, _fragments in [
    ("gen-one-class", "bound.fa",
     "".join(f">b{i}\n{s}\n" for i, s in enumerate(sequences(8, motif=True, seed=1))),
     ["bound.fa", "bound"]),
    ("gen-table-no-sequence", "seqs.csv", "seq,label\nACGT,a\n", ["seqs.csv", "'sequence'"]),
    ("gen-table-empty-label", "seqs.csv", _TABLE.replace(",u\n", ",\n", 1),
     ["seqs.csv", "row 2", "label is empty"]),
    ("gen-table-bad-base", "seqs.tsv", _TABLE.replace(",", "\t").replace("\tu\n", "Z\tu\n", 1),
     ["seqs.tsv", "'Z'"]),
    ("gen-labelled-fasta-without-label", "all.fa",
     ">a label=x\nACGTACGT\n>b label=y\nACGTTTGG\n>c\nACGTAAAA\n", ["all.fa", "label="]),
    ("gen-unknown-format", "seqs.json", '{"sequence": "ACGT"}', ["seqs.json"]),
]:  # fmt: skip
    case(_id)(_genomics_file(_name, _content, _fragments))

# ------------------------------------------------------------- imaging: pmtk run


def _imaging(prepare: Callable[[Path], Path], fragments: list[str]):
    def build(inputs: Path, out: Path, runs):
        return Invocation(run_args("imaging", prepare(inputs), out / "run"), fragments)

    return build


def _broken_image(inputs: Path) -> Path:
    scans = image_folder(inputs / "scans")
    (scans / "lesion" / "lesion_003.png").write_bytes(b"\x89PNG\r\n\x1a\nbroken")
    return scans


def _text_as_image(inputs: Path) -> Path:
    scans = image_folder(inputs / "scans")
    (scans / "normal" / "normal_002.png").write_text("not an image\n")
    return scans


def _empty_image(inputs: Path) -> Path:
    scans = image_folder(inputs / "scans")
    (scans / "normal" / "normal_004.png").write_bytes(b"")
    return scans


def _one_image_class(inputs: Path) -> Path:
    scans = image_folder(inputs / "scans")
    shutil.rmtree(scans / "normal")
    return scans


def _no_images(inputs: Path) -> Path:
    return files(inputs / "scans", {"notes.txt": "none\n", "lesion/readme.md": "x\n"})


def _flat_unlabelled(inputs: Path) -> Path:
    from tests.conftest import write_images

    scans = write_images(inputs / "scans", per_class=4, size=16, layout="flat")
    (scans / "lesion_000.png").rename(scans / "scan17.png")
    return scans


def _mixed_images(inputs: Path) -> Path:
    scans = image_folder(inputs / "scans")
    shutil.copy(scans / "lesion" / "lesion_000.png", scans / "loose.png")
    return scans


def _manifest(text: str) -> Callable[[Path], Path]:
    def prepare(inputs: Path) -> Path:
        image_folder(inputs / "scans")
        return files(inputs, {"manifest.csv": text}) / "manifest.csv"

    return prepare


_ROWS = "".join(f"scans/{c}/{c}_{i:03d}.png,{c}\n" for c in ("lesion", "normal") for i in range(8))
for _id, _prepare, _fragments in [
    ("img-corrupt-png", _broken_image, ["lesion_003.png", "--skip-bad-images"]),
    ("img-text-named-png", _text_as_image, ["normal_002.png"]),
    ("img-empty-png", _empty_image, ["normal_004.png"]),
    ("img-one-class", _one_image_class, ["scans", "lesion"]),
    ("img-no-images", _no_images, ["scans", "no images"]),
    ("img-flat-without-class", _flat_unlabelled, ["scan17.png", "no class"]),
    ("img-mixed-layout", _mixed_images, ["scans", "loose.png"]),
    ("img-manifest-missing-file", _manifest("path,label\n" + _ROWS + "scans/p9.png,lesion\n"),
     ["manifest.csv", "row 18", "p9.png"]),
    ("img-manifest-no-label", _manifest("path,class\nscans/lesion/lesion_000.png,lesion\n"),
     ["manifest.csv", "'label'"]),
    ("img-manifest-empty-label", _manifest("path,label\n" + _ROWS.replace(",normal\n", ",\n", 1)),
     ["manifest.csv", "row 10", "label is empty"]),
    ("img-manifest-empty-path", _manifest("path,label\n,lesion\n" + _ROWS),
     ["manifest.csv", "row 2", "path is empty"]),
]:  # fmt: skip
    case(_id)(_imaging(_prepare, _fragments))

# ------------------------------------------------------------------ pmtk predict


def _new_rows(inputs: Path, name: str = "new.csv", **changes: str) -> Path:
    rows = [r[:-1] for r in cohort_rows(6, seed=9)]
    for key, value in changes.items():
        row, column = key.rsplit("_", 1)
        rows = with_cell(rows, int(row[1:]), column, value)
    return write_cohort(inputs / name, rows)


@case("predict-output-is-the-data", needs_runs=True)
def _predict_over_data(inputs: Path, out: Path, runs):
    new = _new_rows(inputs)
    args = ["predict", str(runs["risk"]), "--data", str(new), "--output", str(new)]
    return Invocation(args, ["--output", "new.csv", "is the input"])


@case("predict-output-into-the-run", needs_runs=True)
def _predict_into_run(inputs: Path, out: Path, runs):
    new = _new_rows(inputs)
    target = runs["risk"] / "predictions.csv"
    args = ["predict", str(runs["risk"]), "--data", str(new), "--output", str(target)]
    return Invocation(args, ["predictions.csv", "inside the input"])


@case("predict-output-is-a-folder", needs_runs=True)
def _predict_to_folder(inputs: Path, out: Path, runs):
    new = _new_rows(inputs)
    out.mkdir(parents=True, exist_ok=True)
    args = ["predict", str(runs["risk"]), "--data", str(new), "--output", str(out)]
    return Invocation(args, ["is a folder", "CSV file"])


@case("predict-output-under-a-file", needs_runs=True)
def _predict_under_file(inputs: Path, out: Path, runs):
    new = _new_rows(inputs)
    args = ["predict", str(runs["risk"]), "--data", str(new), "--output", str(new / "p.csv")]
    return Invocation(args, ["new.csv"])


def _damaged_run(damage: Callable[[Path], None], fragments: list[str], task: str = "risk"):
    def build(inputs: Path, out: Path, runs):
        new = _new_rows(inputs)
        run = copy_run(runs[task], inputs / "run")
        damage(run)
        args = ["predict", str(run), "--data", str(new), "--output", str(out / "p.csv")]
        return Invocation(args, fragments)

    return build


def _truncate(run: Path) -> None:
    model = run / "model.keras"
    model.write_bytes(model.read_bytes()[: model.stat().st_size // 2])


def _flip_bytes(run: Path) -> None:
    model = run / "model.keras"
    data = bytearray(model.read_bytes())
    middle = len(data) // 3
    data[middle : middle + 64] = bytes(byte ^ 0xFF for byte in data[middle : middle + 64])
    model.write_bytes(bytes(data))


def _lambda_model(run: Path) -> None:
    import keras

    inputs = keras.Input((3,))
    keras.Model(inputs, keras.layers.Lambda(lambda x: x * 2)(inputs)).save(run / "model.keras")


def _edit_config(change: Callable[[dict], dict]) -> Callable[[Path], None]:
    def damage(run: Path) -> None:
        config = json.loads((run / "config.json").read_text())
        (run / "config.json").write_text(json.dumps(change(config)))

    return damage


for _id, _damage, _fragments in [
    ("predict-model-missing", lambda run: (run / "model.keras").unlink(), ["run", "model.keras"]),
    ("predict-config-missing", lambda run: (run / "config.json").unlink(), ["run", "config.json"]),
    ("predict-model-truncated", _truncate, ["model.keras", "damaged"]),
    ("predict-model-corrupt", _flip_bytes, ["model.keras", "damaged"]),
    ("predict-model-is-text", lambda run: (run / "model.keras").write_text("hello\n"),
     ["model.keras", "damaged"]),
    ("predict-model-lambda", _lambda_model, ["model.keras", "safe mode"]),
    ("predict-config-not-json", lambda run: (run / "config.json").write_text('{"task": "risk",'),
     ["config.json", "JSON"]),
    ("predict-config-empty", lambda run: (run / "config.json").write_text(""),
     ["config.json", "JSON"]),
    ("predict-config-list", lambda run: (run / "config.json").write_text("[1, 2]"),
     ["config.json", "'task'"]),
    ("predict-config-no-target", _edit_config(lambda c: {k: v for k, v in c.items()
                                                         if k != "target"}),
     ["config.json", "'target'"]),
    ("predict-task-not-installed", _edit_config(lambda c: c | {"task": "ecg"}),
     ["config.json", "'ecg'", "install"]),
]:  # fmt: skip
    case(_id, needs_runs=True)(_damaged_run(_damage, _fragments))


def _predict_on(task: str, write: Callable[[Path], Path], fragments: list[str], absent=()):
    def build(inputs: Path, out: Path, runs):
        data = write(inputs)
        args = ["predict", str(runs[task]), "--data", str(data), "--output", str(out / "p.csv")]
        return Invocation(args, fragments, absent=list(absent))

    return build


def _no_age(inputs: Path) -> Path:
    rows = [[c for i, c in enumerate(r) if i != 1] for r in cohort_rows(4, seed=9)]
    return write_cohort(inputs / "new.csv", rows)


for _id, _task, _write, _fragments in [
    ("predict-risk-inf", "risk", lambda d: _new_rows(d, r2_age="inf"),
     ["new.csv", "column 'age'", "line 3"]),
    ("predict-risk-missing-column", "risk", _no_age, ["new.csv", "'age'"]),
    ("predict-risk-text-in-numbers", "risk", lambda d: _new_rows(d, r3_bmi="high"),
     ["new.csv", "column 'bmi'", "line 4"]),
    ("predict-risk-duplicate-column", "risk",
     lambda d: files(d, {"new.csv": "pid,age,bmi,age\nA,1,2,3\n"}) / "new.csv",
     ["new.csv", "'age' twice"]),
    ("predict-data-missing", "risk", lambda d: d / "absent.csv", ["absent.csv", "does not exist"]),
    ("predict-ae-inf", "autoencoder",
     lambda d: write_features(d / "f.csv", 5, cell=(2, "f3", "-inf")),
     ["f.csv", "column 'f3'", "line 3"]),
    ("predict-ae-missing-feature", "autoencoder",
     lambda d: files(d, {"f.csv": "sample_id,f1,f2\nS1,1,2\n"}) / "f.csv", ["f.csv", "f3"]),
    ("predict-gen-invalid-base", "genomics",
     lambda d: write_fasta(d / "new.fa", [("n1", _GOOD), ("n2", "ACGT*ACGT")]),
     ["new.fa", "'*'"]),
]:  # fmt: skip
    case(_id, needs_runs=True)(_predict_on(_task, _write, _fragments, absent=["P0002"]))

# ------------------------------------------------------------------ pmtk explain


def _explain(args_for: Callable[[Path, Path, dict], list[str]], fragments: list[str]):
    def build(inputs: Path, out: Path, runs):
        return Invocation(["explain", *args_for(inputs, out, runs)], fragments)

    return build


def _explain_output_in_data(inputs: Path, out: Path, runs):
    folder = fasta_folder(inputs / "fasta", per_class=2)
    return [str(runs["genomics"]), "--data", str(folder), "--output", str(folder / "ism")]


def _explain_output_is_run(inputs: Path, out: Path, runs):
    data = write_fasta(inputs / "new.fa", [("n1", _GOOD)])
    return [str(runs["genomics"]), "--data", str(data), "--output", str(runs["genomics"])]


def _explain_risk_run(inputs: Path, out: Path, runs):
    data = write_fasta(inputs / "new.fa", [("n1", _GOOD)])
    return [str(runs["risk"]), "--data", str(data), "--output", str(out / "ism")]


def _explain_bad_base(inputs: Path, out: Path, runs):
    data = write_fasta(inputs / "new.fa", [("n1", _GOOD), ("n2", "ACGTJ")])
    return [str(runs["genomics"]), "--data", str(data), "--output", str(out / "ism")]


def _explain_broken_config(inputs: Path, out: Path, runs):
    data = write_fasta(inputs / "new.fa", [("n1", _GOOD)])
    run = copy_run(runs["genomics"], inputs / "run")
    (run / "config.json").write_text("{")
    return [str(run), "--data", str(data), "--output", str(out / "ism")]


for _id, _args, _fragments in [
    ("explain-output-inside-data", _explain_output_in_data, ["inside the input"]),
    ("explain-output-is-the-run", _explain_output_is_run, ["is the input"]),
    ("explain-risk-run", _explain_risk_run, ["'risk' run", "genomics"]),
    ("explain-invalid-base", _explain_bad_base, ["new.fa", "'J'"]),
    ("explain-config-not-json", _explain_broken_config, ["config.json", "JSON"]),
]:
    case(_id, needs_runs=True)(_explain(_args, _fragments))

# ------------------------------------------------------------ odd but valid


@case("valid-risk-bom-crlf")
def _bom_crlf(inputs: Path, out: Path, runs):
    data = write_cohort(inputs / "cohort.csv", newline="\r\n", encoding="utf-8-sig")
    return Invocation(run_args("risk", data, out / "run", "--target", "outcome"), valid=True)


@case("valid-risk-latin1-semicolon")
def _latin1(inputs: Path, out: Path, runs):
    rows = [[c.replace("never", "jamais-été") for c in r] for r in cohort_rows()]
    data = write_cohort(inputs / "cohort.csv", rows, separator=";", encoding="latin-1")
    return Invocation(run_args("risk", data, out / "run", "--target", "outcome"), valid=True)


@case("valid-risk-missing-outcomes-named-by-line")
def _privacy(inputs: Path, out: Path, runs):
    rows = with_cell(with_cell(cohort_rows(), 2, "outcome", ""), 7, "outcome", "")
    data = write_cohort(inputs / "cohort.csv", rows)
    args = run_args("risk", data, out / "run", "--target", "outcome", "--id-column", "pid")
    return Invocation(args, ["line 3, line 8"], valid=True, absent=["P0001", "P0006"])


@case("valid-risk-nonfinite-as-missing")
def _risk_nonfinite(inputs: Path, out: Path, runs):
    data = write_cohort(inputs / "cohort.csv", with_cell(cohort_rows(), 4, "bmi", "1e400"))
    args = run_args("risk", data, out / "run", "--target", "outcome", "--nonfinite-as-missing")
    return Invocation(args, ["treated as missing"], valid=True)


@case("valid-ae-nonfinite-as-missing")
def _ae_nonfinite(inputs: Path, out: Path, runs):
    data = write_features(inputs / "features.csv", cell=(3, "f2", "-inf"))
    args = run_args("autoencoder", data, out / "run", "--id-column", "sample_id",
                    "--nonfinite-as-missing")  # fmt: skip
    return Invocation(args, ["treated as missing"], valid=True)


@case("valid-imaging-unicode-and-spaces-in-paths")
def _unicode_paths(inputs: Path, out: Path, runs):
    scans = image_folder(inputs / "scans ü 1")
    return Invocation(run_args("imaging", scans, out / "run ünïcode 1"), valid=True)


@case("valid-genomics-lower-case")
def _lower_case(inputs: Path, out: Path, runs):
    folder = fasta_folder(inputs / "fasta", lower=True)
    return Invocation(run_args("genomics", folder, out / "run"), valid=True)


@case("valid-predict-bom-crlf-latin1", needs_runs=True)
def _predict_odd_csv(inputs: Path, out: Path, runs):
    rows = [[c.replace("never", "never") for c in r[:-1]] for r in cohort_rows(5, seed=4)]
    rows[2][3] = "fumeur-été"  # an unseen category in Latin-1
    data = write_cohort(inputs / "new file é.csv", rows, separator=";", newline="\r\n",
                        encoding="latin-1")  # fmt: skip
    args = ["predict", str(runs["risk"]), "--data", str(data), "--output", str(out / "p é.csv")]
    return Invocation(args, valid=True)


@case("valid-predict-lower-case-gzip-fasta", needs_runs=True)
def _predict_lower(inputs: Path, out: Path, runs):
    data = write_fasta(inputs / "new.fa.gz", [("n1", _GOOD.lower()), ("n2", "acgtnnacgt")])
    args = ["predict", str(runs["genomics"]), "--data", str(data), "--output", str(out / "p.csv")]
    return Invocation(args, valid=True)


# ---------------------------------------------------------------- trained runs


def train_runs(root: Path, invoke: Callable[[list[str]], object]) -> dict[str, Path]:
    """One tiny trained run per task that predict/explain cases use (risk, autoencoder, genomics).

    Args:
        root: Folder to write data and runs into.
        invoke: Runs ``pmtk ARGS`` and returns an object with ``exit_code`` and ``output``.
    """
    data = {
        "risk": write_cohort(root / "data" / "cohort.csv"),
        "autoencoder": write_features(root / "data" / "features.csv"),
        "genomics": fasta_folder(root / "data" / "fasta"),
    }
    extra = {"risk": ("--target", "outcome", "--id-column", "pid"),
             "autoencoder": ("--id-column", "sample_id"), "genomics": ()}  # fmt: skip
    runs = {}
    for task, path in data.items():
        runs[task] = root / "runs" / task
        result = invoke(run_args(task, path, runs[task], *extra[task]))
        if result.exit_code != 0:
            raise RuntimeError(f"training the corpus' {task} run failed:\n{result.output}")
    return runs


# Cases kept in modules of their own register themselves on import.
from tests.badinput import fusion_cases  # noqa: E402, F401


def main(argv: list[str]) -> int:
    """Writes every case that needs no trained run under ``argv[0]`` and prints its command."""
    from tests.badinput.make_corpus import CASES  # run as a script, this module is __main__

    if len(argv) != 1:
        print("usage: python -m tests.badinput.make_corpus DIR", file=sys.stderr)
        return 2
    root = Path(argv[0])
    for entry in CASES:
        if entry.needs_runs:
            continue
        invocation = entry.build(root / entry.id / "in", root / entry.id / "out", {})
        expected = "ok" if invocation.valid else "error: " + " | ".join(invocation.fragments)
        print(f"{entry.id}: pmtk {' '.join(invocation.args)}  # {expected}")
    print(f"{len(CASES)} cases ({sum(c.needs_runs for c in CASES)} need trained runs)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
