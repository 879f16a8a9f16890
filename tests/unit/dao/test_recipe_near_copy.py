"""The recipe states the near-copy rule (issue 18): optional fields with the rule's defaults,
checked with clear errors; recipes written before them load and keep their bytes."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from dao.data.recipe import DEFAULT_MAX_HISTORY_ROWS, InvalidRecipe, Recipe, single_model_recipe
from valuation.grouping import NearCopyRule

ANCHOR = "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH"


def test_a_recipe_without_the_fields_loads_with_the_defaults_and_keeps_its_bytes():
    recipe = single_model_recipe(ANCHOR, 10**18)
    document = json.loads(recipe.to_json())
    assert "near_copy" not in document  # the bytes (and CID) of older recipes are unchanged
    loaded = Recipe.from_json(json.dumps(document))
    assert loaded == recipe and loaded.to_json() == recipe.to_json()
    assert loaded.near_copy_rule == NearCopyRule() and loaded.max_history_rows == DEFAULT_MAX_HISTORY_ROWS


def test_a_stated_rule_is_the_rule_the_epoch_uses_and_survives_a_round_trip():
    stated = {"tolerance": 0.05, "feature_share": 0.6, "max_history_rows": 5000}
    recipe = replace(single_model_recipe(ANCHOR, 10**18), near_copy=stated).validate()
    loaded = Recipe.from_json(recipe.to_json())
    assert loaded.near_copy == stated and loaded.max_history_rows == 5000
    assert loaded.near_copy_rule == NearCopyRule(tolerance=0.05, feature_share=0.6)


@pytest.mark.parametrize(
    ("near_copy", "message"),
    [
        ({"tolerence": 0.1}, r"near_copy has unknown keys \['tolerence'\]"),
        ({"tolerance": "small"}, "near_copy.tolerance must be a number, got 'small'"),
        ({"tolerance": -1.0}, "near_copy: near-copy tolerance must be a finite number >= 0, got -1.0"),
        ({"feature_share": 1.5}, r"near_copy: near-copy feature share must lie in \(0, 1\], got 1.5"),
        ({"max_history_rows": -3}, "near_copy.max_history_rows must be an integer >= 0, got -3"),
        ([0.02, 0.4], "near_copy must be an object"),
    ],
)
def test_a_bad_rule_is_refused_naming_the_field(near_copy, message):
    document = json.loads(single_model_recipe(ANCHOR, 10**18).to_json())
    document["near_copy"] = near_copy
    with pytest.raises(InvalidRecipe, match=message):
        Recipe.from_json(json.dumps(document))
