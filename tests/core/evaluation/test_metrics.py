"""Split metrics match direct scikit-learn calls and carry PRODUCT.md's names."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics as sk

from pmtk.core.evaluation.metrics import evaluate


def test_binary_metrics_match_sklearn():
    y_true = np.array([0, 1, 1, 0, 1, 0, 1, 1], dtype="float32")  # the loop passes floats
    scores = np.array([[0.1], [0.8], [0.4], [0.3], [0.9], [0.6], [0.7], [0.55]], dtype="float32")
    result = evaluate("binary", y_true, scores)
    assert set(result) == {"accuracy", "auroc", "auprc", "loss", "brier"}
    p = scores.ravel()
    assert result["accuracy"] == pytest.approx(sk.accuracy_score(y_true, p >= 0.5), abs=1e-6)
    assert result["auroc"] == pytest.approx(sk.roc_auc_score(y_true, p), abs=1e-6)
    assert result["auprc"] == pytest.approx(sk.average_precision_score(y_true, p), abs=1e-6)
    assert result["loss"] == pytest.approx(sk.log_loss(y_true, p), abs=1e-6)
    assert result["brier"] == pytest.approx(sk.brier_score_loss(y_true, p), abs=1e-6)


def test_multiclass_metrics_match_sklearn():
    y_true = np.array([0, 1, 2, 2, 1, 0])
    scores = np.array(
        [
            [0.7, 0.2, 0.1],
            [0.2, 0.5, 0.3],
            [0.1, 0.2, 0.7],
            [0.3, 0.4, 0.3],
            [0.1, 0.8, 0.1],
            [0.4, 0.4, 0.2],
        ]
    )
    result = evaluate("multiclass", y_true, scores)
    assert set(result) == {"accuracy", "macro_auroc", "loss", "brier"}
    assert result["accuracy"] == pytest.approx(sk.accuracy_score(y_true, scores.argmax(1)))
    expected_auroc = sk.roc_auc_score(y_true, scores, multi_class="ovr", average="macro")
    assert result["macro_auroc"] == pytest.approx(expected_auroc, abs=1e-6)
    assert result["loss"] == pytest.approx(sk.log_loss(y_true, scores), abs=1e-6)
    one_vs_rest = [sk.brier_score_loss(y_true == c, scores[:, c]) for c in range(3)]
    assert result["brier"] == pytest.approx(np.mean(one_vs_rest), abs=1e-6)


def test_regression_metrics_match_sklearn():
    y_true = np.array([1.0, 2.0, 3.5, 4.0])
    predicted = np.array([[1.5], [1.8], [3.0], [4.4]])
    result = evaluate("regression", y_true, predicted)
    assert set(result) == {"mae", "rmse", "r2"}
    p = predicted.ravel()
    assert result["mae"] == pytest.approx(sk.mean_absolute_error(y_true, p), abs=1e-6)
    assert result["rmse"] == pytest.approx(np.sqrt(sk.mean_squared_error(y_true, p)), abs=1e-6)
    assert result["r2"] == pytest.approx(sk.r2_score(y_true, p), abs=1e-6)


def test_single_class_split_has_no_auroc():
    result = evaluate("binary", np.zeros(4), np.array([[0.1], [0.2], [0.7], [0.3]]))
    assert result["auroc"] is None and result["auprc"] is None
    assert result["accuracy"] == pytest.approx(0.75)
    assert result["loss"] is not None


def test_multiclass_split_missing_a_class_has_no_macro_auroc():
    scores = np.array([[0.6, 0.3, 0.1], [0.2, 0.7, 0.1], [0.5, 0.4, 0.1]])
    result = evaluate("multiclass", np.array([0, 1, 0]), scores)
    assert result["macro_auroc"] is None
    assert result["accuracy"] == pytest.approx(1.0)


def test_regression_r2_undefined_for_one_example():
    assert evaluate("regression", np.array([2.0]), np.array([[1.0]]))["r2"] is None


def test_metrics_are_json_floats():
    result = evaluate("binary", np.array([0, 1]), np.array([[0.2], [0.9]]))
    assert all(type(value) is float for value in result.values())
