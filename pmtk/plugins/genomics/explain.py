"""In-silico mutagenesis (ISM): how a trained genomics model's score moves with each base.

For every sequence, every position and every base other than the one there, the
sequence with that single substitution is scored; the score change (mutant minus
reference) is the ISM value. A position's importance is the mean drop over its
substitutions: large where the reference base supports the prediction.

The score is the probability of the class predicted for the unmutated sequence,
so positive importance marks the bases that drove that prediction.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from pmtk.core.errors import DataError
from pmtk.plugins.genomics.encoding import BASES, PADDING

#: Mutated sequences scored per ``model.predict`` call (bounds memory).
_ROWS_PER_CALL = 16_384
_BASE_BYTES = np.frombuffer(BASES.encode(), dtype=np.uint8)
#: Byte -> its character, to turn packed bytes back into letters.
_LETTERS = np.array([chr(byte) for byte in range(256)], dtype=object)
_COLORS = {"A": "#2ca02c", "C": "#1f77b4", "G": "#ff7f0e", "T": "#d62728"}


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


def mutagenesis(model: Any, packed: np.ndarray, *, batch_size: int = 1024) -> Mutagenesis:
    """Scores every single-base substitution of every sequence.

    Args:
        model: A trained genomics model (bytes in, probabilities out).
        packed: Sequences as packed bytes, ``(n, length)`` (see ``encoding.pack``).
        batch_size: Sequences per forward pass.

    Returns:
        The reference scores and score changes.
    """
    output = _probabilities(model, packed, batch_size)
    class_index = output.argmax(axis=1)
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


def plot_importance(
    path: Path,
    ids: list[str],
    sequences: list[str],
    result: Mutagenesis,
    class_names: list[str],
    count: int,
) -> None:
    """One bar chart per sequence (the first ``count``), bars coloured by the reference base."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    count = min(count, len(ids))
    figure, axes = plt.subplots(count, 1, figsize=(12, 2.4 * count), squeeze=False)
    importance = result.importance
    for row, axis in enumerate(axes[:, 0]):
        length = int(np.count_nonzero(~np.isnan(importance[row])))
        bases = sequences[row][:length].upper()
        colors = [_COLORS.get(base, "#7f7f7f") for base in bases]
        axis.bar(np.arange(1, length + 1), importance[row, :length], width=1.0, color=colors)
        axis.axhline(0, color="black", linewidth=0.5)
        axis.set_xlim(0.5, length + 0.5)
        label = class_names[result.class_index[row]]
        axis.set_title(f"{ids[row]}: P({label}) = {result.reference[row]:.3f}", fontsize=9)
        axis.set_ylabel("importance")
    axes[-1, 0].set_xlabel("position (bar colour: A green, C blue, G orange, T red)")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def _genomics_run(run_dir: Path) -> tuple[Any, Any, dict]:
    """The genomics task, a run context and the config of a finished genomics run."""
    from pmtk.core.plugins import get_plugin_host
    from pmtk.core.prediction import load_run_config
    from pmtk.core.task import RunContext

    config = load_run_config(run_dir)
    if config.get("task") != "genomics":
        raise DataError(
            f"{run_dir} is a '{config.get('task')}' run; 'pmtk explain' works on genomics runs "
            "only, so pass a folder written by 'pmtk run genomics'."
        )
    registry = get_plugin_host().registry
    task = registry.task("genomics")
    context = RunContext(task.name, config["options"], registry, config.get("derived", {}))
    return task, context, config


def explain_run(
    run_dir: Path,
    data: Path,
    output: Path | None = None,
    *,
    plot_count: int = 3,
    output_format: str = "npz",
    batch_size: int = 1024,
) -> Path:
    """Runs ISM with a genomics run's model on the sequences at ``data``.

    Writes ``ism.npz`` (or ``ism.csv``) and ``importance.png`` into ``output``
    (default: ``RUN_DIR/explain``), replacing earlier files of the same names.

    Returns:
        The output folder.

    Raises:
        PmtkError: Not a finished genomics run, bad data, or an output path that is a file.
    """
    from pmtk.core.prediction import load_run_model
    from pmtk.plugins.genomics.encoding import pack

    task, context, config = _genomics_run(run_dir)
    data = Path(data).expanduser()
    if not data.exists():
        raise DataError(f"{data} does not exist; check the --data path.")
    output = Path(output) if output is not None else Path(run_dir) / "explain"
    if output.exists() and not output.is_dir():
        raise DataError(f"--output {output} is a file; pass a folder to write the results into.")
    examples = task.read(data, context, require_labels=False)
    model = load_run_model(task, Path(run_dir) / "model.keras")
    length = context.derived["sequence_length"]
    ids, sequences = examples["id"].astype(str).tolist(), examples["sequence"].tolist()
    print(f"Scoring every substitution of {len(ids)} sequence(s) of up to {length} bases...",
          file=sys.stderr)  # fmt: skip
    packed = pack(sequences, length)
    result = mutagenesis(model, packed, batch_size=batch_size)
    class_names = config["target"]["class_names"]
    output.mkdir(parents=True, exist_ok=True)
    trimmed = [sequence[:length] for sequence in sequences]
    if output_format == "csv":
        write_csv(output / "ism.csv", ids, packed, result)
    else:
        write_npz(output / "ism.npz", ids, trimmed, result, class_names)
    if plot_count > 0:
        plot_importance(output / "importance.png", ids, trimmed, result, class_names, plot_count)
    return output
