"""How a trained model is scored, the same way everywhere: the games' v(S), the metamodel's
validation score, the screening's likelihoods.

Scores are smooth and higher is better: negative log-loss over the full class set for
classification, negative mean squared error for regression. A class the model never saw gets the
floor probability `PROBA_FLOOR` (so one unseen label costs a bounded, not an infinite, loss).
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import log_loss, mean_squared_error

PROBA_FLOOR = 1e-6


def full_proba(model, X: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """`model`'s class probabilities on `X` over the columns `classes` (sorted): classes the model
    lacks get the floor, every probability is at least the floor, and rows sum to one."""
    proba = np.full((len(X), len(classes)), PROBA_FLOOR)
    columns = np.searchsorted(classes, model.classes_)
    proba[:, columns] = np.maximum(model.predict_proba(X), PROBA_FLOOR)
    return proba / proba.sum(axis=1, keepdims=True)


def score(task: str, y_true: np.ndarray, model, X: np.ndarray, classes: np.ndarray) -> float:
    """Negative log-loss over the full class set (absent classes get the floor probability), or
    negative MSE for regression."""
    if task == "regression":
        return -float(mean_squared_error(y_true, model.predict(X)))
    return -float(log_loss(y_true, full_proba(model, X, classes), labels=classes))


def prior_score(task: str, y_train: np.ndarray, y_true: np.ndarray, classes: np.ndarray) -> float:
    """The score of predicting the training prior (class frequencies, or the mean target)."""
    if task == "regression":
        return -float(mean_squared_error(y_true, np.full(len(y_true), float(np.mean(y_train)))))
    frequencies = np.array([(y_train == c).mean() for c in classes])
    proba = np.maximum(frequencies, PROBA_FLOOR)
    proba = np.tile(proba / proba.sum(), (len(y_true), 1))
    return -float(log_loss(y_true, proba, labels=classes))
