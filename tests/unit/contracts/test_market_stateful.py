"""PredictionMarket fund accounting over random sequences (hypothesis on titanoboa).

Requests by plain accounts and by a contract that accepts ETH only when it chooses; fulfilments,
refusals with every reason, refunds, price changes and time, in any order. After every step:
- `open_fees` = the fees of the OPEN and REFUSED requests = the market's balance (no ETH lost, none
  stuck, nothing paid twice);
- every request's status is the model's, and every requester received exactly the fees it was
  refunded; the share holders received exactly the fulfilled fees;
- every refused call reverts with its reason and changes nothing."""

from __future__ import annotations

import os
from pathlib import Path

import boa
from eth_abi import encode
from eth_utils import keccak
from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

ROOT = Path(__file__).resolve().parents[3]
ETHER = 10**18
DEADLINE = 600
# 20 keeps `make test` inside its time budget; `python -m bench.fuzz` makes the deep runs.
EXAMPLES = int(os.environ.get("HYPOTHESIS_EXAMPLES", 20))
OPEN, FULFILLED, REFUNDED, REFUSED = range(4)
CID = "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH"

ADMIN = boa.env.generate_address("admin")
OPERATOR = boa.env.generate_address("operator")
CLIENTS = [boa.env.generate_address(f"client{i}") for i in range(2)]
for _account in (ADMIN, OPERATOR, *CLIENTS):
    boa.env.set_balance(_account, 10**30)
with boa.env.prank(ADMIN):
    STABLE = boa.load(str(ROOT / "tests/unit/contracts/doubles/PlainERC20.vy"))
    SHARES = boa.load(str(ROOT / "contracts/ShareToken.vy"), "S", "S", STABLE.address, "S", "1")
    SHARES.set_minter(ADMIN)
    SHARES.set_epoch_mint_limits(10_000, 10**9 * ETHER)
    SHARES.mint(ADMIN, 100 * ETHER, 1)
    MARKET = boa.load(
        str(ROOT / "contracts/PredictionMarket.vy"), SHARES.address, OPERATOR, ETHER // 100, DEADLINE
    )
    FUSSY = boa.load(str(ROOT / "tests/unit/contracts/doubles/FussyRequester.vy"))
REQUESTERS = [*CLIENTS, FUSSY.address]


def _call(signature: str, types: list[str], values: list) -> bytes:
    return keccak(text=signature)[:4] + encode(types, values)


class MarketMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self._anchor = boa.env.anchor()
        self._anchor.__enter__()
        self.requests: list[dict] = []  # index i is request id i + 1
        self.received = dict.fromkeys(REQUESTERS, 0)  # refunds each requester got
        self.start = {r: boa.env.get_balance(r) for r in REQUESTERS}
        self.paid = dict.fromkeys(REQUESTERS, 0)  # fees each account paid (client 0 pays the contract's)
        self.to_holders = SHARES.total_distributed_eth()
        self.price = MARKET.price()

    def _pick(self, index: int) -> int:
        return index % len(self.requests) + 1 if self.requests else 1

    @rule(who=st.integers(0, len(REQUESTERS) - 1), exact=st.booleans())
    def request(self, who, exact):
        requester, fee = REQUESTERS[who], self.price if exact else self.price + 1
        if not exact:
            with boa.reverts("market: fee must equal the price"), boa.env.prank(CLIENTS[0]):
                MARKET.request(CID, value=fee)
            return
        if requester == FUSSY.address:  # client 0 pays; the contract forwards the fee and is the requester
            with boa.env.prank(CLIENTS[0]):
                FUSSY.act(MARKET.address, _call("request(string)", ["string"], [CID]), value=fee)
            self.paid[CLIENTS[0]] += fee
        else:
            with boa.env.prank(requester):
                MARKET.request(CID, value=fee)
            self.paid[requester] += fee
        deadline = boa.env.evm.patch.timestamp + DEADLINE
        self.requests.append({"requester": requester, "fee": fee, "deadline": deadline, "status": OPEN})

    @rule(index=st.integers(0, 50))
    def fulfill(self, index):
        request_id = self._pick(index)
        record = self.requests[request_id - 1] if self.requests else None
        expected = self._closed_reason(record)
        if expected is None and boa.env.evm.patch.timestamp > record["deadline"]:
            expected = "market: deadline passed"
        if expected:
            with boa.reverts(expected), boa.env.prank(OPERATOR):
                MARKET.fulfill(request_id, CID)
            return
        with boa.env.prank(OPERATOR):
            MARKET.fulfill(request_id, CID)
        record["status"] = FULFILLED
        self.to_holders += record["fee"]

    @rule(index=st.integers(0, 50), reason=st.integers(0, 7))
    def refuse(self, index, reason):
        request_id = self._pick(index)
        record = self.requests[request_id - 1] if self.requests else None
        expected = "market: unknown refusal reason" if not 1 <= reason <= 5 else self._closed_reason(record)
        if expected:
            with boa.reverts(expected), boa.env.prank(OPERATOR):
                MARKET.refuse(request_id, reason)
            return
        with boa.env.prank(OPERATOR):
            MARKET.refuse(request_id, reason)
        if record["requester"] == FUSSY.address and not FUSSY.accepting():
            event("refusal with the refund left owed")
            record["status"] = REFUSED
        else:
            record["status"] = REFUNDED
            self.received[record["requester"]] += record["fee"]

    @rule(index=st.integers(0, 50))
    def refund(self, index):
        request_id = self._pick(index)
        if not self.requests:
            return
        record = self.requests[request_id - 1]
        requester, status = record["requester"], record["status"]
        expected = None
        if status == FULFILLED:
            expected = "market: already fulfilled"
        elif status == REFUNDED:
            expected = "market: already refunded"
        elif status == OPEN and boa.env.evm.patch.timestamp <= record["deadline"]:
            expected = "market: deadline not passed"
        elif requester == FUSSY.address and not FUSSY.accepting():
            expected = "requester: no ETH accepted"
        if requester == FUSSY.address:
            data = _call("refund(uint256)", ["uint256"], [request_id])
            if expected:
                with boa.reverts(), boa.env.prank(CLIENTS[0]):
                    FUSSY.act(MARKET.address, data)
                return
            with boa.env.prank(CLIENTS[0]):
                FUSSY.act(MARKET.address, data)
        else:
            if expected:
                with boa.reverts(expected), boa.env.prank(requester):
                    MARKET.refund(request_id)
                return
            with boa.env.prank(requester):
                MARKET.refund(request_id)
        event("refund" + (" of a refusal" if status == REFUSED else " after the deadline"))
        record["status"] = REFUNDED
        self.received[requester] += record["fee"]

    @rule(index=st.integers(0, 50), stranger=st.booleans())
    def refund_by_someone_else(self, index, stranger):
        if not self.requests:
            return
        request_id = self._pick(index)
        other = CLIENTS[1] if self.requests[request_id - 1]["requester"] == CLIENTS[0] else CLIENTS[0]
        with boa.reverts("market: not the requester"), boa.env.prank(other):
            MARKET.refund(request_id)

    @rule(accepting=st.booleans())
    def fussy_accepts(self, accepting):
        FUSSY.set_accepting(accepting)

    @rule(seconds=st.sampled_from([1, DEADLINE // 2, DEADLINE, DEADLINE + 1]))
    def advance(self, seconds):
        boa.env.time_travel(seconds=seconds)

    @rule(price=st.sampled_from([0, 1, ETHER // 100, 2**96 - 1, 2**96]))
    def set_price(self, price):
        if price >= 2**96:
            with boa.reverts("market: price too large"), boa.env.prank(ADMIN):
                MARKET.set_price(price)
            return
        with boa.env.prank(ADMIN):
            MARKET.set_price(price)
        self.price = price

    def _closed_reason(self, record) -> str | None:
        if record is None:
            return "market: unknown request"
        return {
            OPEN: None,
            FULFILLED: "market: already fulfilled",
            REFUNDED: "market: already refunded",
            REFUSED: "market: already refused",
        }[record["status"]]

    @invariant()
    def funds_balance(self):
        owed = sum(r["fee"] for r in self.requests if r["status"] in (OPEN, REFUSED))
        assert MARKET.open_fees() == owed == boa.env.get_balance(MARKET.address)
        assert MARKET.request_count() == len(self.requests)
        assert SHARES.total_distributed_eth() == self.to_holders
        for requester in REQUESTERS:
            balance = boa.env.get_balance(requester)
            assert balance == self.start[requester] - self.paid[requester] + self.received[requester]
        for request_id in {len(self.requests), min(1, len(self.requests))}:
            if request_id:
                record, chain = self.requests[request_id - 1], MARKET.requests(request_id)
                assert (chain.requester, chain.fee, chain.deadline, chain.status) == (
                    record["requester"],
                    record["fee"],
                    record["deadline"],
                    record["status"],
                )

    def teardown(self):
        for request_id, record in enumerate(self.requests, start=1):
            assert MARKET.requests(request_id).status == record["status"]
        self._anchor.__exit__(None, None, None)


MarketMachine.TestCase.settings = settings(
    max_examples=EXAMPLES, stateful_step_count=40, deadline=None, database=None
)
TestMarketAccounting = MarketMachine.TestCase
