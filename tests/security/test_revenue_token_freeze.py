"""Finding 8: a paused or blacklisting revenue token must never freeze ETH dividends.

The attack on main f357bc8: `claim` paid the revenue token and then ETH, all or nothing, so while
the token is paused (or blacklists the holder) the holder's ETH is frozen too; and anyone can give
every holder a dust token entitlement (`distribute_token` of a few units), dragging holders who
never earned any token into the failing transfer. Now ETH and token dividends are claimed
independently (`claim_eth`, `claim_token`), and `claim` pays ETH whatever the token does, keeping
an unpaid token entitlement intact for later.
"""

from __future__ import annotations

import ape
import pytest

from tests.security.share_fixtures import ETHER, settle, wired
from tests.unit.contracts.token_fixtures import double

ALICE, BOB = 700 * ETHER, 300 * ETHER


@pytest.fixture
def system(project, accounts, chain):
    deployer, operator, alice, bob, payer = accounts[0], accounts[1], accounts[2], accounts[3], accounts[6]
    token = double("PausableERC20").deploy(sender=deployer)
    token.mint(payer, 10**9 * ETHER, sender=deployer)
    dao = wired(project, accounts, revenue_token=token.address)
    token.approve(dao.shares.address, 2**256 - 1, sender=payer)
    settled, _ = settle(dao, chain, operator, [(alice.address, ALICE), (bob.address, BOB)])
    settled.claim(0, alice)
    settled.claim(1, bob)
    return dao, token, alice, bob, payer


def test_a_paused_revenue_token_does_not_freeze_eth(system):
    dao, token, alice, bob, payer = system
    dao.shares.distribute_eth(value=ETHER, sender=payer)
    dao.shares.distribute_token(1_000 * ETHER, sender=payer)
    token.set_paused(True, sender=payer)
    eth, owed_token = dao.shares.withdrawable_dividends(alice)
    assert ETHER * 7 // 10 - eth <= 1 and 700 * ETHER - owed_token <= 1
    before = alice.balance
    receipt = dao.shares.claim(sender=alice)  # reverted on f357bc8: "dividends: token transfer failed"
    assert alice.balance == before + eth - receipt.total_fees_paid
    assert dao.shares.withdrawable_dividends(alice) == (0, owed_token)  # the token part waits, intact
    assert dao.shares.total_claimed_token() == 0
    with ape.reverts():
        dao.shares.claim_token(sender=alice)
    token.set_paused(False, sender=payer)
    dao.shares.claim_token(sender=alice)
    assert token.balanceOf(alice) == owed_token
    assert dao.shares.withdrawable_dividends(alice) == (0, 0)


def test_a_blacklisted_holder_still_gets_its_eth_and_others_are_untouched(system):
    dao, token, alice, bob, payer = system
    dao.shares.distribute_eth(value=ETHER, sender=payer)
    dao.shares.distribute_token(1_000 * ETHER, sender=payer)
    token.set_blocked(bob, True, sender=payer)
    eth, owed_token = dao.shares.withdrawable_dividends(bob)
    before = bob.balance
    receipt = dao.shares.claim_eth(sender=bob)
    assert bob.balance == before + eth - receipt.total_fees_paid
    assert dao.shares.withdrawable_dividends(bob) == (0, owed_token)
    dao.shares.claim(sender=alice)
    assert 700 * ETHER - token.balanceOf(alice) <= 1 and dao.shares.withdrawable_dividends(alice) == (0, 0)


def test_a_dust_token_entitlement_blocks_nothing(system, accounts):
    """An attacker spreads 3 units of a paused token: ETH-only holders still claim everything."""
    dao, token, alice, bob, payer = system
    attacker = accounts[7]
    token.mint(attacker, 10, sender=accounts[0])
    token.approve(dao.shares.address, 10, sender=attacker)
    dao.shares.distribute_eth(value=ETHER, sender=payer)
    dao.shares.distribute_token(3, sender=attacker)
    token.set_paused(True, sender=payer)
    for holder, share in ((alice, 7), (bob, 3)):
        eth, dust = dao.shares.withdrawable_dividends(holder)
        assert ETHER * share // 10 - eth <= 1 and dust <= 3
        dao.shares.claim(sender=holder)
        assert dao.shares.withdrawable_dividends(holder) == (0, dust)
    assert ETHER - dao.shares.total_claimed_eth() <= 2
