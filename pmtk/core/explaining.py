"""What ``pmtk explain`` shares across tasks: the Explainer contract, opening a run, the check.

An explainer (one per task, registered with ``pmtk_register_explainers``) turns a run's
model and some examples into explanations and writes them. This module opens the run,
checks the options, reads the data through the run's task, calls the explainer, then runs
the model-randomisation sanity check (Adebayo et al., 2018): the same explanations with the
upper half of the model's weight layers shuffled, compared with Spearman's rank correlation.
A high correlation means the explanation barely depends on what the model learned.

Nothing here imports TensorFlow at module level.
"""

from __future__ import annotations

import json
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from pmtk.core.errors import DataError, OptionError

if TYPE_CHECKING:
    import keras
    import pandas as pd

    from pmtk.core.plugins import PluginHost
    from pmtk.core.targets import Targets
    from pmtk.core.task import RunContext, Task

#: Median rank correlation (trained vs randomised model) at or above which a warning is printed.
SANITY_THRESHOLD = 0.5
#: Share of the model's weight layers, counted from the output, that the check shuffles.
RANDOMISED_SHARE = 0.5


@dataclass
class ExplainRun:
    """A finished run opened for explaining.

    Attributes:
        run_dir: The run directory.
        config: Its ``config.json``.
        task: The task that made it.
        context: A run context with the run's options, derived settings and targets.
        targets: Kind and class names (binary: index 1 is the class the model scores).
    """

    run_dir: Path
    config: dict[str, Any]
    task: Task
    context: RunContext
    targets: Targets

    def load_model(self) -> keras.Model:
        """The run's ``model.keras``, loaded through the task in safe mode."""
        from pmtk.core.prediction import load_run_model

        return load_run_model(self.task, self.run_dir / "model.keras")


@dataclass
class ExplainSettings:
    """The options of one ``pmtk explain`` call, checked.

    Attributes:
        method: The explainer's method (one of ``Explainer.methods``).
        class_index: Class to explain (index in ``targets.class_names``); None means the
            predicted class (or the scored class where the explainer decides).
        limit: Examples explained (the first ones), or None for all.
        batch_size: Examples per forward pass.
        plot_count: Examples drawn in plots (None: the explainer's default).
        output_format: ``npz`` or ``csv`` where the explainer offers both.
    """

    method: str
    class_index: int | None = None
    limit: int | None = None
    batch_size: int = 64
    plot_count: int | None = None
    output_format: str = "npz"


@dataclass
class Explanation:
    """What an explainer computed for some examples.

    Attributes:
        ids: Example ids, in order.
        maps: One explanation per example, ``(n, ...)``; the sanity check compares these
            (NaN entries are ignored).
        details: Anything else the explainer's ``write`` needs (scores, arrays).
        summary: JSON-able facts for ``summary.json`` (a completeness check, a note).
    """

    ids: list[str]
    maps: np.ndarray
    details: dict[str, Any] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)


class Explainer:
    """Base class of a task's explainer, registered with ``pmtk_register_explainers``.

    Subclasses set ``methods`` (the first is the default unless ``default_method``
    says otherwise) and implement :meth:`explain` and :meth:`write`. Import Keras
    inside the methods.
    """

    description: ClassVar[str] = ""
    methods: ClassVar[tuple[str, ...]] = ("default",)
    default_method: ClassVar[str | None] = None
    #: Examples explained when ``--limit`` is not given (None: all).
    default_limit: ClassVar[int | None] = None
    #: Examples the sanity check explains again with the randomised model.
    sanity_examples: ClassVar[int] = 16
    #: Whether ``--class NAME`` applies (False for tasks without classes).
    uses_classes: ClassVar[bool] = True

    def default_for(self, run: ExplainRun) -> str:
        """The method used when ``--method`` is not given (may depend on the run)."""
        return self.default_method or self.methods[0]

    def explain(
        self,
        run: ExplainRun,
        examples: pd.DataFrame,
        settings: ExplainSettings,
        model: keras.Model,
    ) -> Explanation:
        """Computes the explanations of ``examples`` with ``model``.

        Called twice: with the trained model, and with the randomised model on the
        first ``sanity_examples`` rows (for the check), so it must not write files.

        Args:
            run: The opened run (task, options, targets).
            examples: Rows of the task's examples table, as ``task.read`` returned them.
            settings: The checked options.
            model: The model to explain.

        Returns:
            The explanations; ``maps`` has one entry per row of ``examples``.
        """
        raise NotImplementedError

    def write(
        self,
        run: ExplainRun,
        examples: pd.DataFrame,
        explanation: Explanation,
        settings: ExplainSettings,
        output: Path,
    ) -> list[str]:
        """Writes the explanation's files into ``output`` (which exists).

        Returns:
            Names of the files written, relative to ``output``.
        """
        raise NotImplementedError


