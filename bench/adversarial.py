"""Every intake attack of issue 16 through the real intake, as the operator meets it:
`python -m bench.adversarial`.

The two training attacks (item 4: a forest of 500 unbounded trees over every feature without
bootstrap, a boosting of 2,000 rounds of 4,096 leaves that never stops early) pass intake, then meet
the epoch's training budget (`reject_over_budget`) on the issue's pool, 200,000 rows of 20 features:
the budget reads the pool's shape only, so they are rejected before anything trains.

The driver builds each attack into an embedded IPFS store (as a contributor would publish it; the
cheap dedup tricks cost the attacker kilobytes of storage), then runs each one in its own process:
the epoch's `check_artifacts` for contributions (one honest data set and spec alongside), the serving
loop's `answer_request` for prediction inputs. The parent reads each child's peak resident set size
from `os.wait4` (that child's own rusage). Prints one JSON object:
{"attacks": {NAME: {"outcome": "rejected", "seconds": s, "peak_rss_mb": m, "reason": ...}}}.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import pyarrow as pa
import pyarrow.parquet as pq

from dao.data.recipe import DataSchema, single_model_recipe
from dao.data.sealing import seal
from dao.storage import EmbeddedStorage
from dao.storage.cid import CID, cid_v0
from dao.storage.unixfs import CHUNK_SIZE, Link, _int_field, _len_field, build_file, encode_node

SCHEMA = DataSchema(features=(("a", "float64"), ("b", "float64")), target="y")
RECIPE = single_model_recipe("Qm" + "a" * 44, 10**18, features=SCHEMA.features)
GOOD_CSV = b"a,b,y\n" + b"".join(f"{i},{i % 7},{i % 2}\n".encode() for i in range(40))
GOOD_SPEC = b'{"estimator": "logistic_regression"}'
TRAIN_FEATURES = tuple((f"x{i}", "float64") for i in range(20))
TRAIN_RECIPE = dataclasses.replace(
    single_model_recipe("Qm" + "a" * 44, 10**18, features=TRAIN_FEATURES),
    model_allow_list=("logistic_regression", "random_forest", "hist_gradient_boosting"),
).validate()
TRAIN_CSV = (",".join(name for name, _ in TRAIN_FEATURES) + ",y\n").encode() + b"".join(
    (",".join(str(i * 20 + j) for j in range(20)) + f",{i % 2}\n").encode() for i in range(40)
)
TRAIN_POOL = (200_000, 20)  # the pool: rows, features
ATTACK_FOREST = (
    b'{"estimator": "random_forest", "params": {"n_estimators": 500, "max_depth": 64, '
    b'"max_features": null, "bootstrap": false}}'
)
ATTACK_BOOSTING = (
    b'{"estimator": "hist_gradient_boosting", "params": {"max_iter": 2000, '
    b'"n_iter_no_change": 1000000000, "max_leaf_nodes": 4096}}'
)
KEY = bytes(range(32))  # a fixed operator key: the bench is reproducible
GiB = 1024**3


def _parquet(table: pa.Table, **kwargs) -> bytes:
    out = io.BytesIO()
    pq.write_table(table, out, **kwargs)
    return out.getvalue()


def _repeated(first: bytes, filler: bytes, size: int):
    """`size` bytes: `first`, then `filler` over and over, as 256 KiB pieces (never held whole)."""
    yield first
    left = size - len(first)
    piece = (filler * (CHUNK_SIZE // len(filler) + 1))[:CHUNK_SIZE]
    while left > 0:
        yield piece[: min(left, CHUNK_SIZE)]
        left -= CHUNK_SIZE


def _add_stream(storage: EmbeddedStorage, pieces) -> str:
    root = None
    for multihash, block in build_file(pieces):
        root = (multihash, block)
        storage.put_block(block)
    return str(cid_v0(root[1]))


def _dag_of(storage: EmbeddedStorage, leaf: bytes, depth: int = 6) -> str:
    block = encode_node([], leaf, len(leaf))
    for _ in range(depth):
        multihash = storage.put_block(block)
        block = encode_node([Link(multihash, len(block), len(leaf))] * 174, b"", 0)
    storage.put_block(block)
    return str(cid_v0(block))


def _plain_labels_parquet(rows: int = 2_000, width: int = 2**20) -> bytes:
    """`rows` rows of one `width`-byte label, plain-encoded (no dictionary), written 100 at a time."""
    out = io.BytesIO()
    schema = pa.schema([("a", pa.float64()), ("b", pa.float64()), ("y", pa.string())])
    with pq.ParquetWriter(out, schema, use_dictionary=False, compression="zstd") as writer:
        for _ in range(rows // 100):
            label = pa.array(["L" * width] * 100)
            writer.write_table(pa.table({"a": [1.0] * 100, "b": [2.0] * 100, "y": label}, schema=schema))
    return out.getvalue()


def _sealed(content: bytes) -> bytes:
    from nacl.public import PrivateKey

    return seal(content, bytes(PrivateKey(KEY).public_key))


def build(storage: EmbeddedStorage) -> dict[str, tuple[str, int, str]]:
    """name -> (where: "epoch" or "serve", kind, CID)."""
    from dao.chain.enums import ContributionKind

    data, model = int(ContributionKind.DATA), int(ContributionKind.MODEL)
    dictionary_label = pa.DictionaryArray.from_arrays(
        pa.array([0] * 50_000, pa.int32()), pa.array(["L" * 2**20])
    )
    deep = b"[" * 100_000 + b"]" * 100_000
    attacks = {
        "spec_task_list": ("epoch", model, storage.add(b'{"estimator": "random_forest", "task": []}')),
        "spec_nested_100k": (
            "epoch",
            model,
            storage.add(b'{"estimator": "ridge", "params": {"alpha": ' + deep + b"}}"),
        ),
        "spec_nested_60kb": ("epoch", model, storage.add(b"[" * 30_000 + b"]" * 30_000)),
        "spec_padded_1gib": (
            "epoch",
            model,
            _add_stream(storage, _repeated(b'{"estimator": "logistic_regression"', b" ", GiB)),
        ),
        "spec_sealed": ("epoch", model, storage.add(_sealed(GOOD_SPEC))),
        "parquet_duplicate_column": (
            "epoch",
            data,
            storage.add(
                _parquet(
                    pa.Table.from_arrays(
                        [pa.array([1.0]), pa.array([2.0]), pa.array([0]), pa.array([3.0])],
                        names=["a", "b", "y", "a"],
                    )
                )
            ),
        ),
        "parquet_1mib_dictionary_label_50k_rows": (
            "epoch",
            data,
            storage.add(
                _parquet(
                    pa.table({"a": [1.0] * 50_000, "b": [2.0] * 50_000, "y": dictionary_label}),
                    compression="zstd",
                )
            ),
        ),
        "parquet_2000_rows_of_1mib_plain_labels": ("epoch", data, storage.add(_plain_labels_parquet())),
        "parquet_6000_junk_columns": (
            "epoch",
            data,
            storage.add(
                _parquet(pa.table({f"junk{i}": [0.0] * 2_000 for i in range(6_000)}), compression="zstd")
            ),
        ),
        "csv_duplicate_column": ("epoch", data, storage.add(b"a,b,y,a\n1,2,0,3\n3,4,1,5\n")),
        "csv_21mb_header": ("epoch", data, storage.add(b"a,b,y," + b"x" * 21_000_000 + b"\n1,2,0,3\n")),
        "csv_dedup_1gib": ("epoch", data, _add_stream(storage, _repeated(b"a,b,y\n", b"1,2,0\n", GiB))),
        "cid_invalid_v0": ("epoch", data, "Qm" + "z" * 44),
        "cid_dag_cbor": ("epoch", data, "bafyreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy"),
        "cid_nobody_has": ("epoch", data, str(cid_v0(b"content nobody ever stored"))),
        "unixfs_directory": (
            "epoch",
            data,
            str(CID(0, 0x70, storage.put_block(_len_field(1, _int_field(1, 1))))),
        ),
        "not_dag_pb_block": ("epoch", model, str(CID(0, 0x70, storage.put_block(b"\xff" * 64)))),
        "empty_leaf_dag_174^6": ("epoch", data, _dag_of(storage, b"")),
        "one_byte_leaf_dag_174^6": ("epoch", data, _dag_of(storage, b"1")),
        "sealed_leaky_values": (
            "epoch",
            data,
            storage.add(_sealed(b"a,b,y,ssn 078-05-1120\n1,2,Jane Doe HIV+,3\n")),
        ),
        "sealed_garbage": ("epoch", data, storage.add(_sealed(os.urandom(5000)))),
        "train_forest_500_unbounded_trees_200k_rows": ("train", model, storage.add(ATTACK_FOREST)),
        "train_boosting_4096_leaves_never_stopping_200k_rows": ("train", model, storage.add(ATTACK_BOOSTING)),
        "predict_duplicate_column": ("serve", 0, storage.add(b"a,b,a\n1,2,3\n")),
        "predict_dedup_1gib": ("serve", 0, _add_stream(storage, _repeated(b"a,b\n", b"1,2\n", GiB))),
        "predict_empty_leaf_dag": ("serve", 0, _dag_of(storage, b"")),
    }
    return attacks


def run_one(store: Path, where: str, kind: int, cid: str) -> dict:
    """One attack in this process: its outcome, reason and seconds."""
    from dao.epoch.valuation import Contribution, check_artifacts, reject_over_budget
    from valuation.budget import PoolShape

    storage = EmbeddedStorage(store)
    started = time.perf_counter()
    if where == "serve":
        from dao.market.predictions import Refused, answer_request

        record = SimpleNamespace(deadline=10**12, status=0)
        refusals = []  # the operator's on-chain refusal, recorded instead of sent
        market = SimpleNamespace(
            requests=lambda _: record,
            refuse=lambda *args, sender: refusals.append(args) or SimpleNamespace(txn_hash="0x"),
        )
        outcome = answer_request(market, storage, SCHEMA, None, None, 1, cid, 0)
        result = ("rejected", outcome.reason) if isinstance(outcome, Refused) else ("accepted", "")
    else:
        recipe = TRAIN_RECIPE if where == "train" else RECIPE
        honest = [(0, TRAIN_CSV if where == "train" else GOOD_CSV), (1, GOOD_SPEC)]
        contributions = [
            Contribution(i + 1, "0x1", k, 1, storage.add(content), 1) for i, (k, content) in enumerate(honest)
        ]
        contributions.append(Contribution(3, "0x2", kind, 1, cid, 1))
        data, models, rejected = check_artifacts(storage, recipe, contributions, KEY)
        if where == "train":  # the epoch's next step, on the pool
            models = reject_over_budget(models, PoolShape(*TRAIN_POOL), recipe, rejected)
        assert [c.id for c, _ in data] == [1] and [c.id for c, _ in models] == [2], "an honest one was lost"
        result = ("rejected", rejected[3]) if 3 in rejected else ("accepted", "")
    return {"outcome": result[0], "seconds": round(time.perf_counter() - started, 3), "reason": result[1]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--one", nargs=4, metavar=("STORE", "WHERE", "KIND", "CID"), help=argparse.SUPPRESS)
    parser.add_argument("--build", metavar="STORE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build:
        print(json.dumps(build(EmbeddedStorage(Path(args.build)))))
        return
    if args.one:
        store, where, kind, cid = args.one
        try:
            print(json.dumps(run_one(Path(store), where, int(kind), cid)))
        except BaseException as exc:  # reported, not hidden: the bench exists to show this never happens
            print(json.dumps({"outcome": f"error: {type(exc).__name__}: {str(exc)[:200]}", "seconds": None}))
        return
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "ipfs"
        # Built in a process of its own: a child's peak RSS counts the parent's pages at fork time.
        built = subprocess.run(
            [sys.executable, "-m", "bench.adversarial", "--build", str(store)],
            capture_output=True,
            text=True,
            check=True,
        )
        attacks = json.loads(built.stdout.strip().splitlines()[-1])
        stored = sum(f.stat().st_size for f in store.rglob("*") if f.is_file())
        for name, (where, kind, cid) in attacks.items():
            process = subprocess.Popen(
                [sys.executable, "-m", "bench.adversarial", "--one", str(store), where, str(kind), cid],
                stdout=subprocess.PIPE,
                text=True,
            )
            output = process.stdout.read()
            _, status, usage = os.wait4(process.pid, 0)
            process.returncode = os.waitstatus_to_exitcode(status)
            try:
                result = json.loads(output.strip().splitlines()[-1])
            except (ValueError, IndexError):
                result = {"outcome": f"error: exit {process.returncode}", "seconds": None}
            result["peak_rss_mb"] = round(usage.ru_maxrss / 1024, 1)
            results[name] = result
    worst = max(results.values(), key=lambda r: r["peak_rss_mb"])["peak_rss_mb"]
    print(
        json.dumps(
            {
                "attacks": results,
                "all_rejected": all(r["outcome"] == "rejected" for r in results.values()),
                "max_peak_rss_mb": worst,
                "max_seconds": max(r["seconds"] or 0 for r in results.values()),
                "attack_store_bytes": stored,
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
