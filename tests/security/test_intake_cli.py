"""Clear errors instead of tracebacks where contributors, clients and the operator meet bad input:
each function below is what the named command calls, and `dao` prints a DaoError as one line."""

from __future__ import annotations

import sys

import pytest

from dao.data.recipe import DataSchema, single_model_recipe
from dao.errors import DaoError
from dao.holders.contribute import check_artifact
from dao.market.predictions import PredictionError, encode_input

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from test_intake_artifacts import duplicate_column_parquet, huge_label_parquet  # noqa: E402

SCHEMA = DataSchema(features=(("a", "float64"), ("b", "float64")), target="y")
RECIPE = single_model_recipe("Qm" + "a" * 44, 10**18, features=SCHEMA.features)


@pytest.mark.parametrize(
    "spec",
    [
        b'{"estimator": "random_forest", "task": []}',
        b'{"estimator": ["logistic_regression"]}',
        b"[" * 50_000 + b"]" * 50_000,
        b'{"estimator": "logistic_regression"}' + b" " * 70_000,
    ],
)
def test_dao_contribute_model_refuses_a_malformed_spec_with_an_error(spec):
    with pytest.raises(DaoError, match="model spec"):
        check_artifact("model", spec, RECIPE)


@pytest.mark.parametrize("content", [duplicate_column_parquet(), b"a,b,y,y\n1,2,0,1\n"])
def test_dao_contribute_data_refuses_repeated_columns_with_an_error(content):
    with pytest.raises(DaoError, match="column names repeat"):
        check_artifact("data", content, RECIPE)


def _huge_feature_parquet() -> bytes:
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq

    cell = pa.DictionaryArray.from_arrays(pa.array([0] * 20_000, pa.int32()), pa.array(["1" * 2**20]))
    out = io.BytesIO()
    pq.write_table(pa.table({"a": cell, "b": pa.array([1.0] * 20_000)}), out, compression="zstd")
    return out.getvalue()


@pytest.mark.parametrize("content", [duplicate_column_parquet(), b"a,b,a\n1,2,3\n", _huge_feature_parquet()])
def test_dao_predict_refuses_an_unreadable_input_with_an_error(content):
    with pytest.raises(PredictionError):
        encode_input(content, SCHEMA)


def test_a_prediction_input_s_other_columns_are_never_decoded():
    # A 1 MiB label over 2,000 rows is ignored rather than unfolded: only features are read.
    assert encode_input(huge_label_parquet(2_000), SCHEMA).shape == (2_000, 2)


def test_a_prediction_input_decodes_only_the_feature_columns():
    X = encode_input(b"id,a,b,notes\n1,0.5,2,hello\n2,1.5,3,world\n", SCHEMA)
    assert X.shape == (2, 2) and X[1, 0] == 1.5


def test_a_malformed_operator_key_stops_dao_epoch_run_before_anything_is_read(tmp_path, monkeypatch):
    from dao.epoch.cli import _operator_key

    monkeypatch.setattr("dao.paths.state_dir", lambda: tmp_path)
    assert _operator_key() is None
    (tmp_path / "operator.key").write_bytes(b"x" * 31)
    with pytest.raises(DaoError, match="not a 32-byte operator key"):
        _operator_key()