def open_run(run_dir: Path, host: PluginHost) -> ExplainRun:
    """Opens a finished run of any installed task.

    Raises:
        DataError: Not a finished run, a damaged one, or its task is not installed.
    """
    from pmtk.core import prediction

    run = prediction.open_run(run_dir, host)  # the one way a finished run is opened
    return ExplainRun(run.run_dir, run.config, run.task, run.context, run.targets)


#: Files looked at in a ``--data`` folder to tell which kind of data it holds.
_FILES_LOOKED_AT = 500


def check_modality(run: ExplainRun, data: Path) -> None:
    """Refuses data that only another task reads (FASTA for an imaging run, images for risk).

    Tables (CSV, TSV, Parquet) are never refused here: several tasks read them, and
    the run's task reports what a table lacks.

    Raises:
        DataError: Every data file's ending belongs to another task's readers.
    """
    from itertools import islice

    from pmtk.core.tables import PARQUET_EXTENSIONS, TEXT_EXTENSIONS

    registry, own = run.context.registry, run.task.name
    files = [data] if data.is_file() else [p for p in islice(data.rglob("*"), _FILES_LOOKED_AT)
                                           if p.is_file()]  # fmt: skip
    names = [f.name.lower() for f in files if not f.name.startswith(".")]
    tables = TEXT_EXTENSIONS + PARQUET_EXTENSIONS
    if not names or any(n.endswith(tables) for n in names):
        return
    if any(n.endswith(tuple(registry.extensions(own))) for n in names):
        return
    for task in sorted(registry.tasks):
        endings = tuple(registry.extensions(task))
        if task != own and endings and any(n.endswith(endings) for n in names):
            plain = sorted(e for e in registry.extensions(own) if e.count(".") == 1)
            article = "an" if own[:1] in "aeiou" else "a"
            raise DataError(
                f"{data} holds {task} data, but {run.run_dir} is {article} '{own}' run; pass "
                f"data of the kind the run was trained on ({', '.join(plain) or 'its tables'})."
            )


def check_settings(
    explainer: Explainer,
    run: ExplainRun,
    *,
    method: str | None,
    class_name: str | None,
    limit: int | None,
) -> tuple[str, int | None, int | None]:
    """The method, class index and limit, checked against the run and the explainer.

    Raises:
        OptionError: An unknown method, a class the run does not have, or a limit below 1.
    """
    task = run.task.name
    chosen = method or explainer.default_for(run)
    if chosen not in explainer.methods:
        raise OptionError(
            f"--method {chosen} is not a method of the {task} explainer; choose one of: "
            f"{', '.join(explainer.methods)}."
        )
    if limit is not None and limit < 1:
        raise OptionError(
            f"--limit must be at least 1 (the number of examples to explain); got {limit}."
        )
    class_index = None
    if class_name is not None:
        names = run.targets.class_names
        if not explainer.uses_classes or not names:
            raise OptionError(
                f"--class {class_name}: runs of the {task} task have no classes to choose "
                "from; leave out --class."
            )
        if class_name not in names:
            raise OptionError(
                f"--class {class_name} is not a class of the run {run.run_dir}; its classes are: "
                f"{', '.join(names)}."
            )
        class_index = names.index(class_name)
    return chosen, class_index, limit if limit is not None else explainer.default_limit


