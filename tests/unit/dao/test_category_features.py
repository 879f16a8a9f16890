"""Category features: declared in the recipe, checked at intake, one-hot encoded the same way for
training, valuation and paid predictions."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from eth_utils import keccak

from dao.data.datasets import InvalidDataset, load_dataset
from dao.data.encoding import encode_features, encoded_columns
from dao.data.recipe import DataSchema, InvalidRecipe, Recipe, single_model_recipe
from dao.epoch.valuation import Contribution, value_epoch
from dao.market.predictions import PredictionError, encode_input
from dao.storage import EmbeddedStorage

ETHER = 10**18
ANCHOR_CID = "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG"
SITES = ("north", "south", "east", "west")
SCHEMA = DataSchema(
    features=(("a", "float64"), ("b", "float64"), ("site", "category"), ("member", "bool")),
    target="label",
    categories=(("site", SITES),),
)


def _csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode()


def _frame(n: int, seed: int) -> pd.DataFrame:
    """Rows whose label depends on a numeric feature and on the site (north and west lean to 1)."""
    rng = np.random.default_rng(seed)
    site = rng.choice(SITES[:3], size=n)
    a = rng.normal(size=n)
    logit = 1.5 * a + np.where(site == "north", 2.0, -1.0)
    label = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return pd.DataFrame(
        {"a": a, "b": rng.normal(size=n), "site": site, "member": rng.random(n) < 0.5, "label": label}
    )


def test_the_recipe_round_trips_its_categories_and_keeps_old_bytes_without_them():
    recipe = single_model_recipe(ANCHOR_CID, ETHER)
    assert b"categories" not in recipe.to_json()  # recipes without category columns keep their CIDs
    with_sites = Recipe.from_json(
        recipe.to_json()
        .replace(b'"features":[["x","float64"]]', b'"features":[["x","category"]]')
        .replace(b'"target":"y"', b'"categories":{"x":["n","s"]},"target":"y"')
    )
    assert with_sites.schema.levels("x") == ("n", "s")
    assert Recipe.from_json(with_sites.to_json()) == with_sites
    assert json.loads(with_sites.to_json())["schema"]["categories"] == {"x": ["n", "s"]}


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        (
            DataSchema(features=(("s", "category"),), target="y"),
            "must list the levels of the category columns \\['s'\\]",
        ),
        (
            DataSchema(features=(("s", "float64"),), target="y", categories=(("s", ("a",)),)),
            "names \\['s'\\], which are not category feature columns",
        ),
        (DataSchema(features=(("s", "category"),), target="y", categories=(("s", ()),)), "non-empty list"),
        (
            DataSchema(features=(("s", "category"),), target="y", categories=(("s", ("a", "a")),)),
            "a level twice",
        ),
        (
            DataSchema(features=(("s", "category"),), target="y", categories=(("s", ("a",)), ("s", ("b",)))),
            "names a column twice",
        ),
    ],
)
def test_bad_category_declarations_are_refused_by_name(schema, expected):
    with pytest.raises(InvalidRecipe, match=expected):
        schema.validate()


def test_a_recipe_document_with_malformed_categories_is_refused():
    document = json.loads(single_model_recipe(ANCHOR_CID, ETHER).to_json())
    document["schema"]["features"] = [["x", "category"]]
    document["schema"]["categories"] = {"x": "ns"}
    with pytest.raises(InvalidRecipe, match="map each category column to a list of levels"):
        Recipe.from_json(json.dumps(document))


def test_a_data_set_with_an_undeclared_level_is_refused_naming_the_values():
    frame = _frame(20, 0)
    frame.loc[[3, 7], "site"] = ["mars", "venus"]
    with pytest.raises(
        InvalidDataset, match="column 'site' has values outside its declared categories.*'mars', 'venus'"
    ):
        load_dataset(_csv(frame), SCHEMA)


def test_levels_are_one_hot_in_declared_order_whatever_a_file_contains():
    only_south = _frame(30, 1).assign(site="south")
    features = load_dataset(_csv(only_south), SCHEMA).features
    matrix = encode_features(features, SCHEMA)
    assert matrix.shape == (30, 2 + len(SITES) + 1)
    np.testing.assert_array_equal(matrix[:, 2:6], np.tile([0.0, 1.0, 0.0, 0.0], (30, 1)))
    np.testing.assert_allclose(matrix[:, :2], only_south[["a", "b"]].to_numpy(), rtol=1e-12)  # CSV
    np.testing.assert_array_equal(matrix[:, 6], only_south["member"].to_numpy(dtype=float))


def test_without_categories_the_matrix_is_what_it_was_so_old_reports_still_verify():
    schema = DataSchema(features=(("a", "float64"), ("visits", "int64"), ("member", "bool")), target="label")
    frame = (
        _frame(40, 4).assign(visits=lambda f: (f["b"] * 10).round().astype(int)).drop(columns=["b", "site"])
    )
    features = load_dataset(_csv(frame), schema).features
    matrix = encode_features(features, schema)
    before = features.to_numpy(dtype=float)  # the epoch's conversion before category support
    np.testing.assert_array_equal(matrix, before)
    # Same layout too: sums and BLAS calls follow it, down to the last bit of every value.
    assert matrix.flags["F_CONTIGUOUS"] and before.flags["F_CONTIGUOUS"]


def test_encoded_columns_are_named_after_their_feature_and_level():
    assert encoded_columns(SCHEMA) == [
        "a",
        "b",
        "site=north",
        "site=south",
        "site=east",
        "site=west",
        "member",
    ]


def test_a_prediction_input_is_encoded_like_the_training_data():
    frame = _frame(12, 2)
    as_text = frame.drop(columns="label").assign(member=frame["member"].map({True: "true", False: "0"}))
    trained = encode_features(load_dataset(_csv(frame), SCHEMA).features, SCHEMA)
    np.testing.assert_array_equal(encode_input(_csv(as_text), SCHEMA), trained)


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda f: f.assign(site="mars"), "outside its declared categories"),
        (lambda f: f.drop(columns="site"), "missing feature columns \\['site'\\]"),
        (lambda f: f.assign(a="x"), "column 'a' should be float64 but has 12 non-numeric"),
        (lambda f: f.assign(member="maybe"), "column 'member' should be bool"),
        (lambda f: f.iloc[0:0], "no rows"),
    ],
)
def test_a_bad_prediction_input_is_refused_before_anyone_pays(mutate, expected):
    frame = _frame(12, 3).drop(columns="label")
    with pytest.raises(PredictionError, match=expected):
        encode_input(_csv(mutate(frame)), SCHEMA)


@pytest.mark.slow
def test_an_epoch_with_a_category_feature_is_valued_and_the_site_counts(tmp_path):
    storage = EmbeddedStorage(tmp_path / "ipfs")
    anchor, validation = _frame(80, 10), _frame(300, 11)
    recipe = Recipe(
        schema=SCHEMA,
        model_allow_list=("logistic_regression", "gaussian_nb"),
        emission=1_000 * ETHER,
        data_pool_bps=7_000,
        slash_cap_bps=2_000,
        anchor_cid=storage.add(_csv(anchor)),
        validation_commitment="0x" + keccak(_csv(validation)).hex(),
    ).validate()
    recipe_cid = storage.add(recipe.to_json())
    specs = [{"estimator": "logistic_regression", "params": {}}, {"estimator": "gaussian_nb", "params": {}}]
    contents = [(0, _csv(_frame(150, seed))) for seed in (20, 21, 22)]
    contents += [(1, json.dumps(spec).encode()) for spec in specs]
    contributions = [
        Contribution(i + 1, f"0x{i + 1:040x}", kind, 1, storage.add(content), ETHER // 10)
        for i, (kind, content) in enumerate(contents)
    ]
    valuation = value_epoch(storage, 1, recipe_cid, recipe, contributions, _csv(validation))
    assert not valuation.report.rejected
    assert valuation.metamodel.base_models_[0].n_features_in_ == 2 + len(SITES) + 1
    assert valuation.data_result.values.sum() > 0
    # The site carries signal: the metamodel does better with it than with the numbers alone.
    validation_X = encode_features(load_dataset(_csv(validation), SCHEMA).features, SCHEMA)
    without_site = validation_X.copy()
    without_site[:, 2:6] = validation_X[:, 2:6].mean(axis=0)
    y = validation["label"].astype(str).to_numpy()
    assert valuation.metamodel.neg_loss(validation_X, y) > valuation.metamodel.neg_loss(without_site, y)
