"""Strategic robustness: copies, splits and clones do not raise an owner's payout by more than 10%."""

from __future__ import annotations

import numpy as np

from tests.unit.valuation.conftest import provider_scenario
from valuation import ModelGame, ProviderGame, estimate_shapley


def payout_share(values: np.ndarray, players) -> float:
    positive = np.clip(values, 0, None)
    return float(positive[list(players)].sum() / positive.sum())


def test_a_resubmitted_copy_earns_nothing_extra(breast_cancer):
    providers, anchor, validation = provider_scenario(breast_cancer, 6)
    honest = estimate_shapley(ProviderGame(providers, anchor, validation))
    X0, y0 = providers[0]
    copied = providers + [(X0[::-1], y0[::-1])]  # same rows, another order, a second identity
    attacked = estimate_shapley(ProviderGame(copied, anchor, validation))
    assert attacked.groups[0] == (0, 6) and "duplicate rows" in attacked.group_reasons[0]
    assert attacked.values[6] == 0
    assert payout_share(attacked.values, [0, 6]) <= 1.10 * payout_share(honest.values, [0])


def test_rows_count_once_whoever_brings_them(breast_cancer):
    """Copied, repeated and anchor rows add no training weight: the games' values do not move."""
    providers, anchor, validation = provider_scenario(breast_cancer, 4)
    honest = ProviderGame(providers, anchor, validation)
    X0, y0 = providers[0]
    padded = [(np.vstack([X0, X0]), np.concatenate([y0, y0]))] + providers[1:]
    assert np.allclose(ProviderGame(padded, anchor, validation).values(np.eye(4)), honest.values(np.eye(4)))

    copied = ProviderGame(providers + [(X0[::-1], y0[::-1])], anchor, validation)
    with_original, with_copy = np.ones(5, dtype=bool), np.ones(5, dtype=bool)
    with_original[4], with_copy[0] = False, False
    assert copied.value(with_copy) == copied.value(with_original) == copied.grand_value
    assert copied.grand_value == honest.grand_value

    anchor_copy = ProviderGame(providers + [anchor], anchor, validation)
    assert estimate_shapley(anchor_copy).values[4] == 0


def test_splitting_under_a_declared_owner_earns_nothing_extra(breast_cancer):
    providers, anchor, validation = provider_scenario(breast_cancer, 6)
    honest = estimate_shapley(ProviderGame(providers, anchor, validation))
    X0, y0 = providers[0]
    half = len(y0) // 2
    split = [(X0[:half], y0[:half]), (X0[half:], y0[half:])] + providers[1:]
    owners = ["alice", "alice", "b", "c", "d", "e", "f"]
    attacked = estimate_shapley(ProviderGame(split, anchor, validation, owners=owners))
    assert attacked.groups[0] == (0, 1)
    assert payout_share(attacked.values, [0, 1]) <= 1.10 * payout_share(honest.values, [0])


def test_splitting_into_undeclared_identities_stays_within_ten_percent(breast_cancer):
    providers, anchor, validation = provider_scenario(breast_cancer, 6)
    honest = estimate_shapley(ProviderGame(providers, anchor, validation))
    X0, y0 = providers[0]
    half = len(y0) // 2
    split = [(X0[:half], y0[:half]), (X0[half:], y0[half:])] + providers[1:]
    attacked = estimate_shapley(ProviderGame(split, anchor, validation))
    assert payout_share(attacked.values, [0, 1]) <= 1.10 * payout_share(honest.values, [0])


def test_model_clones_are_grouped_and_earn_nothing(breast_cancer):
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_predict
    from sklearn.naive_bayes import GaussianNB

    X, y = breast_cancer
    Xt, yt, Xv, yv = X[:400], y[:400], X[400:], y[400:]
    models = [LogisticRegression(solver="newton-cholesky"), GaussianNB()]
    oof = [cross_val_predict(m, Xt, yt, cv=5, method="predict_proba") for m in models]
    valid = [m.fit(Xt, yt).predict_proba(Xv) for m in models]
    honest = estimate_shapley(ModelGame(oof, yt, valid, yv))
    attacked = estimate_shapley(ModelGame(oof + [oof[0].copy()], yt, valid + [valid[0].copy()], yv))
    assert attacked.groups[0] == (0, 2) and attacked.values[2] == 0
    assert payout_share(attacked.values, [0, 2]) <= 1.10 * payout_share(honest.values, [0])