def class_probabilities(output: np.ndarray) -> np.ndarray:
    """Model outputs as ``(n, classes)`` probabilities; a binary sigmoid becomes two columns."""
    output = np.asarray(output).reshape(len(output), -1)
    if output.shape[1] == 1:
        output = np.concatenate([1 - output, output], axis=1)
    return output


def class_score(output: Any, class_index: Any) -> Any:
    """Keras-ops score of one class per row (binary: ``p`` or ``1 - p``), for gradients.

    Args:
        output: Model output tensor ``(n, 1)`` (binary) or ``(n, classes)``.
        class_index: Integer tensor or array ``(n,)`` of the class to score per row.
    """
    from keras import ops

    if output.shape[-1] == 1:
        probability = output[:, 0]
        chosen = ops.cast(ops.convert_to_tensor(class_index), probability.dtype)
        return chosen * probability + (1 - chosen) * (1 - probability)
    one_hot = ops.one_hot(ops.convert_to_tensor(class_index), output.shape[-1])
    return ops.sum(output * ops.cast(one_hot, output.dtype), axis=-1)


def randomise_top_layers(model: keras.Model, share: float = RANDOMISED_SHARE, seed: int = 0):
    """Shuffles the weight matrices of the upper ``share`` of the model's weight layers.

    A weight layer is one with a trainable weight of two or more dimensions (dense,
    convolution, recurrent kernels); counted from the output, at least one. Every
    entry of each of its weight matrices is permuted at random: a re-initialisation
    that keeps each matrix's own distribution of values (so activations keep their
    scale) but none of what training arranged. Changes ``model`` in place.

    Returns:
        Names of the layers randomised.
    """
    rng = np.random.default_rng(seed)
    weighted = [
        layer
        for layer in model.layers
        if any(len(weight.shape) >= 2 for weight in layer.trainable_weights)
    ]
    chosen = weighted[-max(1, math.ceil(len(weighted) * share)) :] if weighted else []
    for layer in chosen:
        for weight in layer.trainable_weights:
            if len(weight.shape) >= 2:
                values = np.asarray(weight.numpy())
                weight.assign(rng.permutation(values.reshape(-1)).reshape(values.shape))
    return [layer.name for layer in chosen]


def rank_correlations(trained: np.ndarray, randomised: np.ndarray) -> list[float]:
    """Spearman's rho per example between two sets of explanations (NaN entries ignored).

    Examples with fewer than three values, or constant ones, are left out; when that
    leaves none, one rho over all examples' values pooled is returned instead.
    """
    values = [_spearman(first, second) for first, second in zip(trained, randomised, strict=True)]
    values = [value for value in values if value is not None]
    if not values:
        pooled = _spearman(trained, randomised)
        values = [] if pooled is None else [pooled]
    return values


def _spearman(first: np.ndarray, second: np.ndarray) -> float | None:
    from scipy.stats import spearmanr

    first, second = np.ravel(first), np.ravel(second)
    keep = np.isfinite(first) & np.isfinite(second)
    if keep.sum() < 3 or np.ptp(first[keep]) == 0 or np.ptp(second[keep]) == 0:
        return None
    return float(spearmanr(first[keep], second[keep]).statistic)


def sanity_check(
    explainer: Explainer,
    run: ExplainRun,
    examples: pd.DataFrame,
    settings: ExplainSettings,
    model: keras.Model,
    trained: Explanation,
) -> dict[str, Any]:
    """The model-randomisation check on the first ``explainer.sanity_examples`` rows.

    Randomises ``model`` in place (call it last).

    Returns:
        The ``sanity_check`` entry of ``summary.json``.
    """
    count = min(len(examples), explainer.sanity_examples)
    layers = randomise_top_layers(model)
    randomised = explainer.explain(run, examples.head(count), settings, model)
    rhos = rank_correlations(trained.maps[:count], randomised.maps)
    median = round(float(np.median(rhos)), 4) if rhos else None
    return {
        "method": "model randomisation (weights of the top layers shuffled), Spearman rank "
        "correlation between the explanations of the trained and the randomised model",
        "randomised_layers": layers,
        "examples": count,
        "compared": len(rhos),
        "median_spearman": median,
        "spearman": [round(r, 4) for r in rhos],
        "threshold": SANITY_THRESHOLD,
        "passed": None if median is None else bool(median < SANITY_THRESHOLD),
    }


