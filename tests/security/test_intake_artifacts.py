"""Attacks on the epoch's intake (issue 16): every per-artifact failure is that artifact's rejection,
whatever breaks, quickly and within bounded memory; only the operator's own faults stop the run."""

from __future__ import annotations

import io
import time

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dao.data.recipe import DataSchema, single_model_recipe
from dao.data.sealing import seal
from dao.epoch.valuation import KIND_DATA, KIND_MODEL, Contribution, EpochError, check_artifacts
from dao.storage import EmbeddedStorage
from dao.storage.cid import CID, cid_v0
from dao.storage.unixfs import Link, _int_field, _len_field, encode_node

SCHEMA = DataSchema(features=(("a", "float64"), ("b", "float64")), target="y")
RECIPE = single_model_recipe("Qm" + "a" * 44, 10**18, features=SCHEMA.features)
GOOD_CSV = b"a,b,y\n" + b"".join(f"{i},{i % 7},{i % 2}\n".encode() for i in range(40))
GOOD_SPEC = b'{"estimator": "logistic_regression"}'


def _parquet(table: pa.Table, **kwargs) -> bytes:
    out = io.BytesIO()
    pq.write_table(table, out, **kwargs)
    return out.getvalue()


def duplicate_column_parquet() -> bytes:
    arrays = [pa.array([1.0, 2.0]), pa.array([3.0, 4.0]), pa.array([0, 1]), pa.array([5.0, 6.0])]
    return _parquet(pa.Table.from_arrays(arrays, names=["a", "b", "y", "a"]))


def huge_label_parquet(rows: int = 50_000) -> bytes:
    """~10 KB on disk: one 1 MiB label, dictionary-encoded, repeated over every row."""
    label = pa.DictionaryArray.from_arrays(pa.array([0] * rows, pa.int32()), pa.array(["L" * 2**20]))
    table = pa.table({"a": pa.array([1.0] * rows), "b": pa.array([2.0] * rows), "y": label})
    return _parquet(table, compression="zstd")


def wide_parquet(columns: int = 6_000, rows: int = 200) -> bytes:
    table = pa.table({f"junk{i}": pa.array([0.0] * rows) for i in range(columns)})
    return _parquet(table, compression="zstd")


def unixfs_directory_block() -> bytes:
    return _len_field(1, _int_field(1, 1))  # UnixFS Data.Type.Directory, no links


def empty_leaf_dag(storage: EmbeddedStorage, depth: int = 6, leaf: bytes = b"") -> str:
    """A DAG of 174^depth links, all to one empty leaf: a few blocks that never yield a byte."""
    block = encode_node([], leaf, len(leaf))
    for _ in range(depth):
        multihash = storage.put_block(block)
        block = encode_node([Link(multihash, len(block), 0)] * 174, b"", 0)
    storage.put_block(block)
    return str(cid_v0(block))


def deep_spec(levels: int = 100_000) -> bytes:
    return b'{"estimator": "logistic_regression", "params": {"C": ' + b"[" * levels + b"]" * levels + b"}}"


def _check(tmp_path, attacks: list[tuple[int, bytes | str]], key: bytes | None = None):
    storage = EmbeddedStorage(tmp_path / "ipfs")
    contents = [(KIND_DATA, GOOD_CSV), (KIND_MODEL, GOOD_SPEC), *attacks]
    contributions = []
    for i, (kind, content) in enumerate(contents):
        if callable(content):
            cid = content(storage)
        elif isinstance(content, str):
            cid = content
        else:
            cid = storage.add(content)
        contributions.append(Contribution(i + 1, f"0x{i + 1:040x}", kind, 1, cid, 1))
    started = time.monotonic()
    data, models, rejected = check_artifacts(storage, RECIPE, contributions, key)
    assert [c.id for c, _ in data] == [1] and [c.id for c, _ in models] == [2]
    assert time.monotonic() - started < 30
    return rejected


