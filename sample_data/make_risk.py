"""Generate the bundled risk sample: a synthetic 3000-patient cohort with a yes/no outcome.

Layout: ``risk/cohort.csv``, one row per patient, target column ``disease`` (``yes``/``no``).

Covariates are drawn with plausible correlations (blood pressure rises with age and BMI, HbA1c
with BMI, men smoke more). The outcome comes from a non-linear logistic model:
an age effect that steepens after 70, an HbA1c x BMI interaction (only above 5.7% and 25 kg/m2),
a threshold effect of systolic blood pressure (>= 140 and >= 160 mmHg), smoking categories,
APOE4 dose (two alleles count more than twice one), family history, LDL, sex and a small site
offset; the intercept gives a prevalence of about 20%. After the outcome is drawn, bmi, ldl,
hba1c and smoking are blanked in 4-11% of rows, with a rate that depends on the site (missing at
random given site).

Deterministic: ``numpy.random.default_rng(SEED)``; re-running writes a byte-identical file.
Run ``python sample_data/make_risk.py [--out DIR]``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20240603
N = 3000
SITES = ["St Mary's", "Northgate General", "Riverside Clinic", "University Hospital", "Lakeview"]
SITE_OFFSET = np.array([0.0, 0.15, -0.1, 0.1, -0.15])
SITE_MISSING = np.array([0.04, 0.06, 0.11, 0.05, 0.08])
INTERCEPT = -3.25


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


def make_cohort(rng: np.random.Generator) -> pd.DataFrame:
    """Draw covariates, the outcome, then the missing values."""
    age = np.clip(rng.normal(62, 11, N), 40, 85).round()
    male = rng.random(N) < 0.48
    site = rng.choice(len(SITES), size=N, p=[0.3, 0.25, 0.2, 0.15, 0.1])
    bmi = np.clip(rng.normal(27.5, 4.8, N), 16, 50)
    sbp = np.clip(110 + 0.75 * (age - 40) + 0.8 * (bmi - 27) + rng.normal(0, 16, N), 85, 220)
    ldl = np.clip(rng.normal(3.2, 0.9, N) + 0.02 * (bmi - 27), 1.0, 7.5)
    diabetic = rng.random(N) < sigmoid((bmi - 33) / 4)
    hba1c = 5.1 + 0.03 * (bmi - 27) + rng.gamma(2, 0.15, N) + diabetic * rng.gamma(2, 0.8, N)
    hba1c = np.clip(hba1c, 4.2, 13)
    smoke_p = np.where(male[:, None], [0.45, 0.33, 0.22], [0.55, 0.28, 0.17])
    smoking = (rng.random(N)[:, None] > smoke_p.cumsum(axis=1)).sum(axis=1)  # 0 never .. 2 current
    apoe4 = rng.binomial(2, 0.14, N)
    family = rng.random(N) < 0.25

    logit = (
        INTERCEPT
        + 0.035 * (age - 60)
        + 1.1 * sigmoid((age - 72) / 3)
        + 0.35 * np.maximum(hba1c - 5.7, 0) * np.maximum(bmi - 25, 0) / 4
        + 0.8 * (sbp >= 140)
        + 0.6 * (sbp >= 160)
        + np.array([0.0, 0.35, 1.0])[smoking]
        + np.array([0.0, 0.6, 1.8])[apoe4]
        + 0.5 * family
        + 0.25 * (ldl - 3.2)
        + 0.2 * male
        + SITE_OFFSET[site]
    )
    disease = rng.random(N) < sigmoid(logit)

    df = pd.DataFrame(
        {
            "patient_id": [f"P{i:05d}" for i in range(1, N + 1)],
            "age": age.astype(int),
            "sex": np.where(male, "M", "F"),
            "bmi": bmi.round(1),
            "systolic_bp": sbp.round().astype(int),
            "ldl": ldl.round(1),
            "hba1c": hba1c.round(1),
            "smoking": np.array(["never", "former", "current"])[smoking],
            "apoe4_alleles": apoe4,
            "family_history": np.where(family, "yes", "no"),
            "site": np.array(SITES)[site],
            "disease": np.where(disease, "yes", "no"),
        }
    )
    for col in ("bmi", "ldl", "hba1c", "smoking"):
        df[col] = df[col].mask(rng.random(N) < SITE_MISSING[site])
    return df


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    cohort = make_cohort(np.random.default_rng(SEED))
    cohort.to_csv(out / "cohort.csv", index=False, lineterminator="\n")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "risk")
    main(parser.parse_args().out)