def progress(done: int, total: int, what: str, batch: int = 1) -> None:
    """Prints ``Explained done/total what`` to stderr each time a long job passes a quarter.

    Args:
        done: Inputs explained so far.
        total: Inputs to explain (jobs under 200 print nothing).
        what: What the inputs are ("images").
        batch: Inputs explained since the previous call.
    """
    if total >= 200:
        quarter = max(1, total // 4)
        if done == total or done // quarter != (done - batch) // quarter:
            print(f"Explained {done:,}/{total:,} {what}", file=sys.stderr)


def explain(
    run_dir: Path,
    data: Path,
    output: Path | None,
    host: PluginHost,
    *,
    method: str | None = None,
    class_name: str | None = None,
    limit: int | None = None,
    batch_size: int | None = None,
    plot_count: int | None = None,
    output_format: str = "npz",
) -> tuple[Path, dict[str, Any]]:
    """Explains a run's model on the data at ``data`` and runs the sanity check.

    Writes the explainer's files and ``summary.json`` into ``output`` (default
    ``RUN_DIR/explain``), replacing earlier files of the same names.

    Returns:
        The output folder and the summary.

    Raises:
        PmtkError: Not a run, no explainer for its task, bad options or bad data.
    """
    run = open_run(run_dir, host)
    explainer = host.registry.explainer(run.task.name)
    chosen, class_index, limit = check_settings(
        explainer, run, method=method, class_name=class_name, limit=limit
    )
    output = Path(output) if output is not None else Path(run_dir) / "explain"
    if output.exists() and not output.is_dir():
        raise DataError(f"--output {output} is a file; pass a folder to write the results into.")
    data = Path(data).expanduser()
    if not data.exists():
        raise DataError(f"{data} does not exist; check the --data path.")
    check_modality(run, data)
    examples = run.task.read(data, run.context, require_labels=False)
    if len(examples) == 0:
        raise DataError(f"{data} holds no examples to explain; point --data at your data.")
    total = len(examples)
    examples = examples.head(limit).reset_index(drop=True) if limit else examples
    settings = ExplainSettings(
        chosen, class_index, limit, batch_size or int(run.config["options"].get("batch_size", 32)),
        plot_count, output_format,
    )  # fmt: skip
    from pmtk.core.runtime import quiet_tensorflow

    quiet_tensorflow()
    model = run.load_model()
    explanation = explainer.explain(run, examples, settings, model)
    output.mkdir(parents=True, exist_ok=True)
    files = explainer.write(run, examples, explanation, settings, output)
    summary = {
        "task": run.task.name,
        "method": chosen,
        "explained_class": None if class_index is None else run.targets.class_names[class_index],
        "examples": len(examples),  # the first ones, up to --limit
        "examples_in_data": total,
        "files": [*files, "summary.json"],
        **explanation.summary,
        "sanity_check": sanity_check(explainer, run, examples, settings, model, explanation),
    }
    (output / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return output, summary


def warnings_of(summary: dict[str, Any]) -> list[str]:
    """The ``Warning:`` sentences a summary calls for."""
    check = summary.get("sanity_check", {})
    lines = []
    if check.get("passed") is False:
        lines.append(
            f"Warning: the explanations of the trained model and of a model whose top layers "
            f"were randomised have a median rank correlation of {check['median_spearman']:.2f} "
            f"(at or above {SANITY_THRESHOLD}), so the explanation may not reflect what the "
            "model learned; read it with care."
        )
    lines.extend(f"Warning: {text}" for text in summary.get("warnings", []))
    return lines
