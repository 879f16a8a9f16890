"""`dao serve` never stops (issue 16): each request is handled on its own. A request whose input
is unreadable, oversized or not fetchable is refused on-chain, so its client gets the fee back at
once instead of after the deadline; an expired request or a refused fulfil is skipped; every other
request is answered. New requests come from events after a saved cursor, not from reading every
request ever made."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

import dao.market.predictions as predictions
from dao.chain.enums import RefusalReason, RequestStatus
from dao.data.recipe import DataSchema
from dao.errors import DaoError
from dao.market.predictions import Fulfilled, Refused, Skipped, serve_requests
from dao.storage import EmbeddedStorage

SCHEMA = DataSchema(features=(("a", "float64"), ("b", "float64")), target="y", task="regression")
GOOD = b"a,b\n1,2\n3,4\n"


class _Refused(Exception):
    pass


class _Market:
    """The market's interface as the serving loop uses it (`requests`, `fulfill`, `refuse`, events)."""

    def __init__(self, inputs: list[str], deadlines: list[int], refuse: set[int] = frozenset()):
        self.records = {
            i + 1: SimpleNamespace(deadline=deadline, status=RequestStatus.OPEN)
            for i, deadline in enumerate(deadlines)
        }
        self.cids = {i + 1: cid for i, cid in enumerate(inputs)}
        self.blocks = {i + 1: 10 + i for i in range(len(inputs))}  # request id -> block of its event
        self.refuse_fulfil, self.reads, self.refusals = refuse, [], {}
        market = self

        class _Events:
            def range(self, start, stop):
                return [
                    SimpleNamespace(id=i, input_cid=market.cids[i])
                    for i, block in market.blocks.items()
                    if start <= block < stop
                ]

        self.PredictionRequested = _Events()
        self.address = "0xmarket"

    def requests(self, request_id):
        self.reads.append(request_id)
        return self.records[request_id]

    def fulfill(self, request_id, output_cid, sender):
        if request_id in self.refuse_fulfil:
            raise DaoError("market: deadline passed")
        self.records[request_id].status = RequestStatus.FULFILLED
        return SimpleNamespace(txn_hash=f"0xtx{request_id}")

    def refuse(self, request_id, reason, sender):
        self.records[request_id].status = RequestStatus.REFUNDED
        self.refusals[request_id] = RefusalReason(reason)
        return SimpleNamespace(txn_hash=f"0xrefuse{request_id}")


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


def test_bad_requests_are_refused_and_every_other_request_is_answered(serving):
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
    refused = {s.id: s for s in skipped if isinstance(s, Refused)}
    assert market.refusals == {
        2: RefusalReason.INVALID_INPUT,
        3: RefusalReason.INPUT_TOO_LARGE,
        4: RefusalReason.INPUT_UNAVAILABLE,
    }
    assert {i: r.code for i, r in refused.items()} == market.refusals
    assert "column names repeat" in refused[2].reason and "larger than" in refused[3].reason
    others = {s.id: s.reason for s in skipped if not isinstance(s, Refused)}
    assert sorted(others) == [5, 6] and "deadline" in others[5] and "fulfil refused" in others[6]
    assert all(isinstance(s, Skipped | Refused) and len(s.reason) <= 300 for s in skipped)


def test_new_requests_are_found_after_the_saved_cursor(serving, tmp_path):
    storage, serve = serving
    cursor = tmp_path / "cursor.json"
    market = _Market([storage.add(GOOD), storage.add(GOOD)], [1_000, 1_000])
    market.blocks = {1: 10, 2: 10}
    answered, _ = serve(market, _Chain(height=20, now=500), cursor_file=cursor)
    assert [a.id for a in answered] == [1, 2]
    # A third request in a later block: the next pass reads only it, not requests 1 and 2 again.
    market.records[3] = SimpleNamespace(deadline=1_000, status=RequestStatus.OPEN)
    market.cids[3], market.blocks[3] = storage.add(GOOD), 25
    market.reads.clear()
    answered, _ = serve(market, _Chain(height=30, now=500), cursor_file=cursor)
    assert [a.id for a in answered] == [3] and market.reads == [3]


def test_a_request_whose_storage_is_down_waits_for_the_next_pass(serving, tmp_path, monkeypatch):
    """The operator's own store failing is not the client's fault: no refusal, a retry."""
    storage, serve = serving
    cursor = tmp_path / "cursor.json"
    market = _Market([storage.add(GOOD)], [1_000])
    real_open = storage.open

    def down(cid, max_bytes=None):
        raise predictions.StorageUnavailable("no IPFS daemon answers")

    monkeypatch.setattr(storage, "open", down)
    answered, skipped = serve(market, _Chain(height=20, now=500), cursor_file=cursor)
    assert answered == [] and skipped == [] and market.refusals == {}
    monkeypatch.setattr(storage, "open", real_open)
    answered, _ = serve(market, _Chain(height=21, now=500), cursor_file=cursor)
    assert [a.id for a in answered] == [1]


def test_a_bad_request_on_the_real_market_is_refunded_at_once(serving, project, accounts, chain):
    """The real contract: the client of an unreadable input has its fee back right after the
    operator's pass, long before the deadline; a good request's fee becomes dividends."""
    storage, _ = serving
    owner, operator, client, holder = accounts[0], accounts[1], accounts[5], accounts[2]
    price, deadline = 10**15, 3_600
    stable = project.DemoStablecoin.deploy(sender=owner)
    shares = project.ShareToken.deploy("S", "S", stable, "S", "1", sender=owner)
    shares.set_minter(owner, sender=owner)
    shares.set_epoch_mint_limits(0, 10**30, sender=owner)
    shares.mint(holder, 10**20, 1, sender=owner)
    market = project.PredictionMarket.deploy(shares, operator, price, deadline, sender=owner)
    start = chain.blocks.height
    market.request(storage.add(b"a,b,a\n1,2,3\n"), value=price, sender=client)
    market.request(storage.add(GOOD), value=price, sender=client)
    before = client.balance
    dao = SimpleNamespace(market=market, deployment=SimpleNamespace(block=start))
    skipped: list = []
    answered = serve_requests(dao, storage, operator, _Metamodel(), skipped=skipped, chain=chain)
    assert [a.id for a in answered] == [2]
    assert [(s.id, s.code) for s in skipped] == [(1, RefusalReason.INVALID_INPUT)]
    assert client.balance == before + price  # at once: no time has passed, the deadline is an hour away
    assert market.requests(1).status == RequestStatus.REFUNDED
    assert market.requests(2).status == RequestStatus.FULFILLED
    assert market.open_fees() == 0 and market.balance == 0
    assert shares.withdrawable_dividends(holder)[0] == pytest.approx(price, abs=1)
