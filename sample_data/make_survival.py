"""Generate the survival sample: synthetic 3000-patient cohorts with follow-up times and censoring.

Layout: ``survival/cohort.csv`` (non-linear hazard) and ``survival/cohort_linear.csv`` (linear
hazard), one row per patient: ``patient_id``, covariates, ``time`` (days from baseline to the
event or the last contact) and ``event`` (1 event, 0 censored). The true log relative hazard of
each patient (the oracle risk score, never a feature) is in ``survival/oracle.csv`` and
``survival/oracle_linear.csv`` (``patient_id,true_log_hazard``).

Covariates: age, sex, BMI, systolic blood pressure, CRP (log-normal), smoking (never / former /
current) and site. Event times are exponential with rate ``BASE_RATE * exp(log_hazard)``:

- linear: ``0.06 (age - 60) + 0.4 male + 0.6 log(CRP) + 0.02 (SBP - 130) + 0.3 former
  + 0.7 current``;
- non-linear: the same sex and smoking terms, a weaker linear age term ``0.02 (age - 60)``,
  plus a U-shaped BMI effect ``0.9 ((BMI - 26) / 5)^2``, an age effect that steepens after 70
  (``1.2 sigmoid((age - 70) / 3)``), a CRP threshold (``0.9`` when CRP > 5 mg/L) and an
  SBP x age interaction (``0.8`` when SBP >= 160 and age >= 65). A linear Cox model cannot
  represent these terms.

Censoring: administrative end of study uniform between 1 and 10 years after baseline, plus
loss to follow-up at an exponential rate (about 45-55% of patients are censored). Times are
rounded up to whole days, so ties occur as in real registries. After the outcome is drawn,
BMI, SBP and CRP are blanked in about 5% of rows each.

Deterministic: ``numpy.random.default_rng(SEED)``; re-running writes byte-identical files.
Run ``python sample_data/make_survival.py [--out DIR]``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20250115
N = 3000
BASE_RATE = 1 / 6000  # events per day at log hazard 0
SITES = ["North", "South", "East", "West"]


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


def covariates(rng: np.random.Generator, n: int) -> pd.DataFrame:
    """Patient covariates with plausible correlations."""
    age = np.clip(rng.normal(62, 10, n), 35, 90).round()
    male = rng.random(n) < 0.5
    bmi = np.clip(rng.normal(27, 5, n), 16, 50).round(1)
    sbp = np.clip(115 + 0.6 * (age - 40) + 0.7 * (bmi - 27) + rng.normal(0, 15, n), 85, 220)
    crp = np.exp(rng.normal(0.7, 0.9, n)).round(2)
    smoking = rng.choice(["never", "former", "current"], n, p=[0.5, 0.3, 0.2])
    return pd.DataFrame({"patient_id": [f"S{i:05d}" for i in range(1, n + 1)], "age": age,
                         "sex": np.where(male, "male", "female"), "bmi": bmi, "sbp": sbp.round(),
                         "crp": crp, "smoking": smoking,
                         "site": rng.choice(SITES, n)})  # fmt: skip


def log_hazard(frame: pd.DataFrame, variant: str) -> np.ndarray:
    """The true log relative hazard of each patient (``linear`` or ``nonlinear``)."""
    age, bmi, sbp, crp = (frame[c].to_numpy(dtype=float) for c in ("age", "bmi", "sbp", "crp"))
    male = (frame["sex"] == "male").to_numpy()
    smoking = frame["smoking"].to_numpy()
    common = 0.4 * male + 0.3 * (smoking == "former") + 0.7 * (smoking == "current")
    if variant == "linear":
        return 0.06 * (age - 60) + common + 0.6 * np.log(crp) + 0.02 * (sbp - 130)
    return (
        0.02 * (age - 60)
        + common
        + 1.2 * sigmoid((age - 70) / 3)
        + 0.9 * ((bmi - 26) / 5) ** 2
        + 0.9 * (crp > 5)
        + 0.8 * ((sbp >= 160) & (age >= 65))
        - 0.9
    )


def make_cohort(
    rng: np.random.Generator, variant: str, n: int = N
) -> tuple[pd.DataFrame, np.ndarray]:
    """A cohort with ``time`` and ``event`` columns, and the true log hazard of each row."""
    frame = covariates(rng, n)
    eta = log_hazard(frame, variant)
    event_time = rng.exponential(1 / (BASE_RATE * np.exp(eta)))
    end_of_study = rng.uniform(365, 3650, n)
    lost = rng.exponential(12000, n)
    censor_time = np.minimum(end_of_study, lost)
    frame["time"] = np.ceil(np.minimum(event_time, censor_time)).astype(int)
    frame["event"] = (event_time <= censor_time).astype(int)
    for column in ("bmi", "sbp", "crp"):
        frame[column] = frame[column].where(rng.random(n) >= 0.05)
    return frame, eta


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "survival")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)
    for variant, suffix in (("nonlinear", ""), ("linear", "_linear")):
        frame, eta = make_cohort(rng, variant)
        frame.to_csv(args.out / f"cohort{suffix}.csv", index=False, lineterminator="\n")
        oracle = pd.DataFrame({"patient_id": frame["patient_id"], "true_log_hazard": eta.round(6)})
        oracle.to_csv(args.out / f"oracle{suffix}.csv", index=False, lineterminator="\n")
        print(f"{variant}: {len(frame)} patients, {frame['event'].mean():.0%} events, "
              f"median time {frame['time'].median():.0f} days")  # fmt: skip


if __name__ == "__main__":
    main()
