"""Issue 16, item 4: training cost is bounded inside the allow-list, and a failing spec never makes
the others train again.

A random forest of 500 unbounded trees over every feature without bootstrap (about 7 h on 200,000
rows) and a gradient boosting of 4,096 leaves that never stops early are valid specs: without a
budget they hold the epoch for hours. Over-budget specs are refused at `dao contribute model` with
the estimate and the cap, and rejected in the epoch with that reason (their stake kept) before
anything trains.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from eth_utils import keccak

import valuation.metamodel as metamodel_module
from dao.data.examples import MODEL_ALLOW_LIST, build_demo_artifacts
from dao.data.recipe import DataSchema, Recipe
from dao.epoch.valuation import Contribution, reject_over_budget, value_epoch
from dao.holders.contribute import ContributionRefused, check_artifact
from dao.storage import EmbeddedStorage
from valuation.budget import PoolShape
from valuation.specs import parse_model_spec

ETHER = 10**18
ATTACK_FOREST = {
    "estimator": "random_forest",
    "params": {"n_estimators": 500, "max_depth": 64, "max_features": None, "bootstrap": False},
}
ATTACK_BOOSTING = {
    "estimator": "hist_gradient_boosting",
    "params": {"max_iter": 2000, "n_iter_no_change": 10**9, "max_leaf_nodes": 4096},
}
ALLOW = ("gaussian_nb", "k_neighbors", "logistic_regression", "random_forest", "hist_gradient_boosting")


def _csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode()


def _rows(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=n), rng.normal(size=n)
    return pd.DataFrame({"a": a, "b": b, "y": (a + b > 0).astype(int)})


def _recipe(storage, validation: bytes, **changes) -> Recipe:
    recipe = Recipe(
        schema=DataSchema(features=(("a", "float64"), ("b", "float64")), target="y"),
        model_allow_list=ALLOW,
        emission=ETHER,
        data_pool_bps=7_000,
        slash_cap_bps=2_000,
        anchor_cid=storage.add(_csv(_rows(20, 0))),
        validation_commitment="0x" + keccak(validation).hex(),
    )
    return replace(recipe, **changes).validate()


def _value(tmp_path, specs: list[dict], **recipe_changes):
    storage = EmbeddedStorage(tmp_path / "ipfs")
    validation = _csv(_rows(200, 1))
    recipe = _recipe(storage, validation, **recipe_changes)
    contents = [(0, _csv(_rows(100, 2))), (0, _csv(_rows(100, 3)))]
    contents += [(1, json.dumps(spec).encode()) for spec in specs]
    contributions = [
        Contribution(i + 1, f"0x{i + 1:040x}", kind, 1, storage.add(content), ETHER // 10)
        for i, (kind, content) in enumerate(contents)
    ]
    return value_epoch(storage, 1, storage.add(recipe.to_json()), recipe, contributions, validation)


@pytest.mark.parametrize("attack", [ATTACK_FOREST, ATTACK_BOOSTING], ids=["forest", "boosting"])
def test_the_epoch_rejects_the_issues_attacks_on_a_200k_row_pool_before_training(attack, tmp_path):
    # The budget needs the pool's shape only: nothing of 200,000 rows has to exist to reject them.
    recipe = _recipe(EmbeddedStorage(tmp_path / "ipfs"), b"validation")
    honest = Contribution(1, "0x1", 1, 1, "Qm" + "a" * 44, 1)
    attacker = Contribution(2, "0x2", 1, 1, "Qm" + "b" * 44, 1)
    models = [
        (honest, parse_model_spec({"estimator": "logistic_regression"})),
        (attacker, parse_model_spec(attack)),
    ]
    rejected: dict[int, str] = {}
    kept = reject_over_budget(models, PoolShape(rows=200_000, features=20), recipe, rejected)
    assert [c.id for c, _ in kept] == [1]
    assert list(rejected) == [2]
    assert "exceeds the epoch's training budget 2e+12" in rejected[2]
    assert "200,000 rows and 20 features" in rejected[2]


@pytest.mark.slow
def test_an_over_budget_spec_is_rejected_alone_and_the_epoch_is_valued(tmp_path):
    # A recipe with a tight budget (cost units per pooled row): the forest is over it on this pool.
    valuation = _value(
        tmp_path,
        [{"estimator": "logistic_regression"}, {"estimator": "gaussian_nb"}, ATTACK_FOREST],
        training_budget=1e4,
    )
    assert list(valuation.report.rejected) == ["5"]
    reason = valuation.report.rejected["5"]
    assert reason.startswith("the model is over the epoch's training budget: its estimated training cost")
    assert "exceeds the epoch's training budget 1e+08" in reason
    assert len(valuation.metamodel.base_models_) == 2


@pytest.mark.parametrize("attack", [ATTACK_FOREST, ATTACK_BOOSTING], ids=["forest", "boosting"])
def test_dao_contribute_model_refuses_an_over_budget_spec_with_the_estimate_and_the_cap(attack):
    artifacts = build_demo_artifacts()
    recipe = Recipe(
        schema=DataSchema(features=artifacts.schema_features, target=artifacts.target),
        model_allow_list=MODEL_ALLOW_LIST,
        emission=ETHER,
        data_pool_bps=7_000,
        slash_cap_bps=2_000,
        anchor_cid="Qm" + "a" * 44,
        validation_commitment="0x" + "ab" * 32,
    ).validate()
    with pytest.raises(ContributionRefused) as refused:
        check_artifact("model", json.dumps(attack).encode(), recipe)
    message = str(refused.value)
    assert message.startswith("the model spec is over the epoch's training budget on a pool of 10,000 rows")
    assert "its estimated training cost" in message and "exceeds the epoch's training budget 1e+11" in message
    # The demo's own specs pass the same check.
    for spec in artifacts.model_specs:
        check_artifact("model", spec, recipe)


@pytest.mark.slow
def test_a_failing_spec_does_not_retrain_the_other_specs(tmp_path, monkeypatch):
    fits: Counter = Counter()
    real = metamodel_module._fit_base

    def counting(spec, *args, **kwargs):
        fits[spec.estimator] += 1
        return real(spec, *args, **kwargs)

    monkeypatch.setattr(metamodel_module, "_fit_base", counting)
    # 200 neighbours are more than a training fold's 160 rows: the spec fails on the data.
    valuation = _value(
        tmp_path,
        [
            {"estimator": "logistic_regression"},
            {"estimator": "gaussian_nb"},
            {"estimator": "k_neighbors", "params": {"n_neighbors": 200}},
        ],
    )
    assert list(valuation.report.rejected) == ["5"]
    assert fits == Counter({"logistic_regression": 1, "gaussian_nb": 1, "k_neighbors": 1})


def test_the_recipes_training_budget_round_trips_and_is_absent_when_default(tmp_path):
    from dao.data.recipe import InvalidRecipe

    recipe = _recipe(EmbeddedStorage(tmp_path / "ipfs"), b"validation")
    assert b"training_budget" not in recipe.to_json()  # recipes on the default keep their bytes
    tight = replace(recipe, training_budget=2.5e6)
    assert Recipe.from_json(tight.to_json()) == tight
    for bad in (0, -1.0, float("inf"), "1e7", True):
        with pytest.raises(InvalidRecipe, match="training_budget must be a positive number"):
            replace(recipe, training_budget=bad).validate()
