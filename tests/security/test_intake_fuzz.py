"""Fuzzing the intake (issue 16): random and mutated CSV, Parquet, JSON specs, sealed blobs and DAG
shapes, fed to the epoch's `check_artifacts` as the operator would; whatever they are, the answer is
an acceptance or a rejection with a capped reason, never an exception."""

from __future__ import annotations

import io
import json
from dataclasses import replace

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nacl.public import PrivateKey

from dao.data.recipe import DataSchema, single_model_recipe
from dao.data.sealing import MARKER, seal
from dao.epoch.valuation import KIND_DATA, KIND_MODEL, MAX_REASON_CHARS, Contribution, check_artifacts
from dao.storage import EmbeddedStorage
from dao.storage.cid import CID
from dao.storage.unixfs import Link, encode_node

SCHEMA = DataSchema(
    features=(("a", "float64"), ("n", "int64"), ("c", "category")),
    target="y",
    categories=(("c", ("p", "q")),),
)
RECIPE = replace(single_model_recipe("Qm" + "a" * 44, 10**18), schema=SCHEMA).validate()
KEY = PrivateKey.generate()
FRAME = pd.DataFrame(
    {"a": [0.5, 1.5, 2.5, 3.5], "n": [1, 2, 3, 4], "c": ["p", "q", "p", "q"], "y": [0, 1, 0, 1]}
)
CSV = FRAME.to_csv(index=False).encode()
_parquet = io.BytesIO()
FRAME.to_parquet(_parquet)
PARQUET = _parquet.getvalue()
SPEC = (
    b'{"spec_version": 1, "estimator": "logistic_regression", "task": "classification", "params": {"C": 1.0}}'
)
FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module")
def storage(tmp_path_factory):
    return EmbeddedStorage(tmp_path_factory.mktemp("fuzz") / "ipfs")


def _intake(storage, kind: int, content: bytes | None = None, cid: str | None = None) -> None:
    cid = cid or storage.add(content)
    contribution = Contribution(1, "0x1", kind, 1, cid, 1)
    data, models, rejected = check_artifacts(storage, RECIPE, [contribution], bytes(KEY))
    assert len(data) + len(models) + len(rejected) == 1
    for reason in rejected.values():
        assert reason and len(reason) <= MAX_REASON_CHARS


def _mutate(base: bytes):
    """Byte flips, insertions, deletions and truncations of `base`."""
    edit = st.tuples(
        st.sampled_from(["flip", "insert", "delete", "truncate"]),
        st.integers(0, len(base)),
        st.binary(min_size=1, max_size=8),
    )

    def apply(edits):
        data = bytearray(base)
        for op, at, payload in edits:
            at = min(at, len(data))
            if op == "flip" and at < len(data):
                data[at] ^= payload[0] or 1
            elif op == "insert":
                data[at:at] = payload
            elif op == "delete":
                del data[at : at + len(payload)]
            else:
                del data[at:]
        return bytes(data)

    return st.lists(edit, min_size=1, max_size=6).map(apply)


@FUZZ
@given(content=st.one_of(st.binary(max_size=400), _mutate(CSV), _mutate(PARQUET)))
def test_random_and_mutated_tables_are_accepted_or_rejected(storage, content):
    _intake(storage, KIND_DATA, content)


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(["estimator", "task", "params", "spec_version", "C", "x"]) | st.text(max_size=5),
            inner,
            max_size=4,
        )
    ),
    max_leaves=20,
)


@FUZZ
@given(
    content=st.one_of(
        _json.map(lambda d: json.dumps(d).encode()),
        st.dictionaries(
            st.sampled_from(["estimator", "task", "params", "spec_version"]), _json, max_size=4
        ).map(lambda d: json.dumps(d).encode()),
        _mutate(SPEC),
    )
)
def test_random_and_mutated_specs_are_accepted_or_rejected(storage, content):
    _intake(storage, KIND_MODEL, content)


@FUZZ
@given(
    content=st.one_of(
        st.binary(max_size=300).map(lambda b: MARKER + b),
        _mutate(seal(CSV, bytes(KEY.public_key))),
        st.binary(max_size=300).map(lambda b: seal(b, bytes(KEY.public_key))),
        _mutate(CSV).map(lambda b: seal(b, bytes(KEY.public_key))),
    ),
    kind=st.sampled_from([KIND_DATA, KIND_MODEL]),
)
def test_sealed_blobs_are_accepted_or_rejected(storage, content, kind):
    _intake(storage, kind, content)


@FUZZ
@given(
    shape=st.lists(
        st.tuples(st.lists(st.integers(0, 30), max_size=200), st.binary(max_size=20), st.integers(0, 2**40)),
        min_size=1,
        max_size=8,
    )
)
def test_random_dag_shapes_are_accepted_or_rejected(storage, shape):
    """Each node links (possibly repeatedly) to earlier ones, with any data and declared size."""
    made: list[tuple[bytes, int]] = []
    for links, data, filesize in shape:
        children = [made[i % len(made)] for i in links] if made else []
        block = encode_node([Link(h, size, size) for h, size in children], data, filesize)
        made.append((storage.put_block(block), len(block)))
    _intake(storage, KIND_DATA, cid=str(CID(0, 0x70, made[-1][0])))
