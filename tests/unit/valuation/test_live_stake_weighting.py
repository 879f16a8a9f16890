"""Stake-aware meta-learners (issue 20): Numerai's stake-weighted mean and the stake-prior stacker,
the metamodel's `stakes`, and the model game that values builders on them."""

from __future__ import annotations

import numpy as np
import pytest
from joblib import parallel_config

from valuation import ModelGame, estimate_shapley
from valuation.errors import InvalidInput
from valuation.metamodel import StackedMetamodel
from valuation.stake_weighting import (
    StakedModelGame,
    StakePriorStacker,
    StakeWeightedMean,
    make_meta_learner,
    stake_weights,
)

HONEST = [
    {"estimator": "logistic_regression", "params": {"C": 1.0}},
    {"estimator": "gaussian_nb"},
]
POOR = {"estimator": "k_neighbors", "params": {"n_neighbors": 1}}


@pytest.fixture(scope="module")
def split(breast_cancer):
    X, y = breast_cancer
    order = np.random.default_rng(0).permutation(len(y))
    X, y = X[order][:, :8], y[order]
    return (X[:300], y[:300]), (X[300:], y[300:])


def test_stake_weighted_mean_is_the_stake_weighted_average_of_the_blocks():
    y = np.array([0, 1, 0, 1])
    a = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.5, 0.5]])
    b = np.array([[0.1, 0.9], [0.7, 0.3], [0.5, 0.5], [0.3, 0.7]])
    learner = StakeWeightedMean(stakes=[3 * 10**18, 1 * 10**18]).fit(np.hstack([a, b]), y)
    np.testing.assert_allclose(learner.predict_proba(np.hstack([a, b])), 0.75 * a + 0.25 * b)
    np.testing.assert_array_equal(learner.predict(np.hstack([a, b])), [0, 1, 0, 1])
    # No stake, no say: a coalition without stake predicts the training prior.
    silent = StakeWeightedMean(stakes=[0, 0]).fit(np.hstack([a, b]), y)
    np.testing.assert_allclose(silent.predict_proba(np.hstack([a, b])), np.full((4, 2), 0.5))
    regression = StakeWeightedMean(stakes=[1, 3], task="regression").fit(np.array([[1.0, 3.0]]), [0.0])
    np.testing.assert_allclose(regression.predict(np.array([[1.0, 3.0], [2.0, 2.0]])), [2.5, 2.0])


@pytest.mark.parametrize(
    ("stakes", "X", "message"),
    [
        ([1, 1], np.zeros((3, 2)), "expects 4 columns"),
        ([1, -1], np.zeros((3, 4)), "non-negative"),
        ([1, float("nan")], np.zeros((3, 4)), "finite"),
    ],
)
def test_stake_aware_learners_name_a_malformed_input(stakes, X, message):
    with pytest.raises(InvalidInput, match=message):
        StakeWeightedMean(stakes=stakes).fit(X, np.array([0, 1, 0]))


def test_the_stake_prior_stacker_shrinks_toward_stake_proportional_weights(split):
    (X, y), _ = split
    rng = np.random.default_rng(1)
    good = np.column_stack([1 - (p := np.clip(y * 0.8 + 0.1 + rng.normal(0, 0.05, len(y)), 0.01, 0.99)), p])
    noise = rng.uniform(0.05, 0.95, len(y))
    stacked = np.hstack([good, np.column_stack([1 - noise, noise])])
    stakes = [1, 9]
    free = StakePriorStacker(stakes=stakes, prior_strength=0.0).fit(stacked, y)
    tight = StakePriorStacker(stakes=stakes, prior_strength=1e6).fit(stacked, y)
    np.testing.assert_allclose(tight.coef_, stake_weights(stakes), atol=1e-4)
    assert free.coef_[0] > free.coef_[1]  # the data says the first model is the good one
    again = StakePriorStacker(stakes=stakes, prior_strength=0.0).fit(stacked, y)
    assert free.coef_.tobytes() == again.coef_.tobytes()  # deterministic, no random_state needed
    # Regression, unpenalised: the closed form recovers a target that is linear in the predictions.
    target = stacked[:, 1] * 2.0
    reg = StakePriorStacker(stakes=[1, 1], task="regression", prior_strength=0.0).fit(
        stacked[:, [1, 3]], target
    )
    np.testing.assert_allclose(reg.predict(stacked[:, [1, 3]]), target, atol=1e-3)


