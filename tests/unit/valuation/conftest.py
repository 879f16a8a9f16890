"""Small valuation scenarios built from scikit-learn's bundled data sets."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_digits

from valuation.games import CoalitionGame


def flip_labels(y: np.ndarray, rate: float, rng: np.random.Generator, n_classes: int = 2) -> np.ndarray:
    flipped = y.copy()
    rows = rng.choice(len(y), int(rate * len(y)), replace=False)
    flipped[rows] = (flipped[rows] + rng.integers(1, n_classes, len(rows))) % n_classes
    return flipped


def provider_scenario(
    data, n_providers: int, corrupted=(), anchor_rows=30, validation_rows=170, seed=0, n_classes=2
):
    X, y = data
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(y))
    X, y = X[order], y[order]
    anchor = (X[:anchor_rows], y[:anchor_rows])
    validation = (
        X[anchor_rows : anchor_rows + validation_rows],
        y[anchor_rows : anchor_rows + validation_rows],
    )
    parts = np.array_split(np.arange(anchor_rows + validation_rows, len(y)), n_providers)
    providers = []
    for index, rows in enumerate(parts):
        labels = flip_labels(y[rows], 0.4, rng, n_classes) if index in corrupted else y[rows]
        providers.append((X[rows], labels))
    return providers, anchor, validation


@pytest.fixture(scope="session")
def breast_cancer():
    return load_breast_cancer(return_X_y=True)


@pytest.fixture(scope="session")
def digits():
    return load_digits(return_X_y=True)


class AdditiveGame(CoalitionGame):
    """v(S) = sum of the weights of S: its Shapley values are the weights themselves."""

    def __init__(self, weights):
        self.weights = np.asarray(weights, dtype=float)
        self.task = "regression"
        self._init_cache(len(self.weights), None)

    def _evaluate(self, members):
        return float(self.weights[members].sum())


class LearningCurveGame(AdditiveGame):
    """v(S) = log(1 + sum of the weights of S): mostly a bending function of how much data S has,
    the shape that makes plain Kernel SHAP noisy on data games."""

    def _evaluate(self, members):
        return float(np.log1p(self.weights[members].sum()))