ATTACKS = {
    "spec_task_list": (KIND_MODEL, b'{"estimator": "random_forest", "task": []}'),
    "spec_estimator_dict": (KIND_MODEL, b'{"estimator": {}, "task": "classification"}'),
    "spec_deep_nesting": (KIND_MODEL, deep_spec()),
    "spec_padded": (KIND_MODEL, b"{" + b" " * (2**20) + b'"estimator": "logistic_regression"}'),
    "spec_not_utf8": (KIND_MODEL, b'{"estimator": "\xff\xfe"}'),
    "parquet_duplicate_column": (KIND_DATA, duplicate_column_parquet()),
    "parquet_huge_label": (KIND_DATA, huge_label_parquet()),
    "parquet_wide": (KIND_DATA, wide_parquet()),
    "cid_invalid_v0": (KIND_DATA, "Qm" + "z" * 44),
    "cid_dag_cbor": (KIND_DATA, "bafyreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy"),
    "unixfs_directory": (KIND_DATA, lambda s: str(CID(0, 0x70, s.put_block(unixfs_directory_block())))),
    "not_dag_pb": (KIND_MODEL, lambda s: str(CID(0, 0x70, s.put_block(b"\xff\xff\xff")))),
    "empty_leaf_dag": (KIND_DATA, empty_leaf_dag),
    "one_byte_leaf_dag": (KIND_DATA, lambda s: empty_leaf_dag(s, leaf=b"1")),
    "spec_deep_nesting_small": (KIND_MODEL, deep_spec(30_000)),
    "csv_duplicate_column": (KIND_DATA, b"a,b,y,a\n1,2,0,3\n3,4,1,5\n"),
}


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_each_attack_is_that_contribution_s_rejection_alone(tmp_path, name):
    rejected = _check(tmp_path, [ATTACKS[name]])
    assert list(rejected) == [3]
    assert rejected[3] and len(rejected[3]) <= 300


def test_all_attacks_at_once_leave_the_honest_contributions(tmp_path):
    rejected = _check(tmp_path, list(ATTACKS.values()))
    assert sorted(rejected) == list(range(3, 3 + len(ATTACKS)))


def test_an_oversized_spec_and_a_sealed_spec_are_refused(tmp_path):
    from nacl.public import PrivateKey

    key = PrivateKey.generate()
    rejected = _check(
        tmp_path,
        [(KIND_MODEL, GOOD_SPEC + b" " * 70_000), (KIND_MODEL, seal(GOOD_SPEC, bytes(key.public_key)))],
        bytes(key),
    )
    assert "64 KiB" in rejected[3] or "65,536" in rejected[3]
    assert "public" in rejected[4]


def test_a_corrupt_block_of_the_operator_s_own_store_still_stops_the_run(tmp_path):
    storage = EmbeddedStorage(tmp_path / "ipfs")
    cid = storage.add(GOOD_CSV)
    for path in (tmp_path / "ipfs" / "blocks").rglob("*"):
        if path.is_file():
            path.write_bytes(b"damaged")
    with pytest.raises(EpochError, match="nothing was committed"):
        check_artifacts(storage, RECIPE, [Contribution(1, "0x1", KIND_DATA, 1, cid, 1)])


def test_a_sealed_data_set_without_an_operator_key_stops_the_run(tmp_path):
    from nacl.public import PrivateKey

    key = PrivateKey.generate()
    storage = EmbeddedStorage(tmp_path / "ipfs")
    cid = storage.add(seal(GOOD_CSV, bytes(key.public_key)))
    contributions = [Contribution(1, "0x1", KIND_DATA, 1, cid, 1)]
    with pytest.raises(EpochError, match="operator key"):
        check_artifacts(storage, RECIPE, contributions, None)
    with pytest.raises(EpochError, match="32 bytes"):
        check_artifacts(storage, RECIPE, contributions, b"short")


def test_json_depth_is_counted_without_recursion_and_ignores_strings():
    from dao.data.specs import json_depth

    assert json_depth(b'{"a": [1, {"b": "[[[[[[[[[[[["}]}') == 3
    assert json_depth(b'{"a": "\\"}') == 1
    assert json_depth(b"[" * 10**6) == 9  # stops as soon as the limit is passed


@pytest.mark.parametrize(
    "csv", [b"\xef\xbb\xbf" + GOOD_CSV, b"\n\n" + GOOD_CSV, GOOD_CSV.replace(b"\n", b"\r\n")]
)
def test_the_header_check_reads_headers_as_pandas_does(csv):
    from dao.data.datasets import load_dataset

    assert load_dataset(csv, SCHEMA).n_rows == 40
