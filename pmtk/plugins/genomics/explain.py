"""The genomics explainer: in-silico mutagenesis (ISM), and gradient x input for long sequences.

For every sequence, every position and every base other than the one there, the
sequence with that single substitution is scored; the score change (mutant minus
reference) is the ISM value. A position's importance is the mean drop over its
substitutions: large where the reference base supports the prediction.

The score is the probability of the class predicted for the unmutated sequence,
so positive importance marks the bases that drove that prediction (or of ``--class NAME``).
ISM costs three forward passes per base; ``--method saliency`` (gradient x input, see
``explain_saliency``) needs one forward and one backward pass per sequence, and is the
default for sequences longer than ``ISM_MAX_LENGTH`` bases.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from pmtk.core.explaining import Explainer, ExplainRun, ExplainSettings, Explanation, progress
from pmtk.plugins.genomics.encoding import BASES, PADDING

#: Mutated sequences scored per ``model.predict`` call (bounds memory).
_ROWS_PER_CALL = 16_384
_BASE_BYTES = np.frombuffer(BASES.encode(), dtype=np.uint8)
#: Byte -> its character, to turn packed bytes back into letters.
_LETTERS = np.array([chr(byte) for byte in range(256)], dtype=object)
_COLORS = {"A": "#2ca02c", "C": "#1f77b4", "G": "#ff7f0e", "T": "#d62728"}
#: Longest sequences explained by ISM when ``--method`` is not given (saliency above).
ISM_MAX_LENGTH = 1000
#: Width in bases of the window the plot marks (the strongest stretch of importance).
WINDOW = 12


@dataclass
class Mutagenesis:
    """ISM results for a batch of sequences of ``length`` bases.

    Attributes:
        reference: Score of each unmutated sequence, ``(n,)``.
        delta: Score change per position and substituted base (A, C, G, T),
            ``(n, length, 4)``; 0 for the reference base, NaN past the sequence's end.
        class_index: Index (in the run's class names) of the class scored, ``(n,)``.
        substitutions: Substitutions scored per position, ``(n, length)``: 3 at
            A, C, G or T, 4 at an ambiguity code such as N, 0 past the end.
    """

    reference: np.ndarray
    delta: np.ndarray
    class_index: np.ndarray
    substitutions: np.ndarray

    @property
    def importance(self) -> np.ndarray:
        """Mean score drop over the substitutions at each position, ``(n, length)``.

        NaN past the sequence's end.
        """
        with np.errstate(invalid="ignore"):
            return -self.delta.sum(axis=2) / np.where(
                self.substitutions > 0, self.substitutions, np.nan
            )


def _mutants(packed: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every single-base substitution of one packed sequence.

    Returns:
        The mutated sequences, and the position and base column of each.
    """
    length = int(np.count_nonzero(packed != PADDING))
    upper = packed[:length] & 0xDF  # ASCII upper case: 'a' -> 'A'
    different = upper[:, None] != _BASE_BYTES[None, :]
    positions, columns = np.nonzero(different)
    mutants = np.repeat(packed[None, :], len(positions), axis=0)
    mutants[np.arange(len(positions)), positions] = _BASE_BYTES[columns]
    return mutants, positions, columns


def _probabilities(model: Any, batch: np.ndarray, batch_size: int) -> np.ndarray:
    """Class probabilities, ``(len(batch), classes)``, binary models included."""
    output = model.predict(batch, batch_size=batch_size, verbose=0).reshape(len(batch), -1)
    if output.shape[1] == 1:  # binary: the sigmoid unit is P(class 1)
        output = np.concatenate([1 - output, output], axis=1)
    return output


def mutagenesis(
    model: Any, packed: np.ndarray, *, batch_size: int = 1024, class_index: int | None = None
) -> Mutagenesis:
    """Scores every single-base substitution of every sequence.

    Args:
        model: A trained genomics model (bytes in, probabilities out).
        packed: Sequences as packed bytes, ``(n, length)`` (see ``encoding.pack``).
        batch_size: Sequences per forward pass.
        class_index: Class scored for every sequence (default: each one's predicted class).

    Returns:
        The reference scores and score changes.
    """
    output = _probabilities(model, packed, batch_size)
    if class_index is None:
        class_index = output.argmax(axis=1)
    else:
        class_index = np.full(len(packed), class_index)
    reference = output[np.arange(len(packed)), class_index]
    delta = np.full(packed.shape + (4,), np.nan, dtype=np.float32)
    substitutions = np.zeros(packed.shape, dtype=np.int8)
    pending: list[tuple[int, np.ndarray, np.ndarray, np.ndarray]] = []

    def flush() -> None:
        scores = _probabilities(model, np.concatenate([m for _, m, _, _ in pending]), batch_size)
        start = 0
        for index, mutants, positions, columns in pending:
            chosen = scores[start : start + len(mutants), class_index[index]]
            length = int(np.count_nonzero(packed[index] != PADDING))
            delta[index, :length] = 0.0
            delta[index, positions, columns] = chosen - reference[index]
            np.add.at(substitutions[index], positions, 1)
            start += len(mutants)
        progress(pending[-1][0] + 1, len(packed), "sequences", len(pending))
        pending.clear()

    for index, sequence in enumerate(packed):
        pending.append((index, *_mutants(sequence)))
        if sum(len(m) for _, m, _, _ in pending) >= _ROWS_PER_CALL:
            flush()
    if pending:
        flush()
    return Mutagenesis(reference.astype(np.float32), delta, class_index, substitutions)


def write_npz(
    path: Path, ids: list[str], sequences: list[str], result: Mutagenesis, class_names: list[str]
) -> None:
    """Saves every array, with ids and sequences, as compressed NPZ."""
    np.savez_compressed(
        path,
        ids=np.array(ids, dtype=str),
        sequences=np.array(sequences, dtype=str),
        bases=np.array(list(BASES)),
        reference_score=result.reference,
        delta=result.delta,
        importance=result.importance.astype(np.float32),
        explained_class=np.array(class_names, dtype=str)[result.class_index],
    )


def write_csv(path: Path, ids: list[str], packed: np.ndarray, result: Mutagenesis) -> None:
    """Saves one row per substitution: id, position, reference, alternative, score change."""
    import pandas as pd

    index, position, column = np.nonzero(~np.isnan(result.delta))
    reference = packed[index, position]
    keep = (reference & 0xDF) != _BASE_BYTES[column]  # not the reference base itself
    index, position, column, reference = index[keep], position[keep], column[keep], reference[keep]
    frame = pd.DataFrame(
        {
            "id": np.array(ids, dtype=object)[index],
            "position": position + 1,
            "reference": _LETTERS[reference],
            "alternative": _LETTERS[_BASE_BYTES[column]],
            "score_change": result.delta[index, position, column].round(6),
        }
    )
    frame.to_csv(path, index=False)


def strongest_windows(importance: np.ndarray, width: int = WINDOW) -> np.ndarray:
    """Start (0-based) of the ``width``-base stretch with the largest summed importance.

    Args:
        importance: ``(n, length)``, NaN past each sequence's end.

    Returns:
        ``(n,)`` start positions; the window is ``[start, start + width)``, shortened to
        the sequence when it is shorter.
    """
    starts = np.zeros(len(importance), dtype=np.int64)
    for row, values in enumerate(importance):
        values = np.nan_to_num(values[~np.isnan(values)])
        span = min(width, len(values))
        if span == 0:
            continue
        sums = np.convolve(values, np.ones(span), mode="valid")
        starts[row] = int(np.argmax(sums))
    return starts


def plot_importance(
    path: Path,
    ids: list[str],
    sequences: list[str],
    result: Any,
    class_names: list[str],
    count: int,
    what: str = "ISM importance",
) -> None:
    """One bar chart per sequence (the first ``count``), bars coloured by the reference base.

    ``result`` has ``importance``, ``reference`` and ``class_index`` (ISM or saliency);
    the strongest ``WINDOW``-base stretch of each sequence is shaded and its span named.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    count = min(count, len(ids))
    figure, axes = plt.subplots(count, 1, figsize=(12, 2.4 * count), squeeze=False)
    importance = result.importance
    starts = strongest_windows(importance[:count])
    for row, axis in enumerate(axes[:, 0]):
        length = int(np.count_nonzero(~np.isnan(importance[row])))
        bases = sequences[row][:length].upper()
        colors = [_COLORS.get(base, "#7f7f7f") for base in bases]
        axis.bar(np.arange(1, length + 1), importance[row, :length], width=1.0, color=colors)
        axis.axhline(0, color="black", linewidth=0.5)
        axis.set_xlim(0.5, length + 0.5)
        start, end = starts[row] + 1, min(starts[row] + WINDOW, length)
        axis.axvspan(start - 0.5, end + 0.5, color="gold", alpha=0.3, zorder=0)
        label = class_names[result.class_index[row]]
        axis.set_title(f"{ids[row]}: P({label}) = {result.reference[row]:.3f}; strongest window "
                       f"{start}-{end}: {bases[start - 1 : end]}", fontsize=9)  # fmt: skip
        axis.set_ylabel(what)
    axes[-1, 0].set_xlabel("position (bar colour: A green, C blue, G orange, T red)")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


class GenomicsExplainer(Explainer):
    """ISM (default up to ``ISM_MAX_LENGTH`` bases) or gradient x input saliency."""

    description = "in-silico mutagenesis; gradient x input saliency for long sequences"
    methods = ("ism", "saliency")

    def default_for(self, run: ExplainRun) -> str:
        """ISM, unless the run's sequences are longer than ``ISM_MAX_LENGTH`` bases."""
        length = run.context.derived.get("sequence_length", 0)
        return "ism" if length <= ISM_MAX_LENGTH else "saliency"

    def explain(
        self, run: ExplainRun, examples: Any, settings: ExplainSettings, model: Any
    ) -> Explanation:
        """Per-position importance of each sequence: ISM's mean drop, or gradient x input."""
        from pmtk.plugins.genomics.encoding import pack

        length = run.context.derived["sequence_length"]
        packed = pack(examples["sequence"].tolist(), length)
        if settings.method == "ism":
            result = mutagenesis(
                model, packed, batch_size=max(settings.batch_size, 256),
                class_index=settings.class_index,
            )  # fmt: skip
        else:
            from pmtk.plugins.genomics.explain_saliency import saliency

            result = saliency(model, packed, settings.batch_size, settings.class_index)
        ids = examples["id"].astype(str).tolist()
        starts = strongest_windows(result.importance)
        return Explanation(
            ids, result.importance, {"result": result, "packed": packed, "windows": starts}
        )

    def write(
        self,
        run: ExplainRun,
        examples: Any,
        explanation: Explanation,
        settings: ExplainSettings,
        output: Path,
    ) -> list[str]:
        """``ism.npz`` or ``ism.csv`` (ISM) or ``saliency.npz``, and ``importance.png``."""
        length = run.context.derived["sequence_length"]
        result, packed = explanation.details["result"], explanation.details["packed"]
        class_names = run.targets.class_names
        ids = explanation.ids
        trimmed = [sequence[:length] for sequence in examples["sequence"]]
        if settings.method == "saliency":
            from pmtk.plugins.genomics.explain_saliency import write_saliency

            write_saliency(output / "saliency.npz", ids, trimmed, result, class_names,
                           explanation.details["windows"])  # fmt: skip
            files = ["saliency.npz"]
        elif settings.output_format == "csv":
            write_csv(output / "ism.csv", ids, packed, result)
            files = ["ism.csv"]
        else:
            write_npz(output / "ism.npz", ids, trimmed, result, class_names)
            files = ["ism.npz"]
        count = 3 if settings.plot_count is None else settings.plot_count
        if count > 0:
            what = "ISM importance" if settings.method == "ism" else "gradient x input"
            plot_importance(output / "importance.png", ids, trimmed, result, class_names, count,
                            what)  # fmt: skip
            files.append("importance.png")
        return files
