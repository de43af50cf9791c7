"""Whether acting on a binary model helps: the decision curve and an operating point.

Net benefit at a threshold probability ``t`` (Vickers & Elkin, 2006) counts true
positives and charges each false positive ``t / (1 - t)`` of a true one: the exchange
rate a clinician accepts when treating everyone above ``t``. A model is useful where its
curve lies above both "treat all" and "treat none" (net benefit 0).

The operating point is the threshold reaching ``--target-sensitivity`` on the
validation split (never the test split), applied unchanged to the test split, whose
sensitivity, specificity, PPV and NPV get bootstrap intervals.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pmtk.core.evaluation import bootstrap

#: Threshold probabilities of the decision curve.
THRESHOLDS = np.round(np.arange(0.01, 1.0, 0.01), 2)
#: Default sensitivity the operating point aims at.
TARGET_SENSITIVITY = 0.9


def net_benefit(truth: np.ndarray, probability: np.ndarray, threshold: float) -> float:
    """Net benefit of treating everyone whose probability is at least ``threshold``."""
    truth = np.asarray(truth).astype(bool)
    treated = np.asarray(probability).reshape(-1) >= threshold
    count = len(truth)
    true_positive = np.sum(treated & truth) / count
    false_positive = np.sum(treated & ~truth) / count
    return float(true_positive - false_positive * threshold / (1 - threshold))


def decision_curve(
    truth: np.ndarray, probability: np.ndarray, baseline: np.ndarray | None = None
) -> list[dict[str, float]]:
    """Net benefit of the model, of treating all and (optionally) of the baseline.

    Args:
        truth: 1 for the positive class, 0 otherwise.
        probability: The model's positive-class probabilities.
        baseline: The baseline's probabilities on the same examples, if any.

    Returns:
        One row per threshold 0.01..0.99: ``threshold``, ``net_benefit``, ``treat_all``
        (and ``baseline``); treat-none is 0 everywhere.
    """
    truth = np.asarray(truth).astype(int)
    everyone = np.ones(len(truth))
    rows = []
    for threshold in THRESHOLDS:
        row = {
            "threshold": float(threshold),
            "net_benefit": _round(net_benefit(truth, probability, threshold)),
            "treat_all": _round(net_benefit(truth, everyone, threshold)),
        }
        if baseline is not None:
            row["baseline"] = _round(net_benefit(truth, baseline, threshold))
        rows.append(row)
    return rows


def rates(truth: np.ndarray, probability: np.ndarray, threshold: float) -> dict[str, float | None]:
    """Sensitivity, specificity, PPV and NPV of calling positive at ``threshold`` or above."""
    truth = np.asarray(truth).astype(bool)
    called = np.asarray(probability).reshape(-1) >= threshold
    true_positive, false_positive = np.sum(called & truth), np.sum(called & ~truth)
    false_negative, true_negative = np.sum(~called & truth), np.sum(~called & ~truth)
    return {
        "sensitivity": _ratio(true_positive, true_positive + false_negative),
        "specificity": _ratio(true_negative, true_negative + false_positive),
        "ppv": _ratio(true_positive, true_positive + false_positive),
        "npv": _ratio(true_negative, true_negative + false_negative),
    }


def threshold_for_sensitivity(truth: np.ndarray, probability: np.ndarray, target: float) -> float:
    """A threshold whose sensitivity on these examples is at least ``target``.

    The highest such cut is moved half-way down to the next lower score, so a split whose
    classes are perfectly separated does not put the threshold on one patient's score.
    """
    probability = np.asarray(probability).reshape(-1)
    positives = np.sort(probability[np.asarray(truth).astype(bool)])
    if len(positives) == 0:
        return 0.5
    needed = int(np.ceil(target * len(positives)))
    cut = float(positives[len(positives) - max(needed, 1)])
    below = probability[probability < cut]
    return cut if len(below) == 0 else (cut + float(below.max())) / 2


def operating_point(
    truth: dict[str, np.ndarray],
    scores: dict[str, np.ndarray],
    target: float,
    *,
    groups: Any = None,
    resamples: int,
    seed: int,
) -> dict[str, Any]:
    """The ``operating_point`` entry of ``metrics.json``.

    Args:
        truth: Per split (``val``, ``test``), 1 for the positive class.
        scores: Per split, positive-class probabilities.
        target: Sensitivity the validation threshold must reach (between 0 and 1).
        groups: Group of each test example, resampled whole.
        resamples: Bootstrap resamples (0: no intervals).
        seed: Seed of the resampling.

    Returns:
        ``target_sensitivity``, ``threshold``, ``chosen_on``, the test rates and ``ci``.
    """
    threshold = threshold_for_sensitivity(truth["val"], scores["val"], target)
    test_truth, test_scores = np.asarray(truth["test"]), np.asarray(scores["test"]).reshape(-1)
    result: dict[str, Any] = {
        "target_sensitivity": target,
        "threshold": _round(threshold),
        "chosen_on": "val",
        "test": rates(test_truth, test_scores, threshold),
    }
    small = len(test_truth) < bootstrap.MIN_EXAMPLES or len(np.unique(test_truth)) < 2
    if resamples == 0 or small:
        result["ci"] = dict.fromkeys(result["test"])
        return result

    def statistic_of(rows):
        return lambda weights: weighted_rates(test_truth[rows], test_scores[rows], threshold,
                                              weights)  # fmt: skip

    found = bootstrap.split_intervals(statistic_of, len(test_truth), groups, resamples, seed)
    # rates are proportions: a band moved to the whole split's estimate stays inside [0, 1]
    result["ci"] = {name: None if b is None else [max(0.0, b[0]), min(1.0, b[1])]
                    for name, b in found.items()}  # fmt: skip
    return result


def weighted_rates(
    truth: np.ndarray, probability: np.ndarray, threshold: float, weights: np.ndarray
) -> dict[str, np.ndarray]:
    """:func:`rates` once per row of count ``weights`` (resamples x examples); NaN: undefined."""
    truth = np.asarray(truth).astype(bool)
    called = np.asarray(probability).reshape(-1) >= threshold
    true_positive, false_positive = weights @ (called & truth), weights @ (called & ~truth)
    false_negative, true_negative = weights @ (~called & truth), weights @ (~called & ~truth)
    with np.errstate(divide="ignore", invalid="ignore"):
        return {
            "sensitivity": true_positive / (true_positive + false_negative),
            "specificity": true_negative / (true_negative + false_positive),
            "ppv": true_positive / (true_positive + false_positive),
            "npv": true_negative / (true_negative + false_negative),
        }


def _ratio(numerator: float, denominator: float) -> float | None:
    return None if denominator == 0 else _round(numerator / denominator)


def _round(value: float) -> float:
    return round(float(value), 6)
