"""The recipe states how an epoch is scored and which meta-learner combines its models (issue 20):
real fields with defaults, checked with errors naming the field; recipes without them keep their
bytes and CIDs, and recipes of the first round (terms in `extra`) read the same."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from eth_utils import keccak

from dao.data.examples import build_demo_artifacts, example_recipe
from dao.data.recipe import InvalidRecipe, Recipe, single_model_recipe
from dao.storage.cid import cid_v0
from valuation.live import LiveScoring

ANCHOR = "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH"
REPORTER = "0xAaAa000000000000000000000000000000000001"
LIVE = {
    "scoring": "live",
    "resolution_blocks": 7200,
    "min_resolved_rows": 200,
    "max_extensions": 1,
    "meta_learner": "stake_weighted",
    "outcome_reporter": REPORTER,
}


def _document(**fields) -> dict:
    document = json.loads(single_model_recipe(ANCHOR, 10**18).to_json())
    document.update(fields)
    return document


def test_the_example_recipe_keeps_its_cid():
    # Computed before the fields existed: a recipe that does not state them has the same bytes.
    artifacts = build_demo_artifacts()
    recipe = example_recipe(
        artifacts,
        ANCHOR,
        "0x" + keccak(artifacts.validation_csv).hex(),
        "genesis",
        {"operator_public_key": "ab" * 32},
    )
    assert str(cid_v0(recipe.to_json())) == "QmWphDJcTwR94DVWhToCPUTgt8dFP3LDjjzgGxDDt9JbYB"
    document = json.loads(recipe.to_json())
    assert not {"scoring", "meta_learner", "max_extensions", "outcome_reporter"} & set(document)
    loaded = Recipe.from_json(recipe.to_json())
    assert loaded.scoring == "static" and loaded.meta_learner == "stacked" and loaded.live_scoring is None


def test_live_fields_are_real_fields_that_round_trip():
    recipe = Recipe.from_json(json.dumps(_document(**LIVE)))
    assert recipe.scoring == "live" and recipe.min_resolved_rows == 200
    assert recipe.live_scoring == LiveScoring(7200, 200, 1, "stake_weighted", REPORTER)
    again = Recipe.from_json(recipe.to_json())
    assert again == recipe and again.to_json() == recipe.to_json()
    assert json.loads(recipe.to_json())["outcome_reporter"] == REPORTER


def test_a_static_recipe_may_choose_a_stake_aware_meta_learner():
    recipe = Recipe.from_json(json.dumps(_document(meta_learner="stake_prior")))
    assert recipe.meta_learner == "stake_prior" and recipe.live_scoring is None
    assert json.loads(recipe.to_json())["meta_learner"] == "stake_prior"


def test_terms_stated_in_extra_by_older_recipes_are_read_into_the_fields():
    recipe = Recipe.from_json(json.dumps(_document(extra={**LIVE, "operator_public_key": "ab" * 32})))
    assert recipe == Recipe.from_json(json.dumps(_document(**LIVE, extra={"operator_public_key": "ab" * 32})))
    assert recipe.extra == {"operator_public_key": "ab" * 32}
    assert recipe.live_scoring.outcome_reporter == REPORTER
    with pytest.raises(InvalidRecipe, match="meta_learner is stated twice"):
        Recipe.from_json(json.dumps(_document(meta_learner="stake_prior", extra={"meta_learner": "stacked"})))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"scoring": "future"}, "scoring must be one of"),
        ({"meta_learner": "median"}, "meta_learner 'median' is not one of stacked, stake_weighted"),
        ({**LIVE, "outcome_reporter": None}, "outcome_reporter must be the 0x-prefixed 20-byte address"),
        ({**LIVE, "outcome_reporter": "0x1234"}, "outcome_reporter must be the 0x-prefixed"),
        ({**LIVE, "min_resolved_rows": 1}, "min_resolved_rows must be at least 2"),
        ({**LIVE, "min_resolved_rows": None}, r"live scoring needs \['min_resolved_rows'\]"),
        ({**LIVE, "resolution_blocks": 0}, "resolution_blocks must be at least 1"),
        ({**LIVE, "resolution_blocks": "7200"}, "resolution_blocks must be an integer"),
        ({**LIVE, "max_extensions": -1}, "max_extensions must not be negative"),
        ({"resolution_blocks": 10}, "resolution_blocks is a live-scoring term but scoring is static"),
        ({"outcome_reporter": REPORTER}, "outcome_reporter is a live-scoring term but scoring is static"),
    ],
)
def test_bad_scoring_fields_are_refused_naming_the_field(fields, message):
    with pytest.raises(InvalidRecipe, match=message):
        Recipe.from_json(json.dumps(_document(**fields)))


def test_a_recipe_built_in_code_is_checked_the_same():
    with pytest.raises(InvalidRecipe, match="outcome_reporter"):
        replace(
            single_model_recipe(ANCHOR, 10**18), scoring="live", resolution_blocks=5, min_resolved_rows=2
        ).validate()
