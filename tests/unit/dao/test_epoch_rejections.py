"""One contribution cannot stop an epoch: data sets and model specs that pass intake but that the
metamodel cannot train on are rejected on their own, with the reason, and the epoch is valued."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from eth_utils import keccak

from dao.data.recipe import DataSchema, Recipe
from dao.epoch.valuation import Contribution, reject_unusable_labels, value_epoch
from dao.storage import EmbeddedStorage

ETHER = 10**18


def _csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode()


def _rows(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=n), rng.normal(size=n)
    return pd.DataFrame({"a": a, "b": b, "y": (a + b > 0).astype(int)})


def _with_class_2(frame: pd.DataFrame, rows: int) -> pd.DataFrame:
    frame = frame.copy()
    frame.loc[frame.index[:rows], "y"] = 2
    return frame


def _value(tmp_path, extra: list[tuple[int, bytes]], anchor: pd.DataFrame | None = None):
    storage = EmbeddedStorage(tmp_path / "ipfs")
    validation = _csv(_rows(200, 1))
    recipe = Recipe(
        schema=DataSchema(features=(("a", "float64"), ("b", "float64")), target="y"),
        model_allow_list=("gaussian_nb", "k_neighbors", "logistic_regression"),
        emission=ETHER,
        data_pool_bps=7_000,
        slash_cap_bps=2_000,
        anchor_cid=storage.add(_csv(_rows(20, 0) if anchor is None else anchor)),
        validation_commitment="0x" + keccak(validation).hex(),
    ).validate()
    contents = [(0, _csv(_rows(100, 2))), (0, _csv(_rows(100, 3)))]
    contents += [(1, b'{"estimator": "logistic_regression"}'), (1, b'{"estimator": "gaussian_nb"}'), *extra]
    contributions = [
        Contribution(i + 1, f"0x{i + 1:040x}", kind, 1, storage.add(content), ETHER // 10)
        for i, (kind, content) in enumerate(contents)
    ]
    return value_epoch(storage, 1, storage.add(recipe.to_json()), recipe, contributions, validation)


@pytest.mark.slow
def test_a_model_that_fails_on_the_data_rejects_its_spec_alone(tmp_path):
    # Valid parameters, but 200 neighbours are more than a training fold's 160 rows.
    valuation = _value(tmp_path, [(1, b'{"estimator": "k_neighbors", "params": {"n_neighbors": 200}}')])
    assert list(valuation.report.rejected) == ["5"]
    assert valuation.report.rejected["5"].startswith(
        "the model could not be trained on this epoch's data: "
        "ValueError: Expected n_neighbors <= n_samples_fit"
    )
    assert len(valuation.model_result.values) == 2 and len(valuation.metamodel.base_models_) == 2


def _new_label(frame: pd.DataFrame) -> pd.DataFrame:
    frame.loc[[0, 1], "y"] = 7  # two rows of a new class: fewer than the 5 folds
    return frame


def _huge_values(frame: pd.DataFrame) -> pd.DataFrame:
    frame.loc[[0, 1, 2], "a"] = 1e300  # squared, they overflow the base models' sums into NaN
    return frame


@pytest.mark.slow
@pytest.mark.parametrize(
    ("spoil", "reason"),
    [
        (_new_label, "labels ['7'] are not among the anchor set's classes ['0', '1']"),
        (
            _huge_values,
            "columns ['a'] have values more than 1e+06 of the anchor set's standard deviations from its mean",
        ),
    ],
)
def test_a_data_set_the_epoch_cannot_train_on_is_rejected_alone(tmp_path, spoil, reason):
    valuation = _value(tmp_path, [(0, _csv(spoil(_rows(40, 6))))])
    assert valuation.report.rejected == {"5": reason}
    assert len(valuation.data_result.values) == 2


@pytest.mark.slow
def test_a_rejection_that_leaves_a_class_too_rare_rejects_its_other_holders_too(tmp_path):
    # Class 2 has 6 rows in all, 3 of them in a data set rejected for its values: 3 are too few.
    holder = _with_class_2(_rows(40, 8), 3)
    far = _with_class_2(_rows(40, 9), 3)
    far.loc[far.index[-1], "b"] = 1e300
    valuation = _value(tmp_path, [(0, _csv(holder)), (0, _csv(far))], anchor=_with_class_2(_rows(20, 0), 2))
    assert valuation.report.rejected["6"].startswith("columns ['b'] have values more than")
    assert valuation.report.rejected["5"].startswith("classes ['2'] have fewer than 5 rows")
    assert len(valuation.data_result.values) == 2


def test_a_class_too_rare_for_the_folds_rejects_the_data_sets_holding_it():
    data = [
        (Contribution(1, "0x1", 0, 1, "c1", 1), np.array(["0"] * 6 + ["1"] * 6 + ["2"] * 2)),
        (Contribution(2, "0x2", 0, 1, "c2", 1), np.array(["0"] * 6 + ["1"] * 6 + ["2"] * 2)),
        (Contribution(3, "0x3", 0, 1, "c3", 1), np.array(["0"] * 6 + ["1"] * 6)),
        (Contribution(4, "0x4", 0, 1, "c4", 1), np.array(["0"] * 3 + ["1"] * 1)),
    ]
    rejected: dict[int, str] = {}
    kept = reject_unusable_labels(data, np.array(["0", "1", "2"]), 5, rejected)
    # Class 2 has 4 rows in all: its holders go. Then class 1 is fine (6 + 1 rows), and so is 0.
    assert [c.id for c, _ in kept] == [3, 4]
    assert (
        rejected[1]
        == rejected[2]
        == (
            "classes ['2'] have fewer than 5 rows across all data sets: too few for the metamodel's 5-fold "
            "cross-fitting"
        )
    )
    assert set(rejected) == {1, 2}


def test_a_contributor_learns_before_staking_what_the_epoch_would_reject():
    from dao.data.datasets import load_dataset
    from dao.data.recipe import single_model_recipe
    from dao.holders.contribute import ContributionRefused, check_artifact

    recipe = replace(
        single_model_recipe("Qm" + "a" * 44, ETHER),
        schema=DataSchema(features=(("a", "float64"), ("b", "float64")), target="y"),
    ).validate()
    anchor = load_dataset(_csv(_rows(20, 0)), recipe.schema, "anchor set")
    assert check_artifact("data", _csv(_rows(30, 4)), recipe, anchor) == "30 rows, 2 features"
    novel = _rows(30, 5)
    novel.loc[[0, 1], "y"] = 7
    with pytest.raises(ContributionRefused, match="would be rejected: labels \\['7'\\] are not among"):
        check_artifact("data", _csv(novel), recipe, anchor)
    huge = _rows(30, 6)
    huge.loc[0, "b"] = 1e300
    with pytest.raises(
        ContributionRefused, match="would be rejected: columns \\['b'\\] have values more than"
    ):
        check_artifact("data", _csv(huge), recipe, anchor)
    assert check_artifact("data", _csv(novel), recipe) == "30 rows, 2 features"  # no anchor at hand
