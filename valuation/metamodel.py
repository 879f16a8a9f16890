"""The stacked metamodel: base models from contributors' specs, a meta-learner on their OOF predictions.

Each base model's K-fold out-of-fold predictions are computed once and cached
(`oof_predictions_`), so the model game refits only the stacker per coalition. Base models are fit
on the workers the caller configures with joblib's `parallel_config` (serial without one); every fit
runs single-threaded, so the fitted metamodel is identical however many workers run.

`stakes` (one per model spec, wei) matter only to a stake-aware meta-learner
(`valuation.stake_weighting`): each refit of the meta-learner is given the stakes of the models it
combines. The default meta-learner ignores them, and a metamodel without stakes is unchanged.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, clone
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.utils.validation import check_is_fitted

from valuation._checks import as_matrix, as_target, check_task
from valuation._determinism import aligned, configured_workers, single_threaded, stable_message
from valuation.errors import BaseModelsFailed, InvalidInput, TooFewRows
from valuation.games import default_valuation_model
from valuation.scoring import full_proba, score
from valuation.specs import ModelSpec, parse_model_spec
from valuation.stake_weighting import is_stake_aware, stake_weights


def _predict(model, X: np.ndarray, task: str, classes: np.ndarray) -> np.ndarray:
    with single_threaded():
        if task == "regression":
            return model.predict(X).reshape(-1, 1)
        return full_proba(model, X, classes)


def _fit_base(spec: ModelSpec, X, y, folds, task, classes, random_state):
    """(OOF predictions, model fit on all rows), or (None, why) when the spec cannot be fit here:
    valid parameters can still fail on the data (more neighbours than a fold has rows)."""
    X, y = aligned(X), aligned(y)  # as they arrive on a worker
    try:
        with single_threaded():
            oof = np.zeros((len(X), 1 if task == "regression" else len(classes)))
            for train, test in folds:
                model = spec.build(random_state).fit(X[train], y[train])
                oof[test] = _predict(model, X[test], task, classes)
            full = spec.build(random_state).fit(X, y)
        if not np.isfinite(oof).all():
            raise ValueError("the model predicts NaN or infinite values")
    except Exception as exc:  # estimators raise many types; the caller decides what a failure means
        return None, stable_message(exc)
    return oof, full


class BaseFitCache:
    """Fitted base models kept across `StackedMetamodel.fit` calls, so that refitting after one spec
    failed (the caller drops it and fits again) never retrains the others.

    Keyed by content: the spec's canonical JSON, the task, the folds, the random state and a SHA-256
    of the training rows and targets. A key says everything the fit depends on, so a cached fit is
    the fit that would run (trainings are deterministic); other data or settings miss. `fits` counts
    the base models actually trained through the cache.
    """

    def __init__(self) -> None:
        self._fitted: dict[bytes, tuple] = {}
        self.fits = 0

    @staticmethod
    def data_key(X: np.ndarray, y: np.ndarray, folds: list, task: str, random_state) -> bytes:
        digest = hashlib.sha256()
        for array in (X, y):
            array = np.ascontiguousarray(array)
            digest.update(f"{array.dtype.str}{array.shape}".encode())
            digest.update(array.tobytes() if array.dtype != object else repr(array.tolist()).encode())
        for train, _ in folds:
            digest.update(np.ascontiguousarray(train, dtype=np.int64).tobytes() + b"|")
        digest.update(f"{task}|{random_state!r}".encode())
        return digest.digest()

    def get(self, spec: ModelSpec, data_key: bytes):
        return self._fitted.get(data_key + spec.to_json())

    def put(self, spec: ModelSpec, data_key: bytes, fitted: tuple) -> None:
        self.fits += 1
        self._fitted[data_key + spec.to_json()] = fitted


class StackedMetamodel(BaseEstimator):
    """Stacking of the contributors' base models. `neg_loss` (not sklearn's `score`: that would be
    accuracy or R²) is the games' scale: negative log-loss, or negative MSE for regression."""

    def __init__(
        self,
        model_specs: Sequence = (),
        task: str = "classification",
        n_folds: int = 5,
        meta_learner=None,
        random_state: int | None = 0,
        stakes: Sequence[int] | None = None,
    ):
        self.model_specs = model_specs
        self.task = task
        self.n_folds = n_folds
        self.meta_learner = meta_learner
        self.random_state = random_state
        self.stakes = stakes

    def fit(self, X, y, fit_cache: BaseFitCache | None = None):
        """Fit every base model (K-fold OOF predictions, then on all rows) and the meta-learner.

        `fit_cache` keeps the base models fitted here for a later fit on the same data: specs it
        already holds are not trained again (successful fits only; a failure is the caller's).
        """
        check_task(self.task)
        specs = [s if isinstance(s, ModelSpec) else parse_model_spec(s) for s in self.model_specs]
        if not specs:
            raise InvalidInput("the metamodel needs at least one model spec")
        for spec in specs:
            if spec.task != self.task:
                raise InvalidInput(f"spec {spec.estimator} is for {spec.task}, the metamodel for {self.task}")
        self._check_stakes(len(specs))
        X, _ = as_matrix(X, "training data")
        y = as_target(y, "training data", len(X), self.task)
        if len(X) < self.n_folds:
            raise TooFewRows(f"{len(X)} rows cannot make {self.n_folds} folds")
        if self.task == "classification":
            self.classes_, counts = np.unique(y, return_counts=True)
            if counts.min() < self.n_folds:
                rarest = self.classes_[counts.argmin()]
                raise TooFewRows(f"class {rarest!r} has {counts.min()} rows, fewer than {self.n_folds} folds")
            splitter = StratifiedKFold(self.n_folds, shuffle=True, random_state=self.random_state)
        else:
            self.classes_ = np.array([])
            splitter = KFold(self.n_folds, shuffle=True, random_state=self.random_state)
        folds = list(splitter.split(X, y))
        key = (
            BaseFitCache.data_key(X, y, folds, self.task, self.random_state) if fit_cache is not None else b""
        )
        cached = {i: fit_cache.get(s, key) for i, s in enumerate(specs)} if fit_cache is not None else {}
        todo = [i for i in range(len(specs)) if cached.get(i) is None]
        jobs = (
            delayed(_fit_base)(specs[i], X, y, folds, self.task, self.classes_, self.random_state)
            for i in todo
        )
        trained = Parallel()(jobs) if configured_workers() > 1 else [j[0](*j[1], **j[2]) for j in jobs]
        fitted = [cached.get(i) for i in range(len(specs))]
        for i, result in zip(todo, trained, strict=True):
            fitted[i] = result
            if fit_cache is not None and result[0] is not None:
                fit_cache.put(specs[i], key, result)
        failures = {index: why for index, (oof, why) in enumerate(fitted) if oof is None}
        if failures:
            raise BaseModelsFailed(failures)
        self.specs_ = specs
        self.oof_predictions_ = [oof for oof, _ in fitted]
        self.base_models_ = [model for _, model in fitted]
        self.y_ = y
        self.meta_model_ = self.fit_meta_on(range(len(specs)))
        return self

    def _check_stakes(self, n_specs: int) -> None:
        if is_stake_aware(self.meta_learner) and self.meta_learner.task != self.task:
            raise InvalidInput(
                f"the meta-learner is for {self.meta_learner.task}, the metamodel for {self.task}"
            )
        if self.stakes is not None:
            if len(self.stakes) != n_specs:
                raise InvalidInput(f"{len(self.stakes)} stakes for {n_specs} model specs; give one per spec")
            stake_weights(self.stakes)  # finite and non-negative
        elif is_stake_aware(self.meta_learner):
            raise InvalidInput(
                f"the meta-learner {type(self.meta_learner).__name__} weighs models by stake: "
                "give the metamodel one stake per model spec"
            )

    def fit_meta_on(self, model_indices) -> object:
        """The meta-learner refit on the cached OOF predictions of `model_indices` only (a stake-aware
        meta-learner is given those models' stakes)."""
        indices = list(model_indices)
        meta = self.meta_learner or default_valuation_model(self.task, self.random_state, len(self.classes_))
        if is_stake_aware(meta):
            meta = clone(meta).set_params(stakes=[self.stakes[i] for i in indices])
        with single_threaded():
            return clone(meta).fit(np.hstack([self.oof_predictions_[i] for i in indices]), self.y_)

    def base_predictions(self, X) -> list[np.ndarray]:
        check_is_fitted(self, "base_models_")
        X, _ = as_matrix(X, "data to predict")
        return [_predict(model, X, self.task, self.classes_) for model in self.base_models_]

    def _stacked(self, X) -> np.ndarray:
        return np.hstack(self.base_predictions(X))

    def predict(self, X) -> np.ndarray:
        check_is_fitted(self, "meta_model_")
        return self.meta_model_.predict(self._stacked(X))

    def predict_proba(self, X) -> np.ndarray:
        if self.task != "classification":
            raise InvalidInput("predict_proba is for classification metamodels")
        check_is_fitted(self, "meta_model_")
        return full_proba(self.meta_model_, self._stacked(X), self.classes_)

    def neg_loss(self, X, y) -> float:
        """Negative log-loss (classification) or negative MSE: the same scale as the games. A class
        the training data lacks gets the floor probability, as in the games."""
        check_is_fitted(self, "meta_model_")
        X, _ = as_matrix(X, "data to score")
        y = as_target(y, "data to score", len(X), self.task)
        classes = np.union1d(self.classes_, y) if self.task == "classification" else self.classes_
        return score(self.task, y, self.meta_model_, self._stacked(X), classes)
