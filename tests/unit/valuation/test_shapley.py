"""Shapley estimation through shap: exactness, efficiency, Kernel accuracy, determinism, errors."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
import shap
from joblib import parallel_config

from tests.unit.valuation.conftest import AdditiveGame, LearningCurveGame, provider_scenario
from valuation import ModelGame, ProviderGame, estimate_shapley
from valuation.errors import (
    BudgetTooSmall,
    EmptyProvider,
    NonFiniteValues,
    SchemaMismatch,
    SingleClassProvider,
    TooFewPlayers,
)
from valuation.shapley import DEFAULT_REPEATS, _kernel_run


def brute_force_shapley(game) -> np.ndarray:
    """The textbook formula over all subsets, independent of shap."""
    n = game.n_players
    values = np.zeros(n)
    for i in range(n):
        others = [j for j in range(n) if j != i]
        for size in range(n):
            weight = math.factorial(size) * math.factorial(n - size - 1) / math.factorial(n)
            for subset in itertools.combinations(others, size):
                values[i] += weight * (game.value(list(subset) + [i]) - game.value(list(subset)))
    return values


def test_exact_matches_the_textbook_formula_and_is_efficient(breast_cancer):
    providers, anchor, validation = provider_scenario(breast_cancer, 5, corrupted=(1,))
    game = ProviderGame(providers, anchor, validation, random_state=0)
    result = estimate_shapley(game)
    assert result.method == "exact"
    np.testing.assert_allclose(result.values, brute_force_shapley(game), atol=1e-9)
    assert result.values.sum() == pytest.approx(result.grand_value - result.empty_value, abs=1e-9)
    assert result.evaluations == game.trainings == 2**5  # the anchor-only v(∅) is a fit too
    # Exact for these validation rows, not for the population: the interval is their sampling noise.
    assert np.all(result.ci_low < result.values) and np.all(result.values < result.ci_high)
    np.testing.assert_array_equal(result.standard_errors, 0.0)


def test_label_flipped_providers_are_negative_on_breast_cancer(breast_cancer):
    providers, anchor, validation = provider_scenario(breast_cancer, 8, corrupted=(2, 5))
    result = estimate_shapley(ProviderGame(providers, anchor, validation))
    assert result.values[2] < 0 and result.values[5] < 0
    assert all(result.values[i] > 0 for i in (0, 1, 3, 4, 6, 7))


def test_anchoring_makes_flipped_digits_providers_negative(digits):
    providers, anchor, validation = provider_scenario(
        digits, 8, corrupted=(1, 6), anchor_rows=200, validation_rows=400, n_classes=10
    )
    result = estimate_shapley(ProviderGame(providers, anchor, validation))
    assert result.values[1] < 0 and result.values[6] < 0


def test_kernel_is_close_to_exact_and_its_interval_covers(breast_cancer):
    providers, anchor, validation = provider_scenario(breast_cancer, 10, corrupted=(3, 7))
    exact = estimate_shapley(ProviderGame(providers, anchor, validation))
    game = ProviderGame(providers, anchor, validation)
    kernel = estimate_shapley(game, budget=400, random_state=3)
    assert kernel.method == "kernel" and kernel.evaluations <= 400 + 2
    error = np.linalg.norm(kernel.values - exact.values) / np.linalg.norm(exact.values)
    assert error < 0.25
    assert kernel.values.sum() == pytest.approx(kernel.grand_value - kernel.empty_value, abs=1e-6)
    assert np.argsort(kernel.values)[:2].tolist() in ([3, 7], [7, 3])


def test_kernel_with_l1_reg_off_never_zeroes_players():
    weights = np.linspace(0.5, 2.0, 16)  # every player clearly matters
    ours = estimate_shapley(AdditiveGame(weights), budget=2_000, random_state=0, group=False)
    assert np.all(np.abs(ours.values) > 0.1)
    np.testing.assert_allclose(ours.values, weights, atol=1e-6)


def test_the_size_control_variate_beats_plain_kernel_on_a_bending_game():
    weights = np.random.default_rng(0).uniform(0.5, 2.0, 14)
    exact = estimate_shapley(LearningCurveGame(weights), random_state=0, group=False)
    game = LearningCurveGame(weights)
    ours = estimate_shapley(game, budget=700, random_state=0, group=False)
    assert ours.method == "kernel" and game.evaluations <= 700 + 2
    assert ours.values.sum() == pytest.approx(ours.grand_value - ours.empty_value, abs=1e-9)
    # Plain Kernel SHAP on the same seeds, hence the same coalitions.
    seeds = np.random.SeedSequence(0).generate_state(DEFAULT_REPEATS)
    per_run = 700 // DEFAULT_REPEATS
    plain = np.mean([_kernel_run(game.values, 14, per_run, int(seed)) for seed in seeds], axis=0)

    def error(values):
        return np.linalg.norm(values - exact.values) / np.linalg.norm(exact.values)

    assert error(ours.values) < error(plain) / 3
    assert np.all((ours.ci_low <= exact.values) & (exact.values <= ours.ci_high))


def test_shaps_default_l1_reg_does_zero_players_past_ten():
    # The failure our estimator avoids: with l1_reg="auto" and few samples, shap keeps at most 10.
    game = AdditiveGame(np.linspace(0.5, 2.0, 16))
    explainer = shap.KernelExplainer(game.values, np.zeros((1, 16)))
    np.random.seed(0)
    values = np.asarray(explainer.shap_values(np.ones((1, 16)), nsamples=100, silent=True)).reshape(-1)
    assert np.sum(values == 0) >= 1


def test_results_are_deterministic_and_independent_of_the_workers(breast_cancer):
    providers, anchor, validation = provider_scenario(breast_cancer, 6)
    serial = estimate_shapley(
        ProviderGame(providers, anchor, validation), budget=60, random_state=5, n_repeats=3
    )
    again = estimate_shapley(
        ProviderGame(providers, anchor, validation), budget=60, random_state=5, n_repeats=3
    )
    with parallel_config(n_jobs=2):  # the caller sets the workers; nothing is passed down
        parallel = estimate_shapley(
            ProviderGame(providers, anchor, validation), budget=60, random_state=5, n_repeats=3
        )
    np.testing.assert_array_equal(serial.values, again.values)
    np.testing.assert_array_equal(serial.values, parallel.values)
    np.testing.assert_array_equal(serial.ci_high, parallel.ci_high)


def test_model_game_values_sum_to_the_gain_over_the_prior(breast_cancer):
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_predict
    from sklearn.naive_bayes import GaussianNB
    from sklearn.neighbors import KNeighborsClassifier

    X, y = breast_cancer
    Xt, yt, Xv, yv = X[:400], y[:400], X[400:], y[400:]
    models = [LogisticRegression(solver="newton-cholesky"), GaussianNB(), KNeighborsClassifier(15)]
    oof = [cross_val_predict(m, Xt, yt, cv=5, method="predict_proba") for m in models]
    valid = [m.fit(Xt, yt).predict_proba(Xv) for m in models]
    game = ModelGame(oof, yt, valid, yv)
    result = estimate_shapley(game)
    assert result.values.sum() == pytest.approx(result.grand_value - result.empty_value, abs=1e-9)
    assert np.all(result.values > 0)
    # No models is the prior, scored without a fit.
    assert (result.evaluations, game.trainings) == (2**3, 2**3 - 1)


def test_bad_inputs_are_named(breast_cancer):
    providers, anchor, validation = provider_scenario(breast_cancer, 3)
    X0, y0 = providers[0]
    with pytest.raises(EmptyProvider, match="player 1 has no rows"):
        ProviderGame([providers[0], (X0[:0], y0[:0])], anchor, validation)
    with pytest.raises(SingleClassProvider, match="single class"):
        ProviderGame([providers[0], (X0[:5], np.zeros(5, dtype=int))], anchor, validation)
    bad = X0.copy()
    bad[0, 0] = np.nan
    with pytest.raises(NonFiniteValues, match="NaN"):
        ProviderGame([providers[0], (bad, y0)], anchor, validation)
    with pytest.raises(SchemaMismatch, match="columns"):
        ProviderGame([providers[0], (X0[:, :5], y0)], anchor, validation)
    frame = pd.DataFrame(anchor[0], columns=[f"f{i}" for i in range(anchor[0].shape[1])])
    renamed = pd.DataFrame(X0, columns=[f"g{i}" for i in range(X0.shape[1])])
    with pytest.raises(SchemaMismatch, match="same names"):
        ProviderGame([(renamed, y0), (renamed, y0)], (frame, anchor[1]), validation)
    with pytest.raises(TooFewPlayers, match="at least 2 players"):
        ProviderGame([providers[0]], anchor, validation)
    with pytest.raises(BudgetTooSmall, match="2·G\\+2"):
        estimate_shapley(AdditiveGame(np.ones(20)), budget=50, group=False)
