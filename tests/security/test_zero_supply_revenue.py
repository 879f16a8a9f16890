"""Finding 5: revenue held while no share exists must not go to the first claimant.

The attack on main f357bc8: prediction fees and a 2 ETH slash of epoch 1 arrive while the share
supply is 0 (before anyone claimed the epoch's shares); the token holds them and folds them into the
first mint, so the 1% holder who claims first takes all 2.003 ETH and the 99% holder gets nothing.
Now the epoch's allocation exists from `finalize` on (held by the token until claimed): held revenue
is folded right after it and slashes after finality are shared over it, pro rata, whoever claims first.
"""

from __future__ import annotations

from tests.security.share_fixtures import ETHER, REPORT_CID, advance, register, settle, wired

BIG, SMALL = 990_000 * ETHER, 10_000 * ETHER  # 99% and 1% of epoch 1
SLASH = 2 * ETHER
REQUESTS = 3


def _scenario(project, accounts, chain):
    operator, whale, minnow, staker, client = accounts[1], accounts[2], accounts[3], accounts[4], accounts[5]
    dao = wired(project, accounts)
    contribution = register(dao, staker, 10 * ETHER)
    fees = 0
    for request in range(1, REQUESTS + 1):  # fees paid for predictions before any share exists
        price = int(dao.market.price())
        dao.market.request("QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH", value=price, sender=client)
        dao.market.fulfill(request, REPORT_CID, sender=operator)
        fees += price
    assert dao.shares.totalSupply() == 0 and dao.shares.undistributed_eth() == fees
    mints = [(whale.address, BIG), (minnow.address, SMALL)]
    settled, stree = settle(dao, chain, operator, mints, [(contribution, SLASH)])
    dao.settlement.execute_slash(1, contribution, SLASH, stree.proof(0), sender=minnow)
    return dao, settled, whale, minnow, fees + SLASH


def _dividends_after_claiming(dao, settled, holder, index) -> int:
    settled.claim(index, holder)
    eth, _ = dao.shares.withdrawable_dividends(holder)
    if eth:
        dao.shares.claim(sender=holder)
    return int(dao.shares.withdrawn_dividends(holder)[0])


def test_the_first_small_claimant_takes_only_its_share_of_revenue_held_at_zero_supply(
    project, accounts, chain
):
    dao, settled, whale, minnow, revenue = _scenario(project, accounts, chain)
    assert revenue == 2_003 * ETHER // 1_000
    # The 1% holder races to claim first and withdraws at once.
    minnow_got = _dividends_after_claiming(dao, settled, minnow, 1)
    assert minnow_got <= revenue // 100, f"the 1% claimant took {minnow_got / ETHER} ETH of {revenue / ETHER}"
    assert revenue // 100 - minnow_got <= 2  # one wei per distribution at most
    advance(chain, 7 * 24 * 3600)  # the 99% holder claims a week later: nothing of its share is gone
    whale_got = _dividends_after_claiming(dao, settled, whale, 0)
    assert revenue * 99 // 100 - 2 <= whale_got <= revenue * 99 // 100
    # Nothing is owed to anybody any more, and nothing was paid twice.
    assert whale_got + minnow_got <= revenue
    assert dao.shares.undistributed_eth() == 0


def test_claim_order_does_not_change_the_split_of_held_revenue(project, accounts, chain):
    dao, settled, whale, minnow, revenue = _scenario(project, accounts, chain)
    whale_got = _dividends_after_claiming(dao, settled, whale, 0)
    minnow_got = _dividends_after_claiming(dao, settled, minnow, 1)
    assert revenue * 99 // 100 - 2 <= whale_got <= revenue * 99 // 100
    assert revenue // 100 - 2 <= minnow_got <= revenue // 100
