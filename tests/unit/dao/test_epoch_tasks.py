"""The recipe's task reaches every part of an epoch: a regression epoch is valued and served, and a
model spec for the other task is rejected on its own instead of stopping the epoch."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from eth_utils import keccak

from dao.data.recipe import DataSchema, Recipe
from dao.epoch.valuation import Contribution, value_epoch
from dao.holders.contribute import ContributionRefused, check_artifact
from dao.market.predictions import prediction_table
from dao.storage import EmbeddedStorage

pytestmark = pytest.mark.slow
ETHER = 10**18


def _csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode()


def _rows(n: int, seed: int, task: str) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=n), rng.normal(size=n)
    signal = np.sin(2 * a) + b * a
    y = signal + rng.normal(scale=0.2, size=n) if task == "regression" else (signal > 0).astype(int)
    return pd.DataFrame({"a": a, "b": b, "y": y})


def _epoch(tmp_path, task: str, specs: list[dict], extra: tuple = ()):
    storage = EmbeddedStorage(tmp_path / "ipfs")
    validation = _csv(_rows(300, 1, task))
    recipe = Recipe(
        schema=DataSchema(features=(("a", "float64"), ("b", "float64")), target="y", task=task),
        model_allow_list=tuple(sorted({spec["estimator"] for spec in specs})),
        emission=1_000 * ETHER,
        data_pool_bps=7_000,
        slash_cap_bps=2_000,
        anchor_cid=storage.add(_csv(_rows(12, 0, task))),
        validation_commitment="0x" + keccak(validation).hex(),
    ).validate()
    contents = [(0, _csv(_rows(150, seed, task))) for seed in (2, 3, 4)]
    contents += [*extra, *[(1, json.dumps(spec).encode()) for spec in specs]]
    contributions = [
        Contribution(i + 1, f"0x{i + 1:040x}", kind, 1, storage.add(content), ETHER // 10)
        for i, (kind, content) in enumerate(contents)
    ]
    return recipe, value_epoch(storage, 1, storage.add(recipe.to_json()), recipe, contributions, validation)


def test_a_regression_epoch_is_valued_and_served_as_regression(tmp_path):
    specs = [
        {"estimator": "linear_regression", "task": "regression", "params": {}},
        {"estimator": "random_forest", "task": "regression", "params": {"n_estimators": 20}},
    ]
    _, valuation = _epoch(tmp_path, "regression", specs)
    assert not valuation.report.rejected
    assert valuation.metamodel.task == "regression"
    assert valuation.data_result.values.sum() > 0 and valuation.model_result.values.sum() > 0
    rows = _rows(5, 9, "regression")
    table = prediction_table(valuation.metamodel, rows[["a", "b"]].to_numpy())
    assert list(table.columns) == ["prediction"] and np.isfinite(table["prediction"]).all()


def test_a_spec_for_the_other_task_is_rejected_alone(tmp_path):
    specs = [
        {"estimator": "logistic_regression", "params": {}},
        {"estimator": "gaussian_nb", "params": {}},
        {"estimator": "random_forest", "task": "regression", "params": {}},  # allowed name, wrong task
    ]
    recipe, valuation = _epoch(tmp_path, "classification", specs)
    assert valuation.report.rejected == {
        "6": "the spec is for regression; this epoch's task is classification"
    }
    assert len(valuation.model_result.values) == 2
    table = prediction_table(valuation.metamodel, _rows(4, 9, "classification")[["a", "b"]].to_numpy())
    assert list(table.columns) == ["p_0", "p_1"]
    with pytest.raises(ContributionRefused, match='this epoch\'s task is classification \\(set "task"'):
        check_artifact("model", json.dumps(specs[2]).encode(), recipe)


def test_a_regression_target_far_beyond_the_anchor_rejects_its_data_set_alone(tmp_path):
    specs = [
        {"estimator": "ridge", "task": "regression", "params": {}},
        {"estimator": "k_neighbors", "task": "regression", "params": {}},
    ]
    huge = _rows(40, 7, "regression")
    huge.loc[huge.index[:2], "y"] = 1e300
    _, valuation = _epoch(tmp_path, "regression", specs, extra=[(0, _csv(huge))])
    assert valuation.report.rejected == {
        "4": "columns ['y'] have values more than 1e+06 of the anchor set's standard deviations from its mean"
    }
