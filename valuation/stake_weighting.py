"""Meta-learners that take the builders' stakes into account (issue 20), and the model game that
values builders on them.

The essay's metamodel "takes into account the staking of each model": a builder who stakes much on
a model gives it much say in the metamodel, so a large stake on a poor model lowers the metamodel,
and the Shapley values computed on it (and the slashes that follow) say so. Two options besides the
default stacker (`StackedMetamodel`'s logistic/ridge meta-learner, which ignores stakes):

- `StakeWeightedMean` ("stake_weighted"): Numerai's combination. The metamodel's prediction is the
  stake-weighted mean of the base models' predictions (class probabilities, or regression values),
  weights s_i / Σ s. Nothing is learned from the targets but the class set and the prior; a
  coalition whose stakes are all zero predicts the training prior (no stake, no say).
- `StakePriorStacker` ("stake_prior"): a stacker whose weights are shrunk toward stake-proportional
  ones. Classification: a log-linear pool, logits = Σ_i w_i·log p_i + b, fit by minimising the mean
  log-loss + (prior_strength/2)·‖w − w0‖² with w0 = s / Σ s (b is free but for a 1e-6 ridge that
  makes the problem strictly convex). Regression: y ≈ Σ_i w_i·ŷ_i + b with the same penalty, solved
  in closed form. prior_strength → ∞ gives the stake-weighted pool, 0 an unregularised stacker.

Determinism and `random_state`: neither learner draws random numbers. `StakeWeightedMean` is a
closed-form average; `StakePriorStacker` minimises a strictly convex objective with L-BFGS started
at the stake prior (w = w0, b = 0), so the same inputs give the same weights. Following
scikit-learn (Ridge has no `random_state`), they take none; the metamodel's `random_state` still
fixes its folds, and so the OOF predictions these learners are fit on.

Both learners read their input as the games build it: the horizontal stack of one block per model,
in the order of `stakes` (a block is the model's probabilities over the training classes, or one
column for regression). `StakedModelGame` hands each coalition's learner the stakes of its members.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.optimize import minimize
from scipy.special import log_softmax
from sklearn.base import BaseEstimator, clone

from valuation._checks import check_task
from valuation.errors import InvalidInput
from valuation.games import ModelGame
from valuation.scoring import PROBA_FLOOR, prior_scores_and_rows, scores_and_rows

META_LEARNERS = ("stacked", "stake_weighted", "stake_prior")
DEFAULT_PRIOR_STRENGTH = 1.0
_BIAS_RIDGE = 1e-6  # makes the stacker's objective strictly convex (softmax ignores a shared shift)


def stake_weights(stakes: Sequence) -> np.ndarray:
    """s / Σ s as floats; all zeros when no stake is positive. Stakes are wei (int) or floats."""
    values = np.asarray([float(s) for s in stakes], dtype=float)
    if values.ndim != 1 or not np.isfinite(values).all() or (values < 0).any():
        raise InvalidInput(f"stakes must be finite and non-negative, got {list(stakes)}")
    total = values.sum()
    return values / total if total > 0 else np.zeros_like(values)


class _StakeAware(BaseEstimator):
    """What both learners share: the block layout of their input and the training prior."""

    task: str
    stakes: Sequence

    def _blocks(self, X: np.ndarray) -> list[np.ndarray]:
        X = np.asarray(X, dtype=float)
        width = len(self.classes_) if self.task == "classification" else 1
        if X.ndim != 2 or X.shape[1] != width * len(self.stakes):
            raise InvalidInput(
                f"a stake-aware meta-learner with {len(self.stakes)} stakes expects "
                f"{width * len(self.stakes)} columns ({width} per model), got shape {X.shape}"
            )
        return [X[:, i * width : (i + 1) * width] for i in range(len(self.stakes))]

    def _fit_common(self, X, y) -> np.ndarray:
        check_task(self.task)
        y = np.asarray(y)
        if self.task == "classification":
            self.classes_, counts = np.unique(y, return_counts=True)
            self.prior_ = counts / counts.sum()
        else:
            self.classes_ = np.array([])
            self.prior_ = np.array([float(np.mean(y))])
        self.weights_prior_ = stake_weights(self.stakes)
        self._blocks(X)  # checks the layout
        return y

    def predict(self, X) -> np.ndarray:
        if self.task == "regression":
            return self._regress(X)
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


class StakeWeightedMean(_StakeAware):
    """Numerai's metamodel: the stake-weighted mean of the base models' predictions."""

    def __init__(self, stakes: Sequence = (), task: str = "classification"):
        self.stakes = stakes
        self.task = task

    def fit(self, X, y):
        self._fit_common(X, y)
        self.coef_ = self.weights_prior_
        return self

    def predict_proba(self, X) -> np.ndarray:
        blocks = self._blocks(X)
        if not self.coef_.any():
            return np.tile(self.prior_, (len(blocks[0]) if blocks else len(X), 1))
        mixed = sum(w * block for w, block in zip(self.coef_, blocks, strict=True))
        return mixed / mixed.sum(axis=1, keepdims=True)

    def _regress(self, X) -> np.ndarray:
        blocks = self._blocks(X)
        if not self.coef_.any():
            return np.full(len(X), self.prior_[0])
        return sum(w * block[:, 0] for w, block in zip(self.coef_, blocks, strict=True))


class StakePriorStacker(_StakeAware):
    """A stacker whose per-model weights are shrunk toward stake-proportional ones."""

    def __init__(
        self,
        stakes: Sequence = (),
        task: str = "classification",
        prior_strength: float = DEFAULT_PRIOR_STRENGTH,
        max_iter: int = 500,
    ):
        self.stakes = stakes
        self.task = task
        self.prior_strength = prior_strength
        self.max_iter = max_iter

    def fit(self, X, y):
        y = self._fit_common(X, y)
        if not np.isfinite(self.prior_strength) or self.prior_strength < 0:
            raise InvalidInput(f"prior_strength must be finite and non-negative, got {self.prior_strength}")
        blocks = self._blocks(X)
        w0, lam = self.weights_prior_, float(self.prior_strength)
        if self.task == "regression":
            self._fit_regression(blocks, y.astype(float), w0, lam)
        else:
            self._fit_classification(blocks, y, w0, lam)
        return self

    def _fit_regression(self, blocks, y, w0, lam) -> None:
        n, m = len(y), len(blocks)
        A = np.hstack([*blocks, np.ones((n, 1))]) if m else np.ones((n, 1))
        penalty = np.diag([lam] * m + [_BIAS_RIDGE])
        theta = np.linalg.solve(A.T @ A / n + penalty, A.T @ y / n + np.append(lam * w0, 0.0))
        self.coef_, self.intercept_ = theta[:m], np.array([theta[m]])

    def _fit_classification(self, blocks, y, w0, lam) -> None:
        m, k = len(blocks), len(self.classes_)
        logs = (
            np.stack([np.log(np.maximum(b, PROBA_FLOOR)) for b in blocks]) if m else np.zeros((0, len(y), k))
        )
        onehot = (y[:, None] == self.classes_[None, :]).astype(float)

        def objective(theta):
            w, b = theta[:m], theta[m:]
            logits = np.tensordot(w, logs, axes=1) + b if m else np.tile(b, (len(y), 1))
            logp = log_softmax(logits, axis=1)
            residual = np.exp(logp) - onehot  # d(mean CE)/d(logits) · n
            loss = -(onehot * logp).sum() / len(y)
            loss += 0.5 * lam * ((w - w0) ** 2).sum() + 0.5 * _BIAS_RIDGE * (b**2).sum()
            grad_w = np.einsum("mnk,nk->m", logs, residual) / len(y) + lam * (w - w0)
            grad_b = residual.sum(axis=0) / len(y) + _BIAS_RIDGE * b
            return loss, np.concatenate([grad_w, grad_b])

        start = np.concatenate([w0, np.zeros(k)])
        found = minimize(objective, start, jac=True, method="L-BFGS-B", options={"maxiter": self.max_iter})
        self.coef_, self.intercept_ = found.x[:m], found.x[m:]

    def predict_proba(self, X) -> np.ndarray:
        blocks = self._blocks(X)
        n = len(np.asarray(X))
        logits = np.tile(self.intercept_, (n, 1))
        for w, block in zip(self.coef_, blocks, strict=True):
            logits = logits + w * np.log(np.maximum(block, PROBA_FLOOR))
        return np.exp(log_softmax(logits, axis=1))

    def _regress(self, X) -> np.ndarray:
        blocks = self._blocks(X)
        return self.intercept_[0] + sum(
            (w * block[:, 0] for w, block in zip(self.coef_, blocks, strict=True)), np.zeros(len(X))
        )


def is_stake_aware(meta_learner) -> bool:
    """Whether `meta_learner` must be told the stakes of the models it combines."""
    return meta_learner is not None and "stakes" in meta_learner.get_params(deep=False)


def make_meta_learner(name: str, task: str = "classification", random_state: int | None = 0, **params):
    """The meta-learner a recipe names: None for "stacked" (the metamodel's default), else an
    unfitted stake-aware learner (its stakes are set by the metamodel or the game)."""
    check_task(task)
    if name == "stacked":
        if params:
            raise InvalidInput(f"the stacked meta-learner takes no parameters, got {sorted(params)}")
        return None
    if name == "stake_weighted":
        return StakeWeightedMean(task=task, **params)
    if name == "stake_prior":
        return StakePriorStacker(task=task, **params)
    raise InvalidInput(f"meta_learner {name!r} is not one of {META_LEARNERS}")


class StakedModelGame(ModelGame):
    """`ModelGame` whose coalitions are combined by a stake-aware meta-learner: v(M) is the score of
    the learner given the OOF predictions *and the stakes* of the models in M. With a learner that is
    not stake-aware it values exactly as `ModelGame` does."""

    def __init__(
        self, oof_predictions, y, validation_predictions, y_validation, stakes: Sequence = (), **kwargs
    ):
        self.stakes = list(stakes)
        super().__init__(oof_predictions, y, validation_predictions, y_validation, **kwargs)
        if is_stake_aware(self._meta) and len(self.stakes) != self.n_players:
            raise InvalidInput(f"{len(self.stakes)} stakes for {self.n_players} models")
        if self.stakes:
            stake_weights(self.stakes)  # checks them

    @classmethod
    def from_metamodel(cls, metamodel, validation: tuple, owners: Sequence | None = None, **kwargs):
        """The model game of a fitted `StackedMetamodel` (with its stakes) on `validation`."""
        Xv, yv = validation
        return cls(
            metamodel.oof_predictions_,
            metamodel.y_,
            metamodel.base_predictions(Xv),
            np.asarray(yv),
            stakes=list(metamodel.stakes or ()),
            owners=owners,
            task=metamodel.task,
            meta_learner=metamodel.meta_learner,
            random_state=metamodel.random_state,
            **kwargs,
        )

    def _evaluate_rows(self, members: np.ndarray) -> tuple[float, np.ndarray]:
        if not is_stake_aware(self._meta):
            return super()._evaluate_rows(members)
        chosen = np.flatnonzero(members)
        if len(chosen) == 0:
            return prior_scores_and_rows(self.task, self._y, self._yv, self.classes_)
        X = np.hstack([self._train[i] for i in chosen])
        Xv = np.hstack([self._valid[i] for i in chosen])
        meta = clone(self._meta).set_params(stakes=[self.stakes[i] for i in chosen])
        return scores_and_rows(self.task, self._yv, meta.fit(X, self._y), Xv, self.classes_)


__all__ = [
    "META_LEARNERS",
    "StakePriorStacker",
    "StakeWeightedMean",
    "StakedModelGame",
    "is_stake_aware",
    "make_meta_learner",
    "stake_weights",
]
