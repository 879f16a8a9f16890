"""Data set intake against a recipe schema, and sealing private data sets to the operator."""

from __future__ import annotations

import io
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from nacl.public import PrivateKey

from dao.data.datasets import InvalidDataset, load_dataset
from dao.data.recipe import DataSchema
from dao.data.sealing import SealingError, is_sealed, load_or_create_operator_key, seal, unseal

SCHEMA = DataSchema(
    features=(("age", "float64"), ("visits", "int64"), ("region", "category")),
    target="label",
    categories=(("region", ("n", "s", "01", "1")),),
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


# -- streaming: a data set arrives as byte chunks and is parsed a few rows at a time --------------


def _pieces(data: bytes, size: int):
    return [data[i : i + size] for i in range(0, len(data), size)]


def _numbers(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "age": rng.normal(40, 10, n).round(3),
            "visits": rng.integers(0, 9, n),
            "region": rng.choice(["01", "1", "s"], n),
            "label": rng.integers(0, 2, n),
        }
    )


@pytest.fixture
def small_chunks(monkeypatch):
    import dao.data.datasets

    monkeypatch.setattr(dao.data.datasets, "CHUNK_ROWS", 7)


def test_a_data_set_read_in_chunks_equals_the_one_read_whole(small_chunks):
    from dao.data.datasets import stream_dataset, validate_dataset

    frame = _numbers(100)
    whole = validate_dataset(
        pd.read_csv(io.StringIO(frame.to_csv(index=False)), dtype={"region": str}), SCHEMA
    )
    streamed = stream_dataset(_pieces(_csv(frame), 33), SCHEMA)
    pd.testing.assert_frame_equal(streamed.features, whole.features)
    assert list(streamed.target) == list(whole.target)
    # "01" and "1" stay distinct categories whatever each chunk would have inferred on its own.
    assert set(streamed.features["region"].cat.categories) == {"01", "1", "s"}


def test_problems_are_counted_over_every_chunk(small_chunks):
    from dao.data.datasets import stream_dataset

    frame = _numbers(50)
    frame.loc[[3, 20, 41], "age"] = np.nan  # three different chunks of 7 rows
    duplicated = pd.concat([frame, frame.iloc[[2, 45]]])  # copies in later chunks than their originals
    with pytest.raises(InvalidDataset) as info:
        stream_dataset(_pieces(_csv(duplicated), 50), SCHEMA)
    assert info.value.problems == ["column 'age' has 3 NaN values; drop or impute them"]
    with pytest.raises(InvalidDataset, match="^data set is invalid: 2 duplicated rows"):
        stream_dataset(_pieces(_csv(pd.concat([_numbers(50), _numbers(50).iloc[[2, 45]]])), 50), SCHEMA)


def test_size_and_row_limits_stop_reading_early(small_chunks, monkeypatch):
    import dao.data.datasets
    from dao.data.datasets import stream_dataset

    pulled = []

    def source(data: bytes):
        for piece in _pieces(data, 64):
            pulled.append(piece)
            yield piece

    data = _csv(_numbers(500))
    monkeypatch.setattr(dao.data.datasets, "MAX_BYTES", 1_000)
    with pytest.raises(InvalidDataset, match="larger than the 1,000-byte limit"):
        stream_dataset(source(data), SCHEMA)
    assert sum(map(len, pulled)) <= 1_000 + 64

    # The parser reads a few hundred KiB ahead: a 2 MB file shows that reading stops early.
    data = _csv(_numbers(100_000))
    monkeypatch.setattr(dao.data.datasets, "MAX_BYTES", 10**9)
    monkeypatch.setattr(dao.data.datasets, "MAX_ROWS", 30)
    pulled.clear()
    with pytest.raises(InvalidDataset, match="more rows than the 30-row limit"):
        stream_dataset(source(data), SCHEMA)
    assert sum(map(len, pulled)) < len(data) / 2


def test_a_storage_failure_mid_stream_is_not_taken_for_a_bad_file(small_chunks):
    from dao.data.datasets import stream_dataset
    from dao.storage import CorruptBlock

    def failing():
        yield _csv(_numbers(40))[:300]
        raise CorruptBlock("block 2 of the file does not hash to its CID")

    with pytest.raises(CorruptBlock, match="does not hash"):
        stream_dataset(failing(), SCHEMA)


def test_parquet_is_converted_row_group_by_row_group(small_chunks):
    from dao.data.datasets import stream_dataset

    frame = _numbers(60)
    parquet = io.BytesIO()
    frame.to_parquet(parquet, row_group_size=16)
    streamed = stream_dataset(_pieces(parquet.getvalue(), 100), SCHEMA)
    assert streamed.n_rows == 60 and list(streamed.target) == [str(v) for v in frame["label"]]
    np.testing.assert_array_equal(streamed.features["age"].to_numpy(), frame["age"].to_numpy())


def test_a_header_without_rows_and_blank_files(small_chunks):
    from dao.data.datasets import stream_dataset

    with pytest.raises(InvalidDataset, match="no rows"):
        stream_dataset([b"age,visits,", b"region,label\n"], SCHEMA)
    with pytest.raises(InvalidDataset, match="the file is empty"):
        stream_dataset([b"  \n", b"", b"\n\n"], SCHEMA)


class _TrickleStorage:
    """A store that hands content out a few bytes at a time, as a daemon's HTTP stream may."""

    def __init__(self, files: dict[str, bytes]):
        self.files = files

    def open(self, cid: str, max_bytes: int | None = None):
        yield from _pieces(self.files[cid], 3)


def test_the_epoch_recognises_sealed_and_public_data_whatever_the_chunk_size(tmp_path):
    from dao.data.recipe import single_model_recipe
    from dao.epoch.valuation import KIND_DATA, KIND_MODEL, Contribution, check_artifacts

    key = load_or_create_operator_key(tmp_path / "operator.key")
    recipe = replace(single_model_recipe("Qm" + "a" * 44, 10**18), schema=SCHEMA).validate()
    public, private = _csv(_numbers(30, seed=1)), _csv(_numbers(30, seed=2))
    spec = b'{"spec_version": 1, "estimator": "logistic_regression", "task": "classification", "params": {}}'
    storage = _TrickleStorage(
        {"public": public, "sealed": seal(private, bytes(key.public_key)), "spec": spec}
    )
    contributions = [
        Contribution(1, "0x1", KIND_DATA, 1, "public", 1),
        Contribution(2, "0x2", KIND_DATA, 1, "sealed", 1),
        Contribution(3, "0x3", KIND_MODEL, 1, "spec", 1),
    ]
    data, models, rejected = check_artifacts(storage, recipe, contributions, bytes(key))
    assert rejected == {} and [c.id for c, _ in data] == [1, 2] and [c.id for c, _ in models] == [3]
    assert data[1][1].n_rows == 30
    # Without the key the run stops (the operator's fault), instead of rejecting every private set.
    from dao.epoch.valuation import EpochError

    with pytest.raises(EpochError, match="sealed and this run has no operator key"):
        check_artifacts(storage, recipe, contributions, None)
