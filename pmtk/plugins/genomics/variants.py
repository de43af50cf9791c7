"""Variant effects: every VCF allele scored by a genomics run, REF window against ALT window.

For each VCF record (multi-allelic records split into one row per ALT) the window the model
was trained on (``sequence_length`` bases) is cut from the genome with the variant's first
base at its centre (index ``length // 2``), once with the REF allele (the genome's bases) and
once with the ALT allele spliced in. Indels keep the left flank; the right flank is filled
from the genome after the REF allele (deletions) or trimmed (insertions), so both windows
stay ``length`` long. The scores are the model's output: the probability of the scored
class (classification) or the predicted value (regression); ``delta = score_alt - score_ref``.

Statuses: ``ok``; ``ref_mismatch`` (the genome's bases at POS differ from REF: not scored,
because the VCF and the genome disagree — usually another genome build); ``skipped`` with a
reason (chromosome not in the genome, outside the chromosome, symbolic allele such as
``<DEL>``, a base that is not A/C/G/T/N, an indel longer than half the window, a window of
only N). VCF files are parsed with cyvcf2 (htslib); sample columns are never read.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from pmtk.core.errors import DataError, OptionError

if TYPE_CHECKING:
    import pandas as pd

    from pmtk.plugins.genomics.genome import Genome

COLUMNS = ["chrom", "pos", "id", "ref", "alt", "score_ref", "score_alt", "delta", "status"]
_ALLELE = re.compile(r"^[ACGTNacgtn]+$")


@dataclass
class Allele:
    """One ALT allele of a VCF record, with what became of it."""

    chrom: str
    pos: int  # 1-based, as in the VCF
    id: str
    ref: str
    alt: str
    line: int
    status: str = "ok"
    reason: str = ""
    ref_window: str = ""
    alt_window: str = ""


def renamer(rule: str | None):
    """The chromosome renaming of ``--rename-chromosomes``: add-chr, drop-chr or a mapping file.

    A mapping file has two whitespace-separated columns per line: VCF name, genome name.

    Raises:
        OptionError: The rule is neither keyword nor a readable two-column file.
    """
    if rule is None:
        return lambda name: name
    if rule == "add-chr":
        return lambda name: name if name.startswith("chr") else "chr" + name
    if rule == "drop-chr":
        return lambda name: name.removeprefix("chr")
    path = Path(rule).expanduser()
    if not path.is_file():
        raise OptionError(
            f"--rename-chromosomes {rule}: expected add-chr, drop-chr or a mapping file of "
            "two columns (VCF name, genome name), but no such file exists."
        )
    mapping = {}
    for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
        fields = line.split()
        if fields and not fields[0].startswith("#"):
            if len(fields) != 2:
                raise OptionError(
                    f"{path}, line {number}: expected two columns (VCF name, genome name); "
                    f"found {len(fields)}."
                )
            mapping[fields[0]] = fields[1]
    return lambda name: mapping.get(name, name)


def read_alleles(path: Path, rename=None) -> list[Allele]:
    """Every ALT allele of a VCF (plain or gzip/bgzip), one per ALT of multi-allelic records.

    Raises:
        DataError: The file is missing, not a VCF, or damaged; names the file (and line).
    """
    from cyvcf2 import VCF

    rename = rename or (lambda name: name)
    if not path.is_file():
        raise DataError(f"{path} does not exist; check the --vcf path.")
    try:
        vcf = VCF(str(path), samples="-", lazy=True)
    except (OSError, RuntimeError, ValueError) as error:
        raise DataError(
            f"{path} is not a readable VCF ({str(error).split(' (')[0].split(': ')[-1]}); it "
            "must start with '##fileformat=VCF' header lines and a '#CHROM' line."
        ) from None
    line = len(vcf.raw_header.rstrip("\n").split("\n"))
    alleles = []
    try:
        for record in vcf:
            line += 1
            alts = record.ALT or ["."]
            chrom = rename(record.CHROM)
            for alt in alts:
                alleles.append(Allele(chrom, record.POS, record.ID or ".", record.REF, alt, line))
    except (OSError, RuntimeError, ValueError, UnicodeDecodeError) as error:
        raise DataError(
            f"{path}, line {line + 1} cannot be parsed as a VCF record ({error}); fix or remove it."
        ) from None
    finally:
        vcf.close()
    return alleles


def check_naming(alleles: list[Allele], genome: Genome, vcf: Path) -> None:
    """Raises one sentence when no VCF chromosome is in the genome (``1`` vs ``chr1``).

    Raises:
        DataError: Naming both styles and the ``--rename-chromosomes`` fix.
    """
    names = list(dict.fromkeys(allele.chrom for allele in alleles))
    if not names or any(name in genome for name in names):
        return
    genome_names = list(genome.lengths)
    vcf_has_chr = names[0].startswith("chr")
    genome_has_chr = genome_names[0].startswith("chr")
    fix = (
        "--rename-chromosomes add-chr"
        if genome_has_chr and not vcf_has_chr
        else "--rename-chromosomes drop-chr"
        if vcf_has_chr and not genome_has_chr
        else "--rename-chromosomes MAPPING.tsv (two columns: VCF name, genome name)"
    )
    raise DataError(
        f"{vcf} names its chromosomes like {names[0]!r} but the genome {genome.path} names "
        f"them like {genome_names[0]!r}, so no variant lies on the genome; rerun with {fix}."
    )


def prepare(allele: Allele, genome: Genome, length: int) -> None:
    """Sets the allele's status and reason, and its REF and ALT windows when it is scorable."""
    ref, alt = allele.ref.upper(), allele.alt.upper()
    if alt.startswith("<") or "[" in alt or "]" in alt or alt in ("*", "."):
        return _skip(allele, f"symbolic allele {allele.alt}")
    if allele.chrom not in genome:
        return _skip(allele, f"chromosome {allele.chrom} is not in the genome")
    start = allele.pos - 1  # 0-based
    chromosome_length = genome.lengths[allele.chrom]
    if start < 0 or start + len(ref) > chromosome_length:
        return _skip(allele, f"outside the genome ({allele.chrom} has {chromosome_length} bases)")
    if not (_ALLELE.match(ref) and _ALLELE.match(alt)):
        return _skip(allele, "allele holds characters other than A, C, G, T, N")
    if max(len(ref), len(alt)) - 1 > length // 2:
        return _skip(allele, f"indel longer than half the {length}-base window")
    found = genome.fetch(allele.chrom, start, start + len(ref)).upper()
    if found != ref:
        allele.status, allele.reason = "ref_mismatch", f"genome has {found} at this position"
        return None
    left = start - length // 2
    allele.ref_window = genome.fetch(allele.chrom, left, left + length)
    if not set(allele.ref_window.upper()) - {"N"}:
        return _skip(allele, "window holds only N")
    right = genome.fetch(allele.chrom, start + len(ref), start + len(ref) + length)
    allele.alt_window = (genome.fetch(allele.chrom, left, start) + alt + right)[:length]
    return None


