"""Strategic robustness: copies, splits and clones do not raise an owner's payout by more than 10%."""

from __future__ import annotations

import numpy as np

from tests.unit.valuation.conftest import provider_scenario
from valuation import ModelGame, ProviderGame, estimate_shapley
from valuation.grouping import group_providers


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


# Near-copies (issue 18): rows changed slightly still play as copies; independent samples never do.
def demo_arrays():
    """The demo epoch's providers, anchor and validation set, as arrays."""
    import io

    import pandas as pd

    from dao.data.examples import TARGET, build_demo_artifacts

    artifacts = build_demo_artifacts()

    def xy(raw: bytes):
        frame = pd.read_csv(io.BytesIO(raw))
        return frame.drop(columns=[TARGET]).to_numpy(), frame[TARGET].to_numpy()

    providers = [xy(raw) for raw in artifacts.provider_csvs]
    return providers, xy(artifacts.anchor_csv), xy(artifacts.validation_csv)


def test_the_demo_groups_exactly_as_the_exact_rule_did():
    """The near-copy rule finds nothing more in the demo: its copy (provider 7 of provider 0) stays the
    one group, with the same weights, as under the exact-duplicate rule alone."""
    grouping = group_providers(ProviderGame(*demo_arrays()))
    assert grouping.groups == ((0, 7), (1,), (2,), (3,), (4,), (5,), (6,))
    assert grouping.reasons[0] == "duplicate rows"
    assert grouping.weights.tolist() == [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0]


def _jitter(X: np.ndarray, share: float, seed: int = 1) -> np.ndarray:
    return X + np.random.default_rng(seed).normal(0.0, share, X.shape) * X.std(axis=0)


def test_near_copies_are_grouped_and_credited_to_the_first_committer(breast_cancer):
    providers, anchor, validation = provider_scenario(breast_cancer, 4)
    X0, y0 = providers[0]
    for copied in (_jitter(X0, 0.001), np.round(X0, 2)):
        game = ProviderGame([*providers, (copied, y0)], anchor, validation)
        grouping = group_providers(game)
        assert (0, 4) in grouping.groups
        assert grouping.reasons[grouping.groups.index((0, 4))] == "near-copied rows"
        assert grouping.weights[4] <= 0.05 * grouping.weights[0]  # (almost) every row is provider 0's


def test_a_copier_committing_first_takes_the_credit(breast_cancer):
    """Commit order is the priority: the earlier of two near-identical contributions is the original."""
    providers, anchor, validation = provider_scenario(breast_cancer, 3)
    X0, y0 = providers[0]
    game = ProviderGame([(np.round(X0, 2), y0), *providers], anchor, validation)
    grouping = group_providers(game)
    assert grouping.groups[0] == (0, 1)
    assert grouping.weights[1] <= 0.05


def test_independent_samples_of_one_distribution_are_never_grouped(breast_cancer, digits):
    for data, n in ((breast_cancer, 8), (digits, 8)):
        providers, anchor, validation = provider_scenario(data, n, anchor_rows=60)
        assert all(len(g) == 1 for g in group_providers(ProviderGame(providers, anchor, validation)).groups)


def test_data_with_few_distinct_values_is_not_grouped_by_chance():
    """Three binary features: independent providers share most rows exactly. The anchor's halves
    match as often, so neither rule groups them (the exact rule alone grouped all four)."""
    rng = np.random.default_rng(0)

    def sample(n):
        X = rng.integers(0, 2, (n, 3)).astype(float)
        return X, (X.sum(axis=1) + rng.integers(0, 2, n) > 1.5).astype(int)

    providers = [sample(60) for _ in range(4)]
    game = ProviderGame(providers, sample(40), sample(40))
    assert all(len(g) == 1 for g in group_providers(game).groups)


def test_the_rule_rejects_nonsense():
    import pytest

    from valuation.errors import InvalidInput
    from valuation.grouping import NearCopyRule

    for bad in (
        {"tolerance": -1},
        {"feature_share": 0},
        {"neighbours": 0},
        {"duplicate_share": 2},
        {"max_chance_share": 1},
    ):
        with pytest.raises(InvalidInput):
            NearCopyRule(**bad)
