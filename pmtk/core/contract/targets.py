"""Target kinds: inferring them from labels, encoding labels, and the matching loss and output."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from pmtk.core.errors import DataError, OptionError

if TYPE_CHECKING:
    import pandas as pd

#: Labels read as "the negative class" when choosing which of two classes is positive.
NEGATIVE_NAMES = {
    "0", "false", "no", "n", "neg", "negative", "normal", "healthy", "control", "benign",
    "absent", "none", "background", "nolesion", "no_lesion", "non-lesion", "wildtype", "wt",
    "unbound", "nonbinding", "non-binding", "decoy", "shuffled", "unaffected", "survived", "alive",
}  # fmt: skip

#: Target kinds the shared loop knows how to train and evaluate (``Task.target_kind``).
TARGET_KINDS = ("binary", "multiclass", "regression", "reconstruction", "survival")

#: Target kinds whose model gives back its own input: no labels are read, each example is
#: paired with itself (``(x, x)``), and the task's ``finish()`` evaluates the run (the loop
#: scores no predictions). Ask :func:`pairs_input_with_itself`, never compare kind names.
SELF_TARGET_KINDS = frozenset({"reconstruction"})

#: Numeric labels with more distinct values than this are treated as a continuous target.
MAX_NUMERIC_CLASSES = 10


class SurvivalLabel(NamedTuple):
    """The label of one example of a ``survival`` target: follow-up time and event flag.

    A task whose examples table holds these in its ``label`` column gets the ``survival``
    target kind, whose encoded values are ``(n, 2)`` float32 rows of ``(time, event)``.
    """

    time: float
    event: int


@dataclass
class Targets:
    """Encoded targets of a data set.

    Attributes:
        kind: ``binary``, ``multiclass``, ``regression``, ``reconstruction`` or ``survival``.
        class_names: Class names in output order; for binary, index 1 is the positive class.
        values: Class indices (``int32``), values (``float32``), or for survival ``(n, 2)``
            float32 rows of ``(time, event)``, one per example.
        survival: For survival targets once trained: the horizons and the Breslow baseline
            cumulative hazard (``config.json`` ``derived.survival``), used to turn risk
            scores into survival probabilities.
    """

    kind: str
    class_names: list[str] = field(default_factory=list)
    values: np.ndarray | None = None
    survival: dict[str, Any] | None = None

    @property
    def pairs_input_with_itself(self) -> bool:
        """Whether the model learns to give back its input (see ``SELF_TARGET_KINDS``)."""
        return pairs_input_with_itself(self.kind)

    @property
    def num_classes(self) -> int:
        """Classes the model scores (1 output unit for binary and regression)."""
        return len(self.class_names) if self.kind == "multiclass" else 1

    @property
    def positive_class(self) -> str | None:
        """The class whose probability a binary model outputs."""
        return self.class_names[1] if self.kind == "binary" else None

    def encode(self, labels: pd.Series) -> np.ndarray:
        """Encodes labels with this data set's classes (``-1`` for unknown classes)."""
        if self.kind == "regression":
            return labels.to_numpy(dtype="float32")
        if self.kind == "survival":
            return survival_values(labels)
        if _is_numeric(labels):
            labels = _numeric_text(labels)
        index = {name: i for i, name in enumerate(self.class_names)}
        return np.array([index.get(str(v), -1) for v in labels], dtype="int32")


def pairs_input_with_itself(kind: str | None) -> bool:
    """Whether a target kind pairs each input with itself instead of a label (reconstruction).

    The one place the loop, the examples and the results ask: a target of such a kind has no
    encoded values, its datasets yield ``(x, x)`` and the task's ``finish()`` evaluates it.
    """
    return kind in SELF_TARGET_KINDS


def is_survival(labels: pd.Series) -> bool:
    """Whether labels are :class:`SurvivalLabel` pairs (a survival target)."""
    return len(labels) > 0 and isinstance(labels.iloc[0], SurvivalLabel)


def survival_values(labels: pd.Series) -> np.ndarray:
    """``(n, 2)`` float32 rows of ``(time, event)`` from :class:`SurvivalLabel` labels."""
    return np.array([[label.time, label.event] for label in labels], dtype="float32").reshape(-1, 2)


def _is_numeric(labels: pd.Series) -> bool:
    import pandas as pd

    return pd.api.types.is_numeric_dtype(labels) and not pd.api.types.is_bool_dtype(labels)


