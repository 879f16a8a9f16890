"""The deterministic training budget (issue 16, item 4): the issue's two training attacks are over
the default cap on a 200,000-row pool, the demo's and the benchmarks' specs far under it."""

from __future__ import annotations

import pytest

from bench.scale_epoch import MODELS as BENCH_MODELS
from dao.data.examples import build_demo_artifacts
from valuation.budget import (
    MIN_BUDGET_ROWS,
    PoolShape,
    budget_cap,
    budget_problem,
    training_cost,
)
from valuation.specs import parse_model_spec

ATTACK_FOREST = {
    "estimator": "random_forest",
    "params": {"n_estimators": 500, "max_depth": 64, "max_features": None, "bootstrap": False},
}
ATTACK_BOOSTING = {
    "estimator": "hist_gradient_boosting",
    "params": {"max_iter": 2000, "n_iter_no_change": 10**9, "max_leaf_nodes": 4096},
}
ISSUE_POOL = PoolShape(rows=200_000, features=20, classes=2)


@pytest.mark.parametrize("attack", [ATTACK_FOREST, ATTACK_BOOSTING], ids=["forest", "boosting"])
def test_the_issues_training_attacks_are_over_the_default_budget(attack):
    spec = parse_model_spec(attack)
    problem = budget_problem(spec, ISSUE_POOL)
    assert problem is not None
    assert f"exceeds the epoch's training budget {budget_cap(ISSUE_POOL.rows):.3g}" in problem
    assert f"{training_cost(spec, ISSUE_POOL):.3g}" in problem and "200,000 rows" in problem
    # Over the cap by a margin, not by rounding.
    assert training_cost(spec, ISSUE_POOL) > 3 * budget_cap(ISSUE_POOL.rows)


def test_the_demos_and_the_benchmarks_specs_fit_with_a_wide_margin():
    demo_pool = PoolShape(rows=369, features=10)
    for document in build_demo_artifacts().model_specs:
        spec = parse_model_spec(document)
        assert training_cost(spec, demo_pool) < budget_cap(demo_pool.rows) / 100
    for rows in (96_000, 1_000_000):  # bench.scale_epoch at 256 contributors; bench.epoch_memory
        for name, params in BENCH_MODELS:
            spec = parse_model_spec({"estimator": name, "params": params})
            pool = PoolShape(rows=rows, features=20)
            assert training_cost(spec, pool) < budget_cap(rows) / 5, (name, rows)


def test_the_estimate_is_pure_arithmetic_on_the_pools_shape():
    spec = parse_model_spec(ATTACK_FOREST)
    # Integer depth and log terms: the same float on every machine, computed twice or anywhere.
    assert training_cost(spec, ISSUE_POOL) == training_cost(parse_model_spec(ATTACK_FOREST), ISSUE_POOL)
    assert training_cost(spec, ISSUE_POOL) == 3.89016e13
    more_rows = PoolShape(rows=400_000, features=20)
    assert training_cost(spec, more_rows) > training_cost(spec, ISSUE_POOL)
    assert budget_cap(10) == budget_cap(MIN_BUDGET_ROWS)  # small pools get the floor


def test_a_pool_shape_must_be_counts():
    from valuation.errors import InvalidInput

    with pytest.raises(InvalidInput, match="rows must be a non-negative integer"):
        PoolShape(rows=1.5, features=3)
