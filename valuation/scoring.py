"""How a trained model is scored, the same way everywhere: the games' v(S), the metamodel's
validation score, the screening's likelihoods.

Scores are smooth and higher is better: negative log-loss over the full class set for
classification, negative mean squared error for regression. A class the model never saw gets the
floor probability `PROBA_FLOOR` (so one unseen label costs a bounded, not an infinite, loss).

A score is a mean over validation rows; `scores_and_rows` and `prior_scores_and_rows` also give
each row's own score (their mean is the score up to rounding), which is what tells how much of a
value is validation-set sampling noise.
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
    return prior_scores_and_rows(task, y_train, y_true, classes)[0]


def _from_predictions(
    task: str, y_true: np.ndarray, predicted: np.ndarray, classes: np.ndarray
) -> tuple[float, np.ndarray]:
    """(score, per-row scores) from predictions (regression) or full probabilities (classification);
    the score is computed exactly as `score` computes it."""
    if task == "regression":
        value = -float(mean_squared_error(y_true, predicted))
        return value, -((np.asarray(y_true, dtype=float) - predicted) ** 2)
    value = -float(log_loss(y_true, predicted, labels=classes))
    rows = np.log(predicted[np.arange(len(y_true)), np.searchsorted(classes, y_true)])
    return value, rows


def scores_and_rows(
    task: str, y_true: np.ndarray, model, X: np.ndarray, classes: np.ndarray
) -> tuple[float, np.ndarray]:
    """`score` and each validation row's own score (log-likelihood, or negative squared error)."""
    predicted = model.predict(X) if task == "regression" else full_proba(model, X, classes)
    return _from_predictions(task, y_true, predicted, classes)


def prior_scores_and_rows(
    task: str, y_train: np.ndarray, y_true: np.ndarray, classes: np.ndarray
) -> tuple[float, np.ndarray]:
    """`prior_score` and each validation row's own score."""
    if task == "regression":
        return _from_predictions(task, y_true, np.full(len(y_true), float(np.mean(y_train))), classes)
    frequencies = np.array([(y_train == c).mean() for c in classes])
    proba = np.maximum(frequencies, PROBA_FLOOR)
    proba = np.tile(proba / proba.sum(), (len(y_true), 1))
    return _from_predictions(task, y_true, proba, classes)