def _skip(allele: Allele, reason: str) -> None:
    allele.status, allele.reason = "skipped", reason


def score_windows(model, windows: list[str], length: int, column: int, batch_size: int):
    """The model's score (output ``column``) for each window, in batches."""
    from pmtk.plugins.genomics.encoding import pack

    if not windows:
        return np.zeros(0)
    scores = model.predict(pack(windows, length), batch_size=batch_size, verbose=0)
    return np.asarray(scores).reshape(len(windows), -1)[:, column]


def scored_class(target: dict, requested: str | None) -> tuple[int, str]:
    """Which model output is scored, and what it means (for the file's header line).

    Raises:
        OptionError: ``--class`` names no class of the run, or a multiclass run lacks it.
    """
    kind, names = target["kind"], list(target["class_names"])
    if kind == "regression":
        return 0, "the predicted value"
    if kind == "binary" and requested in (None, names[-1]):
        return 0, f"the probability of class '{names[-1]}'"
    if requested is None or requested not in names:
        raise OptionError(
            f"--class must name one of the run's classes ({', '.join(names)}); got "
            f"{requested!r}."
            + (" Binary runs score their positive class." if kind == "binary" else "")
        )
    if kind == "binary":
        raise OptionError(
            f"--class {requested}: this binary run scores its positive class '{names[-1]}'; "
            "omit --class (the delta of the other class is the negative)."
        )
    return names.index(requested), f"the probability of class '{requested}'"


def alleles_frame(alleles: list[Allele]) -> pd.DataFrame:
    """The output table: ``COLUMNS`` plus ``reason``; scores empty where not scored."""
    import pandas as pd

    rows = [
        (a.chrom, a.pos, a.id, a.ref, a.alt, np.nan, np.nan, np.nan, a.status, a.reason)
        for a in alleles
    ]
    return pd.DataFrame(rows, columns=[*COLUMNS, "reason"])


def summary(alleles: list[Allele]) -> str:
    """One line counting each status (and each skip reason, shortened)."""
    statuses = Counter(allele.status for allele in alleles)
    reasons = Counter(
        allele.reason.split(" (")[0] if not allele.reason.startswith("chromosome") else
        "chromosome not in the genome"
        for allele in alleles if allele.status == "skipped"
    )  # fmt: skip
    detail = "; ".join(f"{count} {reason}" for reason, count in reasons.most_common())
    skipped = f"{statuses['skipped']} skipped" + (f" ({detail})" if detail else "")
    return (
        f"Variants: {len(alleles)} allele(s): {statuses['ok']} ok, "
        f"{statuses['ref_mismatch']} ref_mismatch (REF differs from the genome; not scored), "
        f"{skipped}."
    )
