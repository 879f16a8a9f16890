"""The recipe's meta-learner reaches the epoch (issue 20): with `stake_weighted` or `stake_prior` the
metamodel combines the builders' models by their stakes and the builders are valued on that
metamodel; the report records the choice and `dao verify`'s comparison recomputes it. The default
recipe's epoch is valued exactly as before the choice existed."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from eth_utils import keccak

from dao.data.recipe import DataSchema, Recipe
from dao.epoch.valuation import Contribution, load_validation, value_epoch
from dao.epoch.verify import verify_report
from dao.storage import EmbeddedStorage
from valuation import ModelGame, PayoutPolicy, estimate_shapley
from valuation.report import ValuationReport
from valuation.stake_weighting import StakePriorStacker, StakeWeightedMean

pytestmark = pytest.mark.slow
ETHER = 10**18
SPECS = [
    {"estimator": "logistic_regression", "params": {}},
    {"estimator": "gaussian_nb", "params": {}},
    {"estimator": "k_neighbors", "params": {"n_neighbors": 1}},  # the poor model
]
MODEL_STAKES = [ETHER, ETHER, 20 * ETHER]  # a large stake on the poor model


def _csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode()


def _rows(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=n), rng.normal(size=n)
    y = ((a + 0.5 * b + rng.normal(scale=0.6, size=n)) > 0).astype(int)
    return pd.DataFrame({"a": a, "b": b, "y": y})


def epoch_files(tmp_path, meta_learner: str = "stacked", **fields):
    """A small public classification epoch: 3 data sets, 3 model specs (the last poor and staked
    20 times the others), under a recipe with `meta_learner` (and any other recipe `fields`)."""
    storage = EmbeddedStorage(tmp_path / "ipfs")
    validation = _csv(_rows(300, 1))
    recipe = Recipe(
        schema=DataSchema(features=(("a", "float64"), ("b", "float64")), target="y"),
        model_allow_list=("gaussian_nb", "k_neighbors", "logistic_regression"),
        emission=1_000 * ETHER,
        data_pool_bps=7_000,
        slash_cap_bps=2_000,
        anchor_cid=storage.add(_csv(_rows(20, 0))),
        validation_commitment="0x" + keccak(validation).hex(),
    )
    recipe = replace(recipe, meta_learner=meta_learner, **fields).validate()
    contents = [(0, _csv(_rows(150, seed)), ETHER // 10) for seed in (2, 3, 4)]
    contents += [
        (1, json.dumps(spec).encode(), stake) for spec, stake in zip(SPECS, MODEL_STAKES, strict=True)
    ]
    contributions = [
        Contribution(i + 1, f"0x{i + 1:040x}", kind, 1, storage.add(content), stake)
        for i, (kind, content, stake) in enumerate(contents)
    ]
    return storage, storage.add(recipe.to_json()), recipe, contributions, validation


def _value(files):
    storage, recipe_cid, recipe, contributions, validation = files
    return value_epoch(storage, 1, recipe_cid, recipe, contributions, validation)


def _model_values(report: ValuationReport) -> dict[str, float]:
    return {p["name"]: p["value"] for p in report.model_values["players"]}


@pytest.fixture(scope="module")
def stacked(tmp_path_factory):
    files = epoch_files(tmp_path_factory.mktemp("stacked"))
    return files, _value(files)


@pytest.fixture(scope="module")
def stake_weighted(tmp_path_factory):
    files = epoch_files(tmp_path_factory.mktemp("weighted"), "stake_weighted")
    return files, _value(files)


def test_the_default_recipe_is_valued_as_before_and_its_report_does_not_change_shape(stacked):
    (storage, _, recipe, contributions, validation_csv), valuation = stacked
    report = valuation.report
    assert "scoring" not in json.loads(report.to_json())  # the bytes of default reports are kept
    assert report.scoring_mode == "static" and report.meta_learner == "stacked"
    assert valuation.metamodel.meta_learner is None and valuation.metamodel.stakes is None
    # The model game as it was built before the choice existed: no meta-learner, no stakes.
    X, y = valuation.metamodel.oof_predictions_, valuation.metamodel.y_
    validation = load_validation(validation_csv, recipe)
    game = ModelGame(X, y, valuation.metamodel.base_predictions(validation[0]), validation[1])
    result = estimate_shapley(game, random_state=0)
    assert [round(v, 6) for v in result.values] == [round(v, 6) for v in _model_values(report).values()]


def test_a_stake_weighted_recipe_values_builders_on_the_stake_weighted_metamodel(stacked, stake_weighted):
    (_, _, recipe, _, validation_csv), valuation = stake_weighted
    report = valuation.report
    assert report.scoring == {"mode": "static", "meta_learner": "stake_weighted"}
    assert json.loads(report.to_json())["scoring"]["meta_learner"] == "stake_weighted"
    metamodel = valuation.metamodel
    assert isinstance(metamodel.meta_learner, StakeWeightedMean) and metamodel.stakes == MODEL_STAKES
    # The published score is the stake-weighted mean's, computed here by hand.
    Xv, yv = load_validation(validation_csv, recipe)
    weights = np.asarray(MODEL_STAKES, dtype=float) / sum(MODEL_STAKES)
    mixed = sum(w * p for w, p in zip(weights, metamodel.base_predictions(Xv), strict=True))
    column = np.searchsorted(metamodel.classes_, yv)
    by_hand = float(np.mean(np.log(np.maximum(mixed[np.arange(len(yv)), column], 1e-15))))
    assert report.metamodel_score == pytest.approx(by_hand, abs=1e-6)
    # The poor model's large stake lowers the metamodel: it is valued below both honest builders,
    # and the metamodel is worse than the stacked one that ignores stakes.
    values = _model_values(report)
    assert values["#6"] < values["#4"] and values["#6"] < values["#5"] and values["#6"] < 0
    assert _model_values(stacked[1].report) != values
    assert report.metamodel_score < stacked[1].report.metamodel_score
    # The data game does not depend on the meta-learner.
    assert report.data_values["players"] == stacked[1].report.data_values["players"]


def test_a_stake_prior_recipe_shrinks_a_stacker_toward_the_stakes(tmp_path):
    valuation = _value(epoch_files(tmp_path, "stake_prior"))
    assert isinstance(valuation.metamodel.meta_learner, StakePriorStacker)
    assert valuation.report.meta_learner == "stake_prior"
    assert valuation.metamodel.meta_model_.coef_.shape == (3,)


def test_verify_recomputes_the_meta_learner_and_catches_a_report_that_misstates_it(tmp_path, stake_weighted):
    files, valuation = stake_weighted
    committed = valuation.report.to_json()
    recipe = files[2]
    policy = PayoutPolicy(recipe.emission, recipe.data_pool_bps, recipe.slash_cap_bps)
    again = _value(epoch_files(tmp_path, "stake_weighted")).report.to_json()
    assert again == committed and verify_report(committed, again, policy).match
    forged = json.loads(committed)
    forged["scoring"]["meta_learner"] = "stacked"
    result = verify_report(json.dumps(forged).encode(), again, policy)
    assert not result.match and ("scoring.meta_learner", "stacked", "stake_weighted") in result.numbers