def infer_targets(
    labels: pd.Series, *, source: str, kind: str | None = None, positive_class: str | None = None
) -> Targets:
    """Infers the target kind from labels and encodes them.

    Numeric labels with more than ``MAX_NUMERIC_CLASSES`` values, or with
    fractions, are a regression target; :class:`SurvivalLabel` pairs a survival
    target; anything else is classification.

    Args:
        labels: One raw label per example, no missing values.
        source: The file the labels came from, for error messages.
        kind: Forces a kind (a task may fix it).
        positive_class: For binary targets, the class whose probability is predicted.

    Raises:
        DataError: Fewer than two classes, or missing labels.
    """
    if pairs_input_with_itself(kind):
        return Targets(kind)
    if kind == "survival" or is_survival(labels):
        return Targets("survival", [], survival_values(labels))
    if labels.isna().any():
        row = int(np.flatnonzero(labels.isna().to_numpy())[0])
        raise DataError(f"{source}: example {row + 1} has no label; give every example a label.")
    numeric = _is_numeric(labels)
    if kind == "regression" or (
        kind is None
        and numeric
        and (labels.nunique() > MAX_NUMERIC_CLASSES or not np.all(labels == labels.round()))
    ):
        return Targets("regression", [], labels.to_numpy(dtype="float32"))
    names = _class_names(labels, numeric)
    if len(names) < 2:
        found = f"only the class '{names[0]}'" if names else "no labels"
        raise DataError(
            f"{source}: found {found}; a classifier needs examples of at least two classes."
        )
    if len(names) == 2:
        names = _order_binary(names, positive_class, source)
    elif positive_class is not None:
        raise OptionError("--positive-class only applies to two-class targets.")
    targets = Targets("binary" if len(names) == 2 else "multiclass", names)
    targets.values = targets.encode(labels)
    return targets


def _numeric_text(labels: pd.Series) -> pd.Series:
    return labels.map(lambda v: str(int(v)) if float(v).is_integer() else str(v))


def _class_names(labels: pd.Series, numeric: bool) -> list[str]:
    if numeric:
        return [str(int(v)) if float(v).is_integer() else str(v) for v in sorted(labels.unique())]
    return sorted(labels.astype(str).unique())


def _order_binary(names: list[str], positive_class: str | None, source: str) -> list[str]:
    if positive_class is not None:
        if positive_class not in names:
            raise OptionError(
                f"--positive-class '{positive_class}' is not a class of {source}; "
                f"the classes are {names[0]!r} and {names[1]!r}."
            )
        return [n for n in names if n != positive_class] + [positive_class]
    negatives = [n for n in names if n.lower() in NEGATIVE_NAMES]
    if len(negatives) == 1:
        return negatives + [n for n in names if n not in negatives]
    return names


def loss_for(kind: str) -> str:
    """The Keras loss of a target kind."""
    return {
        "binary": "binary_crossentropy",
        "multiclass": "sparse_categorical_crossentropy",
        "regression": "mean_squared_error",
        "reconstruction": "mean_squared_error",
    }[kind]


def output_layer(
    kind: str, num_classes: int, name: str = "output", kernel_initializer: str = "glorot_uniform"
) -> Any:
    """The Dense output layer every model builder ends with.

    Binary: 1 sigmoid unit (probability of the positive class); multiclass:
    ``num_classes`` softmax units; regression: 1 linear unit. ``kernel_initializer``
    ``"zeros"`` starts every prediction at the uninformed guess (0.5, uniform, 0).
    """
    from keras import layers

    units, activation = {"binary": (1, "sigmoid"), "multiclass": (num_classes, "softmax")}.get(
        kind, (1, None)
    )
    return layers.Dense(
        units, activation=activation, name=name, kernel_initializer=kernel_initializer
    )


def keras_metrics(kind: str) -> list[Any]:
    """Metrics Keras logs per epoch (the final metrics come from scikit-learn)."""
    import keras

    if kind == "binary":
        return [keras.metrics.BinaryAccuracy(name="accuracy"), keras.metrics.AUC(name="auroc")]
    if kind == "multiclass":
        return [keras.metrics.SparseCategoricalAccuracy(name="accuracy")]
    if kind == "survival":  # the partial likelihood is the loss; the C-index comes afterwards
        return []
    return [keras.metrics.MeanAbsoluteError(name="mae")]
