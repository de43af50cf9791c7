"""The Explainer contract: what a task's explainer implements and the types it touches.

An explainer (one per task, registered with ``pmtk_register_explainers``) turns a run's
model and some examples into an :class:`Explanation` and writes it. Also here: the two
helpers explainers share to pick the class they explain (``class_probabilities``,
``class_score``). Nothing here imports TensorFlow at module level.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from pmtk.core.loop.prediction import OpenRun

if TYPE_CHECKING:
    import keras
    import pandas as pd


#: The run an explainer receives: the one way a finished run is opened (``open_run``).
ExplainRun = OpenRun


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
