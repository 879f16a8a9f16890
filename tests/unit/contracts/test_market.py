"""PredictionMarket: fees become dividends on fulfilment; unfulfilled requests are refundable once."""

from __future__ import annotations

import ape
import pytest

ETHER = 10**18
PRICE, DEADLINE = ETHER // 1000, 600
OPEN, FULFILLED, REFUNDED, REFUSED = range(4)
INPUT, OUTPUT = (
    "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH",
    "QmfDmsHTywy6L9Ne5RXsj5YumDedfBLMvCvmaxjBoe6w4d",
)


@pytest.fixture
def market_system(project, accounts, stable):
    owner, operator, holder = accounts[0], accounts[1], accounts[2]
    shares = project.ShareToken.deploy("S", "S", stable, "S", "1", sender=owner)
    shares.set_minter(owner, sender=owner)
    shares.set_epoch_mint_limits(0, 10**9 * ETHER, sender=owner)
    shares.mint(holder, 100 * ETHER, 1, sender=owner)
    market = project.PredictionMarket.deploy(shares, operator, PRICE, DEADLINE, sender=owner)
    return shares, market, owner, operator, holder


def test_a_fulfilled_fee_becomes_dividends(market_system, accounts):
    shares, market, owner, operator, holder = market_system
    client = accounts[5]
    market.request(INPUT, value=PRICE, sender=client)
    assert market.open_fees() == PRICE and market.balance == PRICE
    with ape.reverts("market: caller is not the operator"):
        market.fulfill(1, OUTPUT, sender=client)
    market.fulfill(1, OUTPUT, sender=operator)
    assert market.open_fees() == 0 and market.balance == 0
    assert shares.withdrawable_dividends(holder)[0] == pytest.approx(PRICE, abs=1)
    assert market.requests(1).status == FULFILLED
    with ape.reverts("market: already fulfilled"):
        market.fulfill(1, OUTPUT, sender=operator)
    with ape.reverts("market: already fulfilled"):
        market.refund(1, sender=client)


def test_an_unfulfilled_request_is_refunded_once_after_the_deadline(market_system, accounts, chain):
    shares, market, owner, operator, holder = market_system
    client = accounts[5]
    with ape.reverts("market: fee must equal the price"):
        market.request(INPUT, value=PRICE - 1, sender=client)
    with ape.reverts("market: empty input CID"):
        market.request("", value=PRICE, sender=client)
    market.request(INPUT, value=PRICE, sender=client)
    with ape.reverts("market: deadline not passed"):
        market.refund(1, sender=client)
    chain.pending_timestamp += DEADLINE + 1
    chain.mine()
    with ape.reverts("market: deadline passed"):
        market.fulfill(1, OUTPUT, sender=operator)
    with ape.reverts("market: not the requester"):
        market.refund(1, sender=accounts[6])
    before = client.balance
    receipt = market.refund(1, sender=client)
    assert client.balance == before + PRICE - receipt.total_fees_paid
    with ape.reverts("market: already refunded"):
        market.refund(1, sender=client)
    assert market.open_fees() == 0


def test_a_fulfilment_logs_the_output_cid_and_keeps_the_request(market_system, accounts, chain):
    shares, market, owner, operator, holder = market_system
    client = accounts[5]
    receipt = market.request(INPUT, value=PRICE, sender=client)
    requested = receipt.decode_logs(market.PredictionRequested)[0]
    assert requested.input_cid == INPUT and requested.fee == PRICE and requested.id == 1
    with ape.reverts("market: empty output CID"):
        market.fulfill(1, "", sender=operator)
    with ape.reverts("market: unknown request"):
        market.fulfill(2, OUTPUT, sender=operator)
    receipt = market.fulfill(1, OUTPUT, sender=operator)
    assert receipt.decode_logs(market.PredictionFulfilled)[0].output_cid == OUTPUT
    record = market.requests(1)
    assert (record.requester, record.fee, record.status) == (client.address, PRICE, FULFILLED)
    assert record.deadline == requested.deadline
    assert market.request_count() == 1 and market.fulfil_deadline() == DEADLINE


