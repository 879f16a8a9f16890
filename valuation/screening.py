"""A cheap first pass for many providers, then the Shapley budget only where it matters.

With hundreds of providers, Kernel SHAP spreads its budget over every player and measures none
well. KNN-Shapley (Jia et al., 2019) values every row exactly for a K-nearest-neighbour classifier
in one sort per validation row; with a cross-fitted log-likelihood gain of the valuation model (a
handful of trainings) it picks out, per provider, the clearly valuable and the clearly harmful.
Those are merged into a few blocks (each block plays as one player and its value
is split by the screening scores), and the players whose sign is uncertain (scores nearest zero)
stay individual players, so the Shapley budget is spent on them.
"""

from __future__ import annotations

import numpy as np

from valuation._determinism import single_threaded
from valuation.grouping import Grouping
from valuation.scoring import PROBA_FLOOR, full_proba

KNN_NEIGHBOURS = 10
SCREEN_FOLDS = 5
SCREEN_MIN_PLAYERS = 200  # below this, every player is valued individually
INDIVIDUAL_PLAYERS = 16  # players kept individual: the ones whose screened sign is least certain
VALUABLE_BLOCKS, HARMFUL_BLOCKS = 8, 4
_BLOCK_BYTES = 64 * 2**20  # memory for one block of validation-to-training distances (and orders)