def test_a_stake_aware_metamodel_needs_one_stake_per_spec(split):
    (X, y), _ = split
    with pytest.raises(InvalidInput, match="one stake per model spec"):
        StackedMetamodel(HONEST, meta_learner=StakeWeightedMean()).fit(X, y)
    with pytest.raises(InvalidInput, match="1 stakes for 2 model specs"):
        StackedMetamodel(HONEST, meta_learner=StakeWeightedMean(), stakes=[1]).fit(X, y)
    with pytest.raises(InvalidInput, match="meta-learner is for regression"):
        StackedMetamodel(HONEST, meta_learner=StakeWeightedMean(task="regression"), stakes=[1, 1]).fit(X, y)
    with pytest.raises(InvalidInput, match="not one of"):
        make_meta_learner("median")


def test_stakes_leave_the_default_metamodel_unchanged(split):
    (X, y), (Xv, yv) = split
    plain = StackedMetamodel(HONEST).fit(X, y)
    staked = StackedMetamodel(HONEST, stakes=[1, 10**21]).fit(X, y)
    assert plain.predict_proba(Xv).tobytes() == staked.predict_proba(Xv).tobytes()
    plain_game = ModelGame.from_metamodel(plain, (Xv, yv))
    staked_game = StakedModelGame.from_metamodel(staked, (Xv, yv))
    assert estimate_shapley(plain_game).values.tobytes() == estimate_shapley(staked_game).values.tobytes()


def test_a_large_stake_on_a_poor_model_lowers_the_metamodel_and_its_value(split):
    (X, y), (Xv, yv) = split
    specs, stakes = [*HONEST, POOR], [10, 10, 200]
    metamodel = StackedMetamodel(specs, meta_learner=make_meta_learner("stake_weighted"), stakes=stakes).fit(
        X, y
    )
    without = StackedMetamodel(HONEST, meta_learner=make_meta_learner("stake_weighted"), stakes=[10, 10]).fit(
        X, y
    )
    assert metamodel.neg_loss(Xv, yv) < without.neg_loss(Xv, yv)
    game = StakedModelGame.from_metamodel(metamodel, (Xv, yv), player_names=["lr", "nb", "poor"])
    assert game.value([0, 1, 2]) == pytest.approx(metamodel.neg_loss(Xv, yv))
    values = estimate_shapley(game).values
    assert values[2] < 0 < min(values[0], values[1])
    # The same model with a small stake has less say, so it costs the metamodel less.
    small = StackedMetamodel(specs, meta_learner=make_meta_learner("stake_weighted"), stakes=[10, 10, 1]).fit(
        X, y
    )
    small_values = estimate_shapley(StakedModelGame.from_metamodel(small, (Xv, yv))).values
    assert small_values[2] > values[2]
    # Unstaked: no say at all, so exactly no value.
    zero = StackedMetamodel(specs, meta_learner=make_meta_learner("stake_weighted"), stakes=[10, 10, 0]).fit(
        X, y
    )
    assert estimate_shapley(StakedModelGame.from_metamodel(zero, (Xv, yv)), group=False).values[2] == 0.0


def test_the_stake_prior_stacker_learns_away_part_of_a_poor_models_stake(split):
    (X, y), (Xv, yv) = split
    specs, stakes = [*HONEST, POOR], [10, 10, 200]
    losses = {
        name: StackedMetamodel(specs, meta_learner=make_meta_learner(name), stakes=stakes)
        .fit(X, y)
        .neg_loss(Xv, yv)
        for name in ("stacked", "stake_weighted", "stake_prior")
    }
    assert losses["stake_weighted"] < losses["stake_prior"]


def test_the_staked_game_values_the_same_on_any_number_of_workers(split):
    (X, y), (Xv, yv) = split
    specs, stakes = [*HONEST, POOR], [10, 10, 200]
    metamodel = StackedMetamodel(specs, meta_learner=make_meta_learner("stake_prior"), stakes=stakes).fit(
        X, y
    )
    serial = estimate_shapley(StakedModelGame.from_metamodel(metamodel, (Xv, yv)), group=False)
    with parallel_config(n_jobs=2):
        parallel = estimate_shapley(StakedModelGame.from_metamodel(metamodel, (Xv, yv)), group=False)
    assert serial.values.tobytes() == parallel.values.tobytes()
