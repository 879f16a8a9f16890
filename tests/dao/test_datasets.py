"""Data set intake against a recipe schema, and sealing private data sets to the operator."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from nacl.public import PrivateKey

from dao.datasets import InvalidDataset, load_dataset
from dao.recipe import DataSchema
from dao.sealing import SealingError, is_sealed, load_or_create_operator_key, seal, unseal

SCHEMA = DataSchema(
    features=(("age", "float64"), ("visits", "int64"), ("region", "category")), target="label"
)


def _csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode()


def _good() -> pd.DataFrame:
    return pd.DataFrame(
        {"age": [30.5, 41.0, 29.0], "visits": [1, 4, 2], "region": ["n", "s", "n"], "label": [0, 1, 0]}
    )


def test_a_valid_csv_and_parquet_load_to_the_same_table():
    frame = _good()
    parquet = io.BytesIO()
    frame.to_parquet(parquet)
    from_csv = load_dataset(_csv(frame), SCHEMA)
    from_parquet = load_dataset(parquet.getvalue(), SCHEMA)
    assert from_csv.n_rows == 3 and list(from_csv.features.columns) == ["age", "visits", "region"]
    pd.testing.assert_frame_equal(from_csv.features, from_parquet.features, check_categorical=False)
    assert list(from_csv.target) == ["0", "1", "0"]


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda f: f.drop(columns=["visits"]), "missing columns \\['visits'\\]"),
        (lambda f: f.assign(extra=1), "unexpected columns \\['extra'\\]"),
        (lambda f: f.assign(age=[1.0, np.nan, 2.0]), "column 'age' has 1 NaN values"),
        (lambda f: f.assign(age=[1.0, np.inf, 2.0]), "column 'age' has 1 infinite values"),
        (lambda f: f.assign(visits=["a", 2, 3]), "column 'visits' should be int64 but has 1 non-numeric"),
        (lambda f: f.assign(visits=[1.5, 2, 3]), "column 'visits' should be int64 but has fractional"),
        (lambda f: pd.concat([f, f.iloc[[0]]]), "1 duplicated rows"),
        (lambda f: f.assign(label=[1, 1, 1]), "single class"),
        (lambda f: f.iloc[0:0], "no rows"),
    ],
)
def test_each_problem_is_named(mutate, expected):
    with pytest.raises(InvalidDataset, match=expected):
        load_dataset(_csv(mutate(_good())), SCHEMA)


def test_all_problems_are_reported_at_once():
    frame = _good().assign(age=[1.0, np.nan, 2.0], visits=["x", 1, 2])
    with pytest.raises(InvalidDataset) as info:
        load_dataset(_csv(frame), SCHEMA)
    assert len(info.value.problems) == 2


def test_empty_and_unreadable_files_are_refused():
    with pytest.raises(InvalidDataset, match="empty"):
        load_dataset(b"", SCHEMA)
    with pytest.raises(InvalidDataset, match="cannot be read"):
        load_dataset(b"PAR1 not really parquet PAR1", SCHEMA)


def test_sealed_data_opens_only_with_the_operator_key(tmp_path):
    key = load_or_create_operator_key(tmp_path / "operator.key")
    assert load_or_create_operator_key(tmp_path / "operator.key").encode() == key.encode()
    sealed = seal(b"secret rows", bytes(key.public_key))
    assert is_sealed(sealed) and b"secret rows" not in sealed
    assert unseal(sealed, bytes(key)) == b"secret rows"
    assert unseal(b"public rows", bytes(key)) == b"public rows"
    with pytest.raises(SealingError, match="another key or is damaged"):
        unseal(sealed, bytes(PrivateKey.generate()))
    with pytest.raises(SealingError, match="32-byte"):
        seal(b"x", b"short")