def test_a_refused_request_is_refunded_at_once(market_system, accounts):
    """Issue 16: a request the operator cannot serve is refused on-chain and its fee returns at
    once, not after the deadline."""
    shares, market, owner, operator, holder = market_system
    client = accounts[5]
    market.request(INPUT, value=PRICE, sender=client)
    assert market.balance == PRICE
    with ape.reverts("market: caller is not the operator"):
        market.refuse(1, 1, sender=client)
    for reason in (0, 6, 255):
        with ape.reverts("market: unknown refusal reason"):
            market.refuse(1, reason, sender=operator)
    with ape.reverts("market: unknown request"):
        market.refuse(2, 1, sender=operator)
    before = client.balance
    receipt = market.refuse(1, 2, sender=operator)
    assert client.balance == before + PRICE  # the operator paid the gas; the client got its fee
    refused = receipt.decode_logs(market.RequestRefused)[0]
    assert (refused.id, refused.requester, refused.reason, refused.fee) == (1, client.address, 2, PRICE)
    assert receipt.decode_logs(market.RequestRefunded)[0].fee == PRICE
    assert market.requests(1).status == REFUNDED and market.open_fees() == 0 and market.balance == 0
    assert shares.withdrawable_dividends(holder)[0] == 0
    with ape.reverts("market: already refunded"):
        market.refuse(1, 1, sender=operator)
    with ape.reverts("market: already refunded"):
        market.fulfill(1, OUTPUT, sender=operator)
    with ape.reverts("market: already refunded"):
        market.refund(1, sender=client)


def test_a_refund_the_requester_refuses_stays_claimable(market_system, accounts, project):
    shares, market, owner, operator, holder = market_system
    fussy = _double(project, "FussyRequester").deploy(sender=owner)
    calldata = market.request.as_transaction(INPUT, value=PRICE, sender=owner).data
    fussy.act(market, calldata, value=PRICE, sender=owner)
    receipt = market.refuse(1, 1, sender=operator)  # the push fails; the refusal does not
    assert not receipt.decode_logs(market.RequestRefunded)
    assert market.requests(1).status == REFUSED and market.open_fees() == PRICE == market.balance
    with ape.reverts("market: already refused"):
        market.fulfill(1, OUTPUT, sender=operator)
    with ape.reverts("market: already refused"):
        market.refuse(1, 1, sender=operator)
    fussy.set_accepting(True, sender=owner)
    refund = market.refund.as_transaction(1, sender=owner).data
    fussy.act(market, refund, sender=owner)  # before the deadline: a refused fee is owed at once
    assert fussy.balance == PRICE and market.open_fees() == 0 and market.balance == 0
    assert market.requests(1).status == REFUNDED


def test_other_revenue_in_eth_and_the_revenue_token(market_system, stable, accounts):
    shares, market, owner, operator, holder = market_system
    market.deposit_revenue(value=ETHER, sender=accounts[5])
    stable.mint(accounts[5], 500 * ETHER, sender=owner)
    stable.approve(market, 500 * ETHER, sender=accounts[5])
    market.deposit_revenue_token(500 * ETHER, sender=accounts[5])
    eth, token = shares.withdrawable_dividends(holder)
    assert eth == pytest.approx(ETHER, abs=1) and token == pytest.approx(500 * ETHER, abs=1)
    with ape.reverts("market: nothing deposited"):
        market.deposit_revenue(value=0, sender=accounts[5])


def test_parameters_are_owner_only(market_system, accounts):
    shares, market, owner, operator, holder = market_system
    for call in (
        lambda s: market.set_price(1, sender=s),
        lambda s: market.set_operator(accounts[7], sender=s),
        lambda s: market.set_fulfil_deadline(1, sender=s),
    ):
        with ape.reverts("ownable: caller is not the owner"):
            call(accounts[5])
        call(owner)
    assert market.price() == 1 and market.operator() == accounts[7]
    assert market.fulfil_deadline() == 1
    with ape.reverts("market: price too large"):
        market.set_price(2**96, sender=owner)
    with ape.reverts("market: fulfil deadline too long"):
        market.set_fulfil_deadline(2**32, sender=owner)
    with ape.reverts("market: zero operator"):
        market.set_operator("0x" + "00" * 20, sender=owner)
    assert market.price() == 1 and market.operator() == accounts[7] and market.fulfil_deadline() == 1


def _double(project, name: str):
    from pathlib import Path

    from ape import compilers

    source = (Path(__file__).parent / "doubles" / f"{name}.vy").read_text()
    return compilers.compile_source("vyper", source, project=project, contractName=name)
