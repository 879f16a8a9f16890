"""Nothing private leaves through the public report (issue 16): reasons are capped, a sealed data
set's reasons never quote its values or column names, and the operator key's absence or damage
stops the run instead of rejecting every private set."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from eth_utils import keccak
from nacl.public import PrivateKey

from dao.data.recipe import DataSchema, Recipe
from dao.data.sealing import seal
from dao.epoch.valuation import (
    KIND_DATA,
    KIND_MODEL,
    MAX_REASON_CHARS,
    Contribution,
    check_artifacts,
    value_epoch,
)
from dao.storage import EmbeddedStorage

ETHER = 10**18
KEY = PrivateKey.generate()
SECRETS = ("Jane Doe", "HIV", "ssn", "078-05-1120")


def _rows(n: int, seed: int, label=None) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=n), rng.normal(size=n)
    frame = pd.DataFrame({"a": a, "b": b, "y": (a + b > 0).astype(int)})
    if label is not None:
        frame["y"] = frame["y"].astype(object)
        frame.loc[frame.index[:10], "y"] = label
    return frame


def _csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode()


def _recipe(storage, validation: bytes) -> Recipe:
    return Recipe(
        schema=DataSchema(features=(("a", "float64"), ("b", "float64")), target="y"),
        model_allow_list=("gaussian_nb", "logistic_regression"),
        emission=ETHER,
        data_pool_bps=7_000,
        slash_cap_bps=2_000,
        anchor_cid=storage.add(_csv(_rows(20, 0))),
        validation_commitment="0x" + keccak(validation).hex(),
    ).validate()


def _contributions(storage, contents):
    return [
        Contribution(i + 1, f"0x{i + 1:040x}", kind, 1, storage.add(content), ETHER // 10)
        for i, (kind, content) in enumerate(contents)
    ]


def _sealed(content: bytes) -> bytes:
    return seal(content, bytes(KEY.public_key))


def test_a_sealed_data_set_s_reasons_never_quote_its_data(tmp_path):
    storage = EmbeddedStorage(tmp_path / "ipfs")
    recipe = _recipe(storage, b"x")
    leaky_column = _rows(30, 4).assign(**{"ssn 078-05-1120": 1})
    leaky_category = _csv(_rows(30, 5)).replace(b"\n1.", b"\nJane Doe HIV+,", 1)
    contents = [(KIND_DATA, _sealed(_csv(leaky_column))), (KIND_DATA, _sealed(leaky_category))]
    _, _, rejected = check_artifacts(storage, recipe, _contributions(storage, contents), bytes(KEY))
    assert sorted(rejected) == [1, 2]
    for reason in rejected.values():
        assert "withheld" in reason and not any(secret in reason for secret in SECRETS)


def test_a_public_reason_is_capped(tmp_path):
    storage = EmbeddedStorage(tmp_path / "ipfs")
    recipe = _recipe(storage, b"x")
    long_header = b"a,b,y," + b",".join(b"c%d" % i + b"x" * 5_000 for i in range(3)) + b"\n1,2,0,3,4,5\n"
    _, _, rejected = check_artifacts(storage, recipe, _contributions(storage, [(KIND_DATA, long_header)]))
    assert rejected[1].startswith("contribution 1 is invalid: unexpected columns")
    assert len(rejected[1]) <= MAX_REASON_CHARS


@pytest.mark.slow
def test_a_sealed_label_the_anchor_lacks_is_rejected_without_quoting_it(tmp_path):
    storage = EmbeddedStorage(tmp_path / "ipfs")
    validation = _csv(_rows(200, 1))
    recipe = _recipe(storage, validation)
    contents = [
        (KIND_DATA, _csv(_rows(100, 2))),
        (KIND_DATA, _csv(_rows(100, 3))),
        (KIND_DATA, _sealed(_csv(_rows(100, 6, label="Jane Doe, HIV+")))),
        (KIND_MODEL, b'{"estimator": "logistic_regression"}'),
        (KIND_MODEL, b'{"estimator": "gaussian_nb"}'),
    ]
    valuation = value_epoch(
        storage,
        1,
        storage.add(recipe.to_json()),
        recipe,
        _contributions(storage, contents),
        validation,
        operator_key=bytes(KEY),
    )
    reason = valuation.report.rejected["3"]
    assert "anchor set lacks" in reason and not any(secret in reason for secret in SECRETS)
