"""KNN-Shapley screening for many providers: exact on small cases, and it spends the budget where
the sign is uncertain while the clearly harmful providers still come out negative."""

from __future__ import annotations

from itertools import combinations
from math import comb

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.metrics import log_loss

from valuation import ProviderGame, estimate_shapley
from valuation.errors import InvalidInput
from valuation.grouping import Grouping
from valuation.screening import knn_shapley, screen_grouping


def _knn_utility(subset, X, y, x_val, y_val, k):
    if not subset:
        return 0.0
    members = np.array(subset)
    nearest = members[np.argsort(((X[members] - x_val) ** 2).sum(axis=1), kind="stable")[:k]]
    return float((y[nearest] == y_val).sum()) / k


def test_knn_shapley_equals_the_enumerated_shapley_values_of_the_knn_utility():
    rng = np.random.default_rng(3)
    X, y = rng.normal(size=(7, 2)), rng.integers(0, 2, 7)
    X_val, y_val = rng.normal(size=(4, 2)), rng.integers(0, 2, 4)
    k, n = 3, len(X)
    exact = np.zeros(n)
    for x_val, label in zip(X_val, y_val, strict=True):
        for i in range(n):
            others = [j for j in range(n) if j != i]
            for size in range(n):
                for subset in combinations(others, size):
                    gain = _knn_utility([*subset, i], X, y, x_val, label, k) - _knn_utility(
                        list(subset), X, y, x_val, label, k
                    )
                    exact[i] += gain / (n * comb(n - 1, size))
    assert np.allclose(knn_shapley(X, y, X_val, y_val, k=k), exact / len(X_val))


def test_screen_grouping_keeps_the_uncertain_individual_and_blocks_the_rest():
    scores = np.array([5.0, 4.0, -3.0, 0.1, -0.2, 3.0, 0.0, -4.0])
    base = Grouping.singletons(8)
    grouping, valued_by = screen_grouping(base, scores, individual=3, valuable_blocks=2, harmful_blocks=1)
    individual = {g[0] for g in grouping.groups if len(g) == 1 and valued_by[g[0]] == "shapley"}
    assert individual == {3, 4, 6}  # the three scores nearest zero
    # valuable 0 > 1 > 5 in two blocks by rank, harmful 7 < 2 in one
    assert set(grouping.groups) == {(0, 1), (5,), (2, 7), (3,), (4,), (6,)}
    for group in grouping.groups:
        assert np.isclose(grouping.weights[list(group)].sum(), 1.0)
    assert np.isclose(grouping.weights[1], 4 / 9) and np.isclose(grouping.weights[7], 4 / 7)
    assert valued_by[5] == valued_by[2] == "shapley of a screened block"


def test_two_hundred_providers_are_screened_and_the_flipped_ones_come_out_negative():
    X, y = make_classification(n_samples=2_400, n_features=8, n_informative=5, random_state=0)
    anchor, validation = (X[:100], y[:100]), (X[100:400], y[100:400])
    rows = np.array_split(np.arange(400, 2_400), 200)
    flipped = set(range(190, 200))
    providers = [(X[r], 1 - y[r] if i in flipped else y[r]) for i, r in enumerate(rows)]
    game = ProviderGame(providers, anchor, validation)
    result = estimate_shapley(game, budget=800, random_state=0)
    assert result.method == "kernel" and result.evaluations <= 800 + 2
    assert len(result.groups) < 200 and any(
        r.startswith("screening (KNN-Shapley") for r in result.group_reasons
    )
    assert set(result.valued_by) == {"shapley", "shapley of a screened block"}
    assert all(result.values[i] < 0 for i in flipped)
    # A block's split is not a measurement of each member: no member's interval excludes zero.
    blocked = [i for i in range(200) if result.valued_by[i] != "shapley"]
    assert blocked and all(result.ci_low[i] <= 0 <= result.ci_high[i] for i in blocked)
    bottom_decile = set(np.argsort(result.values)[:20].tolist())
    assert len(flipped & bottom_decile) >= 9
    assert "valued_by" in result.to_dict()["players"][0]


def test_coalition_data_is_what_a_coalition_trains_on_and_where_each_members_rows_are():
    """Screening reads the game only through `coalition_data`: the anchor first, then each distinct
    row once (a copy of another provider's row, or of an anchor row, adds nothing)."""
    X, y = make_classification(n_samples=260, n_features=5, random_state=3)
    anchor, validation = (X[:30], y[:30]), (X[30:130], y[30:130])
    providers = [(X[130:170], y[130:170]), (X[170:210], y[170:210]), (X[150:190], y[150:190])]
    providers.append((np.vstack([X[:5], X[210:220]]), np.concatenate([y[:5], y[210:220]])))
    game = ProviderGame(providers, anchor, validation)
    assert game.supports_screening
    for members in ([], [1], [0, 2], [0, 1, 2, 3]):
        data = game.coalition_data(members)
        assert data.n_anchor == 30 and sorted(data.rows_of) == members
        model = game.new_model().fit(data.X, data.y)
        Xv, yv = game.validation_data
        assert -log_loss(yv, model.predict_proba(Xv)) == game.value(members)
    data = game.coalition_data([0, 2, 3])
    assert len(data.y) == 30 + 60 + 10  # rows 130..190 once, provider 3's anchor rows not at all
    np.testing.assert_array_equal(data.y[data.rows_of[2]], y[150:190])
    np.testing.assert_array_equal(data.y[data.rows_of[3]], y[210:220])
    with pytest.raises(InvalidInput, match="provider indices"):
        game.coalition_data([4])
