"""The simple model every run trains beside its network, on the same splits.

Classification gets a logistic regression, regression a ridge regression, both on the
task's baseline features (``Task.baseline_features``) with median imputation, missing
indicators, standardisation and one-hot categories. The regularisation strength is the
one with the lowest loss on the validation split, so the test split never chooses it.

The baseline fits on at most :data:`BASELINE_ROWS` training rows (a seeded uniform sample,
stated in ``metrics.json``): past that a linear model gains nothing measurable, while its
time and memory would grow with the cohort.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

#: Regularisation strengths tried (``C`` of logistic regression; ``1/alpha`` of ridge).
STRENGTHS = (0.001, 0.01, 0.1, 1.0, 10.0)
#: The baseline fits on at most this many training rows (and chooses its strength on at most
#: this many validation rows).
BASELINE_ROWS = 50_000


@dataclass(frozen=True)
class BaselineFit:
    """A fitted baseline and its scores.

    Attributes:
        model: ``logistic_regression`` or ``ridge``.
        strength: The chosen ``C`` (inverse regularisation).
        scores: Per split name, scores shaped like the network's outputs.
        train_rows: Training rows it was fitted on (at most :data:`BASELINE_ROWS`).
        estimator: The fitted scikit-learn pipeline, to score more rows (:meth:`score`).
    """

    model: str
    strength: float
    scores: dict[str, np.ndarray]
    train_rows: int | None = None
    estimator: Any = field(default=None, compare=False, repr=False)

    def score(self, kind: str, x: Any) -> np.ndarray:
        """Scores more rows (a 2-D array or a table like the ones it was fitted on)."""
        return _scores(kind, self.estimator, x)


def fit_baseline(
    kind: str,
    features: dict[str, Any],
    targets: dict[str, np.ndarray],
    *,
    seed: int = 0,
    score: tuple[str, ...] | None = None,
) -> BaselineFit:
    """Fits the baseline on ``train``, chooses its strength on ``val``, scores the splits.

    Args:
        kind: ``binary``, ``multiclass`` or ``regression``.
        features: Per split, a 2-D array or a table (numeric and text columns).
        targets: Per split, encoded targets (class indices or values).
        seed: Seed of the sample of :data:`BASELINE_ROWS` rows taken from a larger split.
        score: The splits to score (default: every split in ``features``); a caller that
            streams a split scores it later with :meth:`BaselineFit.score`.

    Returns:
        The fitted baseline with scores for the splits asked for.
    """
    from sklearn.metrics import log_loss, mean_squared_error

    train_x, train_y = bounded_rows(features["train"], targets["train"], seed)
    val_x, val_y = bounded_rows(features["val"], targets["val"], seed)
    best = None
    for strength in STRENGTHS:
        estimator = _estimator(kind, train_x, strength)
        estimator.fit(train_x, train_y)
        val = _scores(kind, estimator, val_x)
        if kind == "regression":
            loss = mean_squared_error(val_y, val)
        else:
            labels = list(range(val.shape[1])) if val.ndim > 1 else [0, 1]
            loss = log_loss(val_y, val, labels=labels)
        if best is None or loss < best[0]:
            best = (loss, strength, estimator)
    _, strength, estimator = best
    names = tuple(features) if score is None else score
    return BaselineFit(
        model="ridge" if kind == "regression" else "logistic_regression",
        strength=strength,
        scores={name: _scores(kind, estimator, features[name]) for name in names},
        train_rows=len(train_y),
        estimator=estimator,
    )


def bounded_rows(x: Any, y: np.ndarray, seed: int, limit: int | None = None) -> tuple:
    """``x`` and ``y`` whole, or a seeded uniform sample of ``limit`` rows (default
    :data:`BASELINE_ROWS`) in their order."""
    limit = BASELINE_ROWS if limit is None else limit
    if len(y) <= limit:
        return x, y
    keep = np.sort(np.random.default_rng(seed).choice(len(y), limit, replace=False))
    rows = x.iloc[keep].reset_index(drop=True) if hasattr(x, "iloc") else x[keep]
    return rows, np.asarray(y)[keep]


def _scores(kind: str, estimator: Any, x: Any) -> np.ndarray:
    if kind == "regression":
        return estimator.predict(x).reshape(-1, 1)
    probabilities = estimator.predict_proba(x)
    return probabilities[:, 1] if kind == "binary" else probabilities


def _estimator(kind: str, x: Any, strength: float) -> Any:
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.pipeline import make_pipeline

    if kind == "regression":
        model = Ridge(alpha=1.0 / strength)
    else:
        model = LogisticRegression(C=strength, max_iter=2000)
    return make_pipeline(feature_preprocessing(x), model)


def feature_preprocessing(x: Any) -> Any:
    """An unfitted scikit-learn transform: impute and scale numbers, one-hot the text columns."""
    from sklearn.compose import ColumnTransformer, make_column_selector
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    numeric = make_pipeline(
        SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True),
        StandardScaler(),
    )
    if not hasattr(x, "columns"):
        return numeric
    categorical = make_pipeline(
        SimpleImputer(strategy="constant", fill_value="missing"),
        OneHotEncoder(handle_unknown="ignore"),
    )
    return ColumnTransformer(
        [
            ("numeric", numeric, make_column_selector(dtype_include="number")),
            ("categorical", categorical, make_column_selector(dtype_exclude="number")),
        ]
    )


def flatten_dataset(dataset: Any) -> Any:
    """The inputs of an unbatched ``(x, y)`` or ``x`` dataset as one row per example.

    Array inputs become a 2-D float array; dict inputs (one value per column) a table
    whose text columns are treated as categories.
    """
    import pandas as pd

    spec = dataset.element_spec
    if isinstance(spec, tuple):
        dataset = dataset.map(lambda x, *_: x)
        spec = spec[0]
    parts = list(dataset.batch(4096).as_numpy_iterator())
    if isinstance(spec, dict):
        columns = {}
        for name in spec:
            values = np.concatenate([part[name] for part in parts]).reshape(-1)
            if values.dtype.kind in "SO":
                values = np.array([v.decode() if isinstance(v, bytes) else str(v) for v in values],
                                  dtype=object)  # fmt: skip
            columns[name] = values
        return pd.DataFrame(columns)
    values = np.concatenate(parts)
    return values.reshape(len(values), -1).astype("float32")