def knn_shapley(
    X_train: np.ndarray, y_train: np.ndarray, X_val: np.ndarray, y_val: np.ndarray, k: int = KNN_NEIGHBOURS
) -> np.ndarray:
    """Exact Shapley value of every training row for an unweighted K-NN classifier's validation accuracy.

    Jia et al. (2019), Theorem 1: with training rows sorted by distance to a validation row,
    s_N = 1[y_N = y] / N and s_i = s_{i+1} + (1[y_i = y] - 1[y_{i+1} = y]) / K * min(K, i) / i;
    the value of a row is the mean of its s over the validation rows.
    """
    X_train, X_val = np.asarray(X_train, dtype=float), np.asarray(X_val, dtype=float)
    y_train, y_val = np.asarray(y_train), np.asarray(y_val)
    n = len(X_train)
    values = np.zeros(n)
    if n == 0 or len(X_val) == 0:
        return values
    rank = np.arange(1, n)  # 1-based positions 1..n-1 of the differences
    step = np.minimum(k, rank) / (rank * k)
    train_sq = np.einsum("ij,ij->i", X_train, X_train)
    chunk = max(1, _BLOCK_BYTES // (8 * 4 * n))  # distances, order, matches, s: 4 arrays of 8 bytes
    for start in range(0, len(X_val), chunk):
        block = X_val[start : start + chunk]
        distances = train_sq[None, :] - 2.0 * block @ X_train.T  # + |x_val|^2, constant per row
        order = np.argsort(distances, axis=1, kind="stable")
        match = (y_train[order] == y_val[start : start + chunk, None]).astype(float)
        s = np.empty_like(match)
        s[:, -1] = match[:, -1] / n
        if n > 1:
            increments = (match[:, :-1] - match[:, 1:]) * step
            s[:, :-1] = s[:, -1:] + np.cumsum(increments[:, ::-1], axis=1)[:, ::-1]
        np.add.at(values, order.ravel(), s.ravel())
    return values / len(X_val)


def cross_fitted_gain(game, folds: int = SCREEN_FOLDS) -> np.ndarray:
    """Per provider: how much better than the class prior the valuation model, trained on the
    anchor and the other folds' providers, predicts the provider's own labels (log-likelihood).

    Negative when a provider's labels contradict what everyone else's data teaches; `folds`
    trainings in all, whatever the number of providers.
    """
    n = game.n_players
    pool = game.coalition_data(range(n))
    fold_of = np.arange(n) % folds
    provided = pool.y[pool.n_anchor :]
    counts = np.bincount(np.searchsorted(game.classes_, provided), minlength=len(game.classes_))
    log_prior = np.log(np.maximum(counts, 1) / max(counts.sum(), 1))
    gain = np.zeros(n)
    for fold in range(folds):
        train = game.coalition_data(np.flatnonzero(fold_of != fold))
        with single_threaded():
            model = game.new_model().fit(train.X, train.y)
        for i in np.flatnonzero(fold_of == fold):
            rows = pool.rows_of[i]
            if len(rows) == 0:
                continue
            labels = np.searchsorted(game.classes_, pool.y[rows])
            proba = full_proba(model, pool.X[rows], game.classes_)
            likelihood = np.log(np.clip(proba[np.arange(len(rows)), labels], PROBA_FLOOR, 1.0))
            gain[i] = float((likelihood - log_prior[labels]).sum())
    return gain


def screening_scores(game) -> np.ndarray:
    """Per provider of a classification `ProviderGame`: KNN-Shapley of its distinct rows (summed)
    plus its cross-fitted log-likelihood gain, each divided by its spread over the providers.

    Both are signed (negative: the provider's rows hurt), and they err differently: KNN-Shapley
    looks at neighbourhoods, the gain at the valuation model itself.
    """
    pool = game.coalition_data(range(game.n_players))
    rows = knn_shapley(pool.X, pool.y, *game.validation_data)
    knn = np.array([rows[pool.rows_of[i]].sum() for i in range(game.n_players)])
    gain = cross_fitted_gain(game)
    return knn / _spread(knn) + gain / _spread(gain)


def _spread(values: np.ndarray) -> float:
    spread = float(np.std(values))
    return spread if spread > 0 else 1.0


def screen_grouping(
    base: Grouping,
    scores: np.ndarray,
    individual: int = INDIVIDUAL_PLAYERS,
    valuable_blocks: int = VALUABLE_BLOCKS,
    harmful_blocks: int = HARMFUL_BLOCKS,
) -> tuple[Grouping, tuple[str, ...]]:
    """Merge the confidently screened groups of `base` into blocks; returns the grouping and, per
    player, how its value is measured ("shapley" or "shapley of a screened block")."""
    unit_scores = np.array([scores[list(members)].sum() for members in base.groups])
    by_certainty = np.argsort(np.abs(unit_scores), kind="stable")
    kept = set(by_certainty[:individual].tolist())
    valuable = [u for u in np.argsort(-unit_scores, kind="stable") if u not in kept and unit_scores[u] > 0]
    harmful = [u for u in np.argsort(unit_scores, kind="stable") if u not in kept and unit_scores[u] <= 0]

    groups: list[tuple[int, ...]] = []
    reasons: list[str] = []
    weights = np.array(base.weights, dtype=float)
    valued_by = ["shapley"] * len(weights)
    for u in sorted(kept):
        groups.append(base.groups[u])
        reasons.append(base.reasons[u])
    for label, units, n_blocks in (
        ("valuable", valuable, valuable_blocks),
        ("harmful", harmful, harmful_blocks),
    ):
        chunks = [c for c in np.array_split(np.asarray(units, dtype=int), max(1, n_blocks)) if len(c)]
        for b, chunk in enumerate(chunks):
            magnitude = np.abs(unit_scores[chunk])
            shares = (
                magnitude / magnitude.sum() if magnitude.sum() > 0 else np.full(len(chunk), 1 / len(chunk))
            )
            members: list[int] = []
            for unit, share in zip(chunk, shares, strict=True):
                for player in base.groups[unit]:
                    weights[player] = base.weights[player] * share
                    valued_by[player] = "shapley of a screened block"
                    members.append(player)
            groups.append(tuple(sorted(members)))
            where = f"block {b + 1} of {len(chunks)}"
            reasons.append(f"screening (KNN-Shapley + cross-fitted gain): likely {label} ({where})")
    order = sorted(range(len(groups)), key=lambda g: groups[g][0])
    grouping = Grouping(tuple(groups[g] for g in order), weights, tuple(reasons[g] for g in order))
    return grouping, tuple(valued_by)
