"""`dao serve` never stops (issue 16): each request is handled on its own, so an unreadable,
oversized or expired request, or a refused fulfil, is skipped and every other request is answered;
new requests come from events after a saved cursor, not from reading every request ever made."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

import dao.market.predictions as predictions
from dao.data.recipe import DataSchema
from dao.errors import DaoError
from dao.market.predictions import Fulfilled, Skipped, serve_requests
from dao.storage import EmbeddedStorage

SCHEMA = DataSchema(features=(("a", "float64"), ("b", "float64")), target="y", task="regression")
GOOD = b"a,b\n1,2\n3,4\n"


class _Refused(Exception):
    pass


class _Market:
    def __init__(self, inputs: list[str], deadlines: list[int], refuse: set[int] = frozenset()):
        self.records = {
            i + 1: SimpleNamespace(input_cid=cid, deadline=deadline, fulfilled=False, refunded=False)
            for i, (cid, deadline) in enumerate(zip(inputs, deadlines, strict=True))
        }
        self.blocks = {i + 1: 10 + i for i in range(len(inputs))}  # request id -> block of its event
        self.refuse, self.reads = refuse, []
        market = self

        class _Events:
            def range(self, start, stop):
                return [SimpleNamespace(id=i) for i, block in market.blocks.items() if start <= block < stop]

        self.PredictionRequested = _Events()
        self.address = "0xmarket"

    def requests(self, request_id):
        self.reads.append(request_id)
        return self.records[request_id]

    def fulfill(self, request_id, output_cid, sender):
        if request_id in self.refuse:
            raise DaoError("market: deadline passed")
        self.records[request_id].fulfilled = True
        return SimpleNamespace(txn_hash=f"0xtx{request_id}")


class _Blocks:
    def __init__(self, height: int):
        self.height = height

    def __getitem__(self, number: int):
        return SimpleNamespace(hash=bytes([number % 256]) * 32)


class _Chain:
    def __init__(self, height: int, now: int):
        self.pending_timestamp = now
        self.blocks = _Blocks(height)


class _Metamodel:
    task = "regression"

    def predict(self, X):
        return np.zeros(len(X))


@pytest.fixture
def serving(tmp_path, monkeypatch):
    storage = EmbeddedStorage(tmp_path / "ipfs")
    monkeypatch.setattr(predictions, "_serving_epoch", lambda dao: 1)
    monkeypatch.setattr(
        predictions, "read_recipe", lambda dao, storage, epoch: ("", SimpleNamespace(schema=SCHEMA))
    )
    monkeypatch.setattr(predictions, "MAX_INPUT_BYTES", 10_000)

    def serve(market, chain, **kwargs):
        dao = SimpleNamespace(market=market, deployment=SimpleNamespace(block=0))
        skipped: list = []
        answered = serve_requests(
            dao, storage, "operator", _Metamodel(), skipped=skipped, chain=chain, **kwargs
        )
        return answered, skipped

    return storage, serve


def test_bad_requests_are_skipped_and_every_other_request_is_answered(serving):
    storage, serve = serving
    inputs = [
        storage.add(GOOD),
        storage.add(b"a,b,a\n1,2,3\n"),  # repeated column
        storage.add(GOOD + b"5,6\n" * 5_000),  # larger than the input limit
        "Qm" + "z" * 44,  # not a CID
        storage.add(GOOD),  # expired
        storage.add(GOOD),  # fulfil refused
        storage.add(GOOD),
    ]
    market = _Market(inputs, [1_000, 1_000, 1_000, 1_000, 10, 1_000, 1_000], refuse={6})
    answered, skipped = serve(market, _Chain(height=30, now=500))
    assert [a.id for a in answered] == [1, 7] and all(isinstance(a, Fulfilled) for a in answered)
    assert sorted(s.id for s in skipped) == [2, 3, 4, 5, 6]
    reasons = {s.id: s.reason for s in skipped}
    assert "column names repeat" in reasons[2] and "larger than" in reasons[3]
    assert "deadline" in reasons[5] and "fulfil refused" in reasons[6]
    assert all(isinstance(s, Skipped) and len(s.reason) <= 300 for s in skipped)


def test_new_requests_are_found_after_the_saved_cursor(serving, tmp_path):
    storage, serve = serving
    cursor = tmp_path / "cursor.json"
    market = _Market([storage.add(GOOD), storage.add(GOOD)], [1_000, 1_000])
    market.blocks = {1: 10, 2: 10}
    answered, _ = serve(market, _Chain(height=20, now=500), cursor_file=cursor)
    assert [a.id for a in answered] == [1, 2]
    # A third request in a later block: the next pass reads only it, not requests 1 and 2 again.
    market.records[3] = SimpleNamespace(
        input_cid=storage.add(GOOD), deadline=1_000, fulfilled=False, refunded=False
    )
    market.blocks[3] = 25
    market.reads.clear()
    answered, _ = serve(market, _Chain(height=30, now=500), cursor_file=cursor)
    assert [a.id for a in answered] == [3] and market.reads == [3]
