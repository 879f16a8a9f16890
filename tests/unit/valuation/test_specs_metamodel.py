"""Model specs (allow-list, validated params) and the stacked metamodel (OOF cache, determinism)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from joblib import parallel_config
from sklearn.exceptions import NotFittedError

from valuation import ModelGame, estimate_shapley
from valuation.errors import BaseModelsFailed, TooFewRows
from valuation.metamodel import StackedMetamodel
from valuation.specs import InvalidModelSpec, parse_model_spec

SPECS = [
    {"estimator": "logistic_regression", "params": {"C": 1.0, "max_iter": 500}},
    {"estimator": "random_forest", "params": {"n_estimators": 20, "max_depth": 4}},
    {"estimator": "gaussian_nb"},
    {"estimator": "k_neighbors", "params": {"n_neighbors": 15}},
]


def test_a_valid_spec_builds_the_named_estimator():
    spec = parse_model_spec(json.dumps({"spec_version": 1, "estimator": "svm", "params": {"C": 2.0}}))
    model = spec.build(random_state=3)
    assert type(model).__name__ == "SVC" and model.probability and model.random_state == 3
    assert parse_model_spec(spec.to_json()) == spec
    mlp = parse_model_spec({"estimator": "mlp", "params": {"hidden_layer_sizes": [32, 16]}})
    assert mlp.build().hidden_layer_sizes == (32, 16)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"estimator": "xgboost"}, "not allowed"),
        ({"estimator": "random_forest", "params": {"n_trees": 5}}, "not a parameter of random_forest"),
        ({"estimator": "random_forest", "params": {"n_estimators": 100_000}}, "outside the allowed range"),
        ({"estimator": "random_forest", "params": {"n_jobs": 8}}, "set by the epoch run"),
        ({"estimator": "logistic_regression", "params": {"C": "big"}}, "must be a number"),
        ({"estimator": "mlp", "params": {"hidden_layer_sizes": [1024]}}, "at most 3 layers of 512"),
        ({"estimator": "gaussian_nb", "task": "regression"}, "not allowed for 'regression'"),
        ({"estimator": "ridge", "task": "regression", "params": {"alpha": float("nan")}}, "finite"),
        ({"estimator": "gaussian_nb", "pickle": "gASV"}, "unknown top-level fields"),
        # sklearn itself checks this only when fitting; the set of solvers is printed sorted.
        (
            {"estimator": "logistic_regression", "params": {"solver": "nope"}},
            "logistic_regression refuses these params: InvalidParameterError: The 'solver' parameter of "
            "LogisticRegression must be a str among \\{'lbfgs', 'liblinear', 'newton-cg', 'newton-cholesky', "
            "'sag', 'saga'}",
        ),
    ],
)
def test_bad_specs_are_refused_with_the_field_named(spec, message):
    with pytest.raises(InvalidModelSpec, match=message):
        parse_model_spec(spec)


def test_not_json_is_refused():
    with pytest.raises(InvalidModelSpec, match="not JSON"):
        parse_model_spec("{estimator:")


@pytest.fixture(scope="module")
def split(breast_cancer):
    X, y = breast_cancer
    return X[:400], y[:400], X[400:], y[400:]


def test_metamodel_fits_predicts_and_is_deterministic(split):
    Xt, yt, Xv, yv = split
    first = StackedMetamodel(SPECS, random_state=0).fit(Xt, yt)
    with parallel_config(n_jobs=2):
        second = StackedMetamodel(SPECS, random_state=0).fit(Xt, yt)
    assert len(first.oof_predictions_) == 4 and first.oof_predictions_[0].shape == (400, 2)
    for a, b in zip(first.oof_predictions_, second.oof_predictions_, strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(first.predict_proba(Xv), second.predict_proba(Xv))
    assert (first.predict(Xv) == yv).mean() > 0.9
    assert first.neg_loss(Xv, yv) > -0.3


def test_an_unfitted_metamodel_refuses_to_predict_and_has_no_sklearn_score(split):
    _, _, Xv, yv = split
    metamodel = StackedMetamodel(SPECS)
    for method in (metamodel.predict, metamodel.predict_proba, metamodel.base_predictions):
        with pytest.raises(NotFittedError):
            method(Xv)
    with pytest.raises(NotFittedError):
        metamodel.neg_loss(Xv, yv)
    # Its loss is not sklearn's `score` (accuracy / R²): nothing may take one for the other.
    assert not hasattr(metamodel, "score")


def test_model_game_from_metamodel_values_a_clone_at_zero(split):
    Xt, yt, Xv, yv = split
    metamodel = StackedMetamodel([*SPECS, SPECS[1]], random_state=0).fit(Xt, yt)
    result = estimate_shapley(ModelGame.from_metamodel(metamodel, (Xv, yv)))
    assert result.values[4] == 0 and 4 in result.groups[1]
    assert result.values.sum() == pytest.approx(result.grand_value - result.empty_value, abs=1e-9)


def test_too_few_rows_for_the_folds(split):
    Xt, yt, _, _ = split
    with pytest.raises(TooFewRows, match="fewer than 5 folds"):
        StackedMetamodel(SPECS).fit(Xt[:12], np.array([0] * 9 + [1] * 3))


def test_a_base_model_that_fails_on_the_data_is_named(split):
    X, y, _, _ = split
    specs = [
        {"estimator": "gaussian_nb", "params": {}},
        {"estimator": "k_neighbors", "params": {"n_neighbors": 200}},  # valid, but a fold is smaller
    ]
    with pytest.raises(
        BaseModelsFailed, match="model spec 1 failed: ValueError: Expected n_neighbors"
    ) as info:
        StackedMetamodel(specs, random_state=0).fit(X[:150], y[:150])
    assert list(info.value.failures) == [1]


def test_a_base_model_predicting_nan_is_a_failure_not_a_crash_of_the_meta_learner(split):
    from sklearn.dummy import DummyClassifier

    from valuation.metamodel import _fit_base

    class NaNClassifier(DummyClassifier):
        def predict_proba(self, X):
            return np.full((len(X), len(self.classes_)), np.nan)

    class NaNSpec:
        def build(self, random_state):
            return NaNClassifier()

    X, y, _, _ = split
    folds = [(np.arange(0, 200), np.arange(200, 400)), (np.arange(200, 400), np.arange(0, 200))]
    oof, why = _fit_base(NaNSpec(), X, y, folds, "classification", np.unique(y), 0)
    assert oof is None and why == "ValueError: the model predicts NaN or infinite values"


def test_messages_that_reach_reports_are_the_same_in_every_process():
    from valuation._determinism import stable_message

    raised = ValueError("must be among {'tanh', 'relu', 'identity'}; got <Foo object at 0x7f3a2b1c>")
    assert (
        stable_message(raised) == "ValueError: must be among {'identity', 'relu', 'tanh'}; got <Foo object>"
    )


def test_a_validation_class_the_training_data_lacks_is_scored_at_the_floor(split):
    Xt, yt, Xv, yv = split
    metamodel = StackedMetamodel(SPECS[2:], random_state=0).fit(Xt, yt)
    with_new_class = yv.copy()
    with_new_class[:5] = 2
    score = metamodel.neg_loss(Xv, with_new_class)
    assert np.isfinite(score) and score < metamodel.neg_loss(Xv, yv)
