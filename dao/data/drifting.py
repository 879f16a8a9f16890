"""A generated world whose concept drifts over time: the data of live-scored epochs (issue 20).

A row at time t has features x ~ N(0, I₄) and label y ~ Bernoulli(σ(k·(cos θ(t)·x₀ + sin θ(t)·x₁) +
1.5·x₂)), where the angle θ is piecewise linear through `KNOTS`: almost still for most of the
training period [0, 1], then turning, and still turning after it. Rows drawn from the start of the
period are accurate on the past and increasingly wrong about the future; rows from its end are the
best available guess of what comes next. Nothing is downloaded: the world is a seeded generator.

`bench.live_scoring` measures static versus live scoring on it; the demo's live-scored epoch
(`build_live_artifacts`) plays the same world through the chain.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd

KNOTS = ((0.0, 0.0), (0.6, 10.0), (1.0, 50.0), (1.5, 110.0))  # (time, θ in degrees)
SHARPNESS = 3.0  # k: the weight of the turning part of the concept
STABLE = 1.5  # the weight of x₂, the part of the concept that does not drift
FEATURES = ("x0", "x1", "x2", "x3")
TARGET = "y"
# The live builders: three honest models and a poor one (1-nearest-neighbour: hard 0/1 answers).
LIVE_MODEL_SPECS = {
    "logistic": ("logistic_regression", {"C": 1.0}),
    "forest": ("random_forest", {"n_estimators": 30, "max_depth": 4}),
    "naive_bayes": ("gaussian_nb", {}),
    "poor_large_stake": ("k_neighbors", {"n_neighbors": 1}),
}


def angle(t: np.ndarray) -> np.ndarray:
    """θ(t) in radians."""
    times, degrees = zip(*KNOTS, strict=True)
    return np.radians(np.interp(t, times, degrees))


def draw(
    rng: np.random.Generator, n: int, t_low: float, t_high: float, flip: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """`n` rows of the world at times uniform in [t_low, t_high]; labels flipped when `flip`."""
    t = rng.uniform(t_low, t_high, n)
    X = rng.normal(size=(n, 4))
    theta = angle(t)
    logit = SHARPNESS * (np.cos(theta) * X[:, 0] + np.sin(theta) * X[:, 1]) + STABLE * X[:, 2]
    y = (rng.uniform(size=n) < 1.0 / (1.0 + np.exp(-logit))).astype(np.int64)
    return X, (1 - y if flip else y)


def world(rows: int, seed: int) -> dict:
    """Providers `fresh` (end of the training period), `stale` (its first half) and `flipped`
    (fresh-regime rows, every label flipped); the anchor (kept current: the end of the period), the
    static hold-out (the whole period), the live rows (t in (1, 1.5], after contributions close)
    and a few `past` rows (ones that existed before the metamodel was committed)."""
    rng = np.random.default_rng(seed)
    return {
        "providers": {
            "fresh": draw(rng, rows, 0.85, 1.0),
            "stale": draw(rng, rows, 0.0, 0.5),
            "flipped": draw(rng, rows // 2, 0.85, 1.0, flip=True),
        },
        "anchor": draw(rng, max(rows // 8, 20), 0.85, 1.0),
        "static": draw(rng, rows, 0.0, 1.0),
        "live": draw(rng, 2 * rows, 1.0, 1.5),
        "past": draw(rng, 10, 0.0, 1.0),
    }


def rows_csv(X: np.ndarray, y: np.ndarray) -> bytes:
    """Rows as the CSV a provider or the outcome reporter stores (6 decimals, like every data file)."""
    frame = pd.DataFrame(X, columns=list(FEATURES)).round(6)
    frame[TARGET] = y.astype(int)
    return frame.to_csv(index=False, float_format="%.6f").encode()


def model_spec(estimator: str, params: dict) -> bytes:
    return json.dumps(
        {"spec_version": 1, "estimator": estimator, "task": "classification", "params": params},
        sort_keys=True,
    ).encode()


@dataclass(frozen=True)
class LiveArtifacts:
    """The files of one live-scored epoch in the drifting world."""

    schema_features: tuple[tuple[str, str], ...]
    target: str
    anchor_csv: bytes
    validation_csv: bytes  # the static hold-out, drawn from the training period
    provider_csvs: dict[str, bytes]  # fresh, stale, flipped
    model_specs: dict[str, bytes]  # LIVE_MODEL_SPECS' names
    outcome_csvs: tuple[bytes, ...]  # the live rows, in the posts the reporter makes
    past_csv: bytes  # rows that existed before the commitment: never scoring data


def build_live_artifacts(rows: int = 300, posts: int = 3, random_state: int = 0) -> LiveArtifacts:
    """The drifting world's files for a live epoch: `rows` per provider, 2·`rows` outcome rows in
    `posts` posts."""
    w = world(rows, random_state)
    X, y = w["live"]
    return LiveArtifacts(
        schema_features=tuple((name, "float64") for name in FEATURES),
        target=TARGET,
        anchor_csv=rows_csv(*w["anchor"]),
        validation_csv=rows_csv(*w["static"]),
        provider_csvs={name: rows_csv(*pair) for name, pair in w["providers"].items()},
        model_specs={name: model_spec(*spec) for name, spec in LIVE_MODEL_SPECS.items()},
        outcome_csvs=tuple(rows_csv(X[part], y[part]) for part in np.array_split(np.arange(len(y)), posts)),
        past_csv=rows_csv(*w["past"]),
    )
