"""Cooperative games whose Shapley values are the contributions we pay for.

`ProviderGame`: players are data providers; v(S) is the validation score of a fixed, cheap
valuation model trained on the DAO's anchor set plus the rows of the providers in S. Anchoring on
a small clean set makes harmful data come out negative instead of "any data helps an empty model".

`ModelGame`: players are model builders; v(M) is the validation score of the meta-learner refit on
the cached out-of-fold predictions of the models in M (base models are fit once; a coalition only
refits the stacker).

Scores are smooth (negative log-loss, or negative MSE for regression). Coalition values are cached
by bitmask: `evaluations` counts distinct coalitions valued, `trainings` the model fits among them
(the same, except that an empty set of models scores the prior without a fit). Each coalition's
per-validation-row scores are cached beside its value (`row_values`): v(S) is their mean, so a
Shapley value is the mean of per-row Shapley values, whose spread over the rows measures how much
of it is validation-set sampling noise (memory: one float per validation row and coalition).
Evaluation fans
out over the workers the caller configures with joblib's `parallel_config` (serial without one);
each training is deterministic, so results are identical however many workers run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression, Ridge

from valuation._checks import (
    as_matrix,
    as_target,
    check_players,
    check_provider,
    check_task,
    check_width,
)
from valuation._determinism import aligned, configured_workers, single_threaded
from valuation.errors import InvalidInput
from valuation.scoring import prior_scores_and_rows, scores_and_rows


def default_valuation_model(task: str, random_state: int | None = 0, n_classes: int = 2):
    """Cheap and deterministic. Newton-Cholesky converges in a few steps for two classes; its
    Hessian grows with the class count, where lbfgs is faster (measured: 12x on digits)."""
    if task == "classification":
        solver = "newton-cholesky" if n_classes <= 2 else "lbfgs"
        return LogisticRegression(C=1.0, solver=solver, max_iter=1000, random_state=random_state)
    return Ridge(alpha=1.0)


def _row_keys(X: np.ndarray, y: np.ndarray) -> list[bytes]:
    """One hashable key per (features, label) row; equal rows give equal keys."""
    features = np.ascontiguousarray(np.asarray(X, dtype=np.float64))
    labels = np.asarray(y).astype(str)
    return [features[i].tobytes() + b"|" + labels[i].encode() for i in range(len(features))]


class CoalitionGame:
    """Caching, masking and parallel evaluation shared by the games."""

    task: str
    empty_is_prior = False  # True where v(∅) scores the training prior instead of a fitted model
    supports_screening = False  # True where `valuation.screening` can score the players cheaply

    def _init_cache(self, n_players: int, player_names: Sequence[str] | None) -> None:
        check_players(n_players)
        self.n_players = n_players
        self.player_names = (
            list(player_names) if player_names is not None else [f"player {i}" for i in range(n_players)]
        )
        if len(self.player_names) != n_players:
            raise InvalidInput(f"{len(self.player_names)} player names for {n_players} players")
        self._cache: dict[bytes, float] = {}
        self._row_cache: dict[bytes, np.ndarray] = {}

    def _evaluate(self, members: np.ndarray) -> float:
        raise NotImplementedError

    def _evaluate_rows(self, members: np.ndarray) -> tuple[float, np.ndarray | None]:
        """v(S) and its per-validation-row scores; None where the game has no rows."""
        return self._evaluate(members), None

    def __getstate__(self) -> dict:
        # Workers evaluate the coalitions they are sent: shipping the cache with every task would
        # grow each task with every value computed so far.
        state = self.__dict__.copy()
        state["_cache"] = {}
        state["_row_cache"] = {}
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update({name: aligned(value) for name, value in state.items()})

    def _evaluate_batch(self, rows: list[np.ndarray]) -> list[tuple[float, np.ndarray | None]]:
        # One BLAS thread everywhere: joblib workers run single-threaded, and the same reduction
        # order in the main process makes values bit-identical however many workers run.
        with single_threaded():
            return [self._evaluate_rows(members) for members in rows]

    @property
    def evaluations(self) -> int:
        """Distinct coalitions valued so far (each is computed once, then cached)."""
        return len(self._cache)

    @property
    def trainings(self) -> int:
        """Model fits so far: the evaluations, less the empty coalition where it costs no fit."""
        prior = self.empty_is_prior and self._key(np.zeros(self.n_players, dtype=bool)) in self._cache
        return self.evaluations - int(prior)

    @staticmethod
    def _key(mask: np.ndarray) -> bytes:
        return np.asarray(mask, dtype=bool).tobytes()

    def _as_mask(self, coalition) -> np.ndarray:
        """A boolean array is a mask; anything else is a collection of player indices."""
        coalition = np.asarray(coalition)
        if coalition.dtype == bool:
            mask = coalition
        else:
            mask = np.zeros(self.n_players, dtype=bool)
            mask[coalition.astype(int)] = True
        if mask.shape != (self.n_players,):
            raise InvalidInput(f"a coalition mask must have {self.n_players} entries, got shape {mask.shape}")
        return mask

    def value(self, coalition) -> float:
        """v(S) for a boolean mask or an index set."""
        return float(self.values(self._as_mask(coalition)[None, :])[0])

    def values(self, masks: np.ndarray) -> np.ndarray:
        """v for each row of a 0/1 matrix (shape (m, n_players)); the function shap explains."""
        masks = np.asarray(masks) > 0.5
        if masks.ndim != 2 or masks.shape[1] != self.n_players:
            raise InvalidInput(f"masks must have shape (m, {self.n_players}), got {masks.shape}")
        keys = [self._key(row) for row in masks]
        missing: dict[bytes, np.ndarray] = {}
        for key, row in zip(keys, masks, strict=True):
            if key not in self._cache and key not in missing:
                missing[key] = row
        if missing:
            rows = list(missing.values())
            workers = configured_workers()
            if workers == 1 or len(rows) < 4:
                results = self._evaluate_batch(rows)
            else:
                # A few batches per worker: the game (its data) travels once per batch, not per row.
                n_batches = min(len(rows), 4 * workers)
                batches = [list(batch) for batch in np.array_split(np.asarray(rows), n_batches)]
                results = [
                    value
                    for batch in Parallel()(delayed(self._evaluate_batch)(batch) for batch in batches)
                    for value in batch
                ]
            for key, (value, row_scores) in zip(missing, results, strict=True):
                self._cache[key] = value
                if row_scores is not None:
                    self._row_cache[key] = row_scores
        return np.array([self._cache[key] for key in keys])

    def row_values(self, masks: np.ndarray) -> np.ndarray | None:
        """Per-validation-row scores of each coalition (shape (m, validation rows)): v is their mean.
        None when the game does not score rows (or some coalition was valued without them)."""
        masks = np.asarray(masks) > 0.5
        self.values(masks)
        rows = [self._row_cache.get(self._key(row)) for row in masks]
        if not rows or any(r is None for r in rows):
            return None
        return np.vstack(rows)

    @property
    def grand_value(self) -> float:
        return self.value(np.ones(self.n_players, dtype=bool))

    @property
    def empty_value(self) -> float:
        return self.value(np.zeros(self.n_players, dtype=bool))


@dataclass(frozen=True)
class CoalitionData:
    """What the valuation model of a `ProviderGame` trains on for one coalition, scaled as it sees it.

    `X`, `y`: the anchor set's rows first, then the distinct rows the coalition's members bring (a
    row counts once, and rows already in the anchor set not at all). `rows_of[i]`: the positions in
    `X` of member i's distinct rows.
    """

    X: np.ndarray
    y: np.ndarray
    n_anchor: int
    rows_of: dict[int, np.ndarray]


class ProviderGame(CoalitionGame):
    """Players are data providers; v(S) = validation score of the valuation model on anchor + S."""

    supports_screening = True

    def __init__(
        self,
        providers: Sequence[tuple],
        anchor: tuple,
        validation: tuple,
        owners: Sequence | None = None,
        task: str = "classification",
        valuation_model=None,
        player_names: Sequence[str] | None = None,
        random_state: int | None = 0,
    ):
        self.providers = providers
        self.anchor = anchor
        self.validation = validation
        self.owners = owners
        self.task = check_task(task)
        self.valuation_model = valuation_model
        self.random_state = random_state
        self._init_cache(len(providers), player_names)
        self._prepare()

    def _prepare(self) -> None:
        Xa, columns = as_matrix(self.anchor[0], "anchor set")
        ya = as_target(self.anchor[1], "anchor set", len(Xa), self.task)
        if len(Xa) == 0:
            raise InvalidInput("the anchor set is empty")
        Xv, _ = as_matrix(self.validation[0], "validation set", columns)
        check_width(Xv, Xa.shape[1], "validation set")
        yv = as_target(self.validation[1], "validation set", len(Xv), self.task)
        if len(Xv) < 2:
            raise InvalidInput("the validation set needs at least 2 rows to score anything")
        blocks = []
        for index, (X, y) in enumerate(self.providers):
            name = self.player_names[index]
            matrix, _ = as_matrix(X, name, columns)
            check_width(matrix, Xa.shape[1], name)
            target = as_target(y, name, len(matrix), self.task)
            check_provider(matrix, target, name, self.task)
            blocks.append((matrix, target))
        if self.owners is not None and len(self.owners) != self.n_players:
            raise InvalidInput(f"owners has {len(self.owners)} entries for {self.n_players} providers")
        if self.task == "classification":
            self.classes_ = np.unique(np.concatenate([ya, yv, *[t for _, t in blocks]]))
            if len(np.unique(ya)) < 2:
                raise InvalidInput("the anchor set must show at least two classes")
        else:
            self.classes_ = np.array([])
        # A fixed scaling (the anchor's statistics): cheap, and identical for every coalition.
        self._mean = Xa.mean(axis=0)
        self._scale = np.where(Xa.std(axis=0) > 0, Xa.std(axis=0), 1.0)
        self._anchor = ((Xa - self._mean) / self._scale, ya)
        self._validation = ((Xv - self._mean) / self._scale, yv)
        # Providers' rows are kept once, unscaled (the caller's arrays when they are float matrices);
        # training uses the scaled distinct rows below, so a scaled copy of every block would only
        # double the memory of a large epoch.
        self._raw_blocks = blocks
        self._index_distinct_rows(blocks, Xa, ya)
        self._model = self.valuation_model or default_valuation_model(
            self.task, self.random_state, len(self.classes_)
        )

    def _index_distinct_rows(self, blocks: list, Xa: np.ndarray, ya: np.ndarray) -> None:
        """Number every distinct (features, label) row that is not already in the anchor set.

        A coalition trains on the anchor plus the *set* of its members' rows: a row counts once
        whoever brings it and however often, so resubmitting, repeating or copying rows (the
        anchor's included) adds no weight to them and earns nothing.
        """
        seen = set(_row_keys(Xa, ya))
        first: dict[bytes, int] = {}
        distinct_X, distinct_y, self._row_ids = [], [], []
        for index, (X, y) in enumerate(blocks):
            scaled_X, scaled_y = self.provider_rows(index)
            ids = []
            for r, key in enumerate(_row_keys(X, y)):
                if key in seen:
                    continue
                if key not in first:
                    first[key] = len(first)
                    distinct_X.append(scaled_X[r])
                    distinct_y.append(scaled_y[r])
                ids.append(first[key])
            self._row_ids.append(np.unique(np.asarray(ids, dtype=np.int64)))
        self._distinct_X = np.vstack(distinct_X) if distinct_X else np.empty((0, Xa.shape[1]))
        self._distinct_y = np.asarray(distinct_y) if distinct_y else np.asarray(ya[:0])

    def provider_rows(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        """The (scaled) rows of provider `index`, for grouping duplicates."""
        X, y = self._raw_blocks[index]
        return (X - self._mean) / self._scale, y

    @property
    def validation_data(self) -> tuple[np.ndarray, np.ndarray]:
        """The validation rows (scaled as the valuation model sees them) and their targets."""
        return self._validation

    def new_model(self):
        """An unfitted copy of the valuation model every coalition trains."""
        return clone(self._model)

    def _distinct_ids(self, members) -> np.ndarray:
        chosen = [self._row_ids[i] for i in members]
        return np.unique(np.concatenate(chosen)) if chosen else np.empty(0, dtype=np.int64)

    def _training_rows(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        X = np.vstack([self._anchor[0], self._distinct_X[ids]])
        y = np.concatenate([self._anchor[1], self._distinct_y[ids]])
        return X, y

    def coalition_data(self, members) -> CoalitionData:
        """The training set of the coalition of providers `members` (indices), as `_evaluate`
        trains on it, with where each member's rows are in it."""
        members = sorted({int(i) for i in members})
        if any(not 0 <= i < self.n_players for i in members):
            raise InvalidInput(f"provider indices must lie in [0, {self.n_players}), got {members}")
        ids = self._distinct_ids(members)
        X, y = self._training_rows(ids)
        n_anchor = len(self._anchor[1])
        rows_of = {i: n_anchor + np.searchsorted(ids, self._row_ids[i]) for i in members}
        return CoalitionData(X, y, n_anchor, rows_of)

    def _evaluate(self, members: np.ndarray) -> float:
        return self._evaluate_rows(members)[0]

    def _evaluate_rows(self, members: np.ndarray) -> tuple[float, np.ndarray]:
        X, y = self._training_rows(self._distinct_ids(np.flatnonzero(members)))
        model = clone(self._model).fit(X, y)
        return scores_and_rows(self.task, self._validation[1], model, self._validation[0], self.classes_)


class ModelGame(CoalitionGame):
    """Players are model builders; v(M) = validation score of the meta-learner on M's OOF predictions."""

    empty_is_prior = True  # no models: the meta-learner has nothing to fit

    def __init__(
        self,
        oof_predictions: Sequence[np.ndarray],
        y: np.ndarray,
        validation_predictions: Sequence[np.ndarray],
        y_validation: np.ndarray,
        owners: Sequence | None = None,
        task: str = "classification",
        meta_learner=None,
        player_names: Sequence[str] | None = None,
        random_state: int | None = 0,
    ):
        self.oof_predictions = oof_predictions
        self.y = y
        self.validation_predictions = validation_predictions
        self.y_validation = y_validation
        self.owners = owners
        self.task = check_task(task)
        self.meta_learner = meta_learner
        self.random_state = random_state
        self._init_cache(len(oof_predictions), player_names)
        self._prepare()

    @classmethod
    def from_metamodel(
        cls, metamodel, validation: tuple, owners: Sequence | None = None, **kwargs
    ) -> ModelGame:
        """The model game of a fitted `StackedMetamodel` on the DAO's validation set."""
        Xv, yv = validation
        return cls(
            metamodel.oof_predictions_,
            metamodel.y_,
            metamodel.base_predictions(Xv),
            np.asarray(yv),
            owners=owners,
            task=metamodel.task,
            meta_learner=metamodel.meta_learner,
            random_state=metamodel.random_state,
            **kwargs,
        )

    def _prepare(self) -> None:
        self._train = aligned([np.asarray(p, dtype=float).reshape(len(p), -1) for p in self.oof_predictions])
        self._valid = aligned(
            [np.asarray(p, dtype=float).reshape(len(p), -1) for p in self.validation_predictions]
        )
        if len(self._valid) != len(self._train):
            raise InvalidInput(
                f"{len(self._train)} models have OOF predictions but {len(self._valid)} have validation ones"
            )
        self._y = as_target(self.y, "training target", len(self._train[0]), self.task)
        self._yv = as_target(self.y_validation, "validation target", len(self._valid[0]), self.task)
        for index, (train, valid) in enumerate(zip(self._train, self._valid, strict=True)):
            name = self.player_names[index]
            if len(train) != len(self._y) or len(valid) != len(self._yv) or train.shape[1] != valid.shape[1]:
                raise InvalidInput(f"{name}'s predictions do not match the training/validation rows or width")
            if not (np.isfinite(train).all() and np.isfinite(valid).all()):
                raise InvalidInput(f"{name}'s predictions contain NaN or infinite values")
        if self.owners is not None and len(self.owners) != self.n_players:
            raise InvalidInput(f"owners has {len(self.owners)} entries for {self.n_players} models")
        self.classes_ = (
            np.unique(np.concatenate([self._y, self._yv])) if self.task == "classification" else np.array([])
        )
        self._meta = self.meta_learner or default_valuation_model(
            self.task, self.random_state, len(self.classes_)
        )

    def model_predictions(self, index: int) -> np.ndarray:
        """The OOF predictions of model `index`, for grouping clones."""
        return self._train[index]

    def _evaluate(self, members: np.ndarray) -> float:
        return self._evaluate_rows(members)[0]

    def _evaluate_rows(self, members: np.ndarray) -> tuple[float, np.ndarray]:
        chosen = np.flatnonzero(members)
        if len(chosen) == 0:
            return prior_scores_and_rows(self.task, self._y, self._yv, self.classes_)
        X = np.hstack([self._train[i] for i in chosen])
        Xv = np.hstack([self._valid[i] for i in chosen])
        model = clone(self._meta).fit(X, self._y)
        return scores_and_rows(self.task, self._yv, model, Xv, self.classes_)
