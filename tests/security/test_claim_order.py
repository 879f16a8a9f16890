"""Claim order: shares allocated but not yet claimed earn from finality; no claim order changes a payout.

The problem on main f357bc8 (seen by an independent web3.py client): an epoch's shares existed only
once claimed, so revenue arriving between `finalize` and a holder's claim went only to those who had
claimed already; holders raced to claim and late claimers lost. Now `finalize` allocates the epoch's
whole mint to a pool held by the share token (in the supply, without votes) and `claim_shares`
releases a leaf's shares together with every dividend they earned since finality.

The hypothesis machine plays random orders of share claims, ETH and token revenue, transfers,
dividend claims and time on the wired system, and checks after every step that each holder's
withdrawable + withdrawn equals the order-free exact entitlement (fractions.Fraction: every share
of the allocation counts from finality) within one wei per distribution, never above it; for a
leaf not yet claimed, what its shares earned in the pool (`release_dividends`) counts as its own.
"""

from __future__ import annotations

from fractions import Fraction

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from tests.security.share_fixtures import ETHER, advance, settle, wired

LEAVES = (500 * ETHER, 300 * ETHER, 200 * ETHER)


def test_a_late_claimer_earns_what_arrived_before_its_claim(project, accounts, chain):
    operator, alice, bob, payer = accounts[1], accounts[2], accounts[3], accounts[6]
    dao = wired(project, accounts)
    settled, _ = settle(dao, chain, operator, [(alice.address, 700 * ETHER), (bob.address, 300 * ETHER)])
    # Committed shares are in the supply from finality on (the supply a quorum is taken from) ...
    assert dao.shares.totalSupply() == 1_000 * ETHER
    chain.mine()
    assert dao.shares.getPastTotalSupply(chain.blocks.height - 1) == 1_000 * ETHER
    # ... but carry no votes until claimed.
    assert dao.shares.getVotes(alice) == 0
    settled.claim(0, alice)
    dao.shares.distribute_eth(value=ETHER, sender=payer)
    advance(chain, 30 * 24 * 3600)
    settled.claim(1, bob)  # a month late
    eth_alice, _ = dao.shares.withdrawable_dividends(alice)
    eth_bob, _ = dao.shares.withdrawable_dividends(bob)
    assert ETHER * 3 // 10 - 1 <= eth_bob <= ETHER * 3 // 10, f"late claimer got {eth_bob / ETHER} ETH"
    assert ETHER * 7 // 10 - 1 <= eth_alice <= ETHER * 7 // 10
    assert dao.shares.getVotes(alice) == 700 * ETHER and dao.shares.getVotes(bob) == 300 * ETHER


def test_random_orders_of_claims_revenue_and_transfers_pay_the_order_free_amounts(project, accounts, chain):
    operator, payer = accounts[1], accounts[6]
    holders = [accounts[2], accounts[3], accounts[4]]
    dao = wired(project, accounts)
    stable = project.DemoStablecoin.at(dao.deployment.addresses["revenue_token"])
    stable.mint(payer, 10**30, sender=accounts[0])
    stable.approve(dao.shares.address, 2**256 - 1, sender=payer)
    settled, _ = settle(dao, chain, operator, [(h.address, a) for h, a in zip(holders, LEAVES, strict=True)])
    shares = dao.shares

    class ClaimOrder(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.snapshot = chain.snapshot()
            self.claimed = [False] * len(holders)
            # every holder's exact entitlement: its balance counts its unclaimed allocation
            self.entitled = {"eth": [Fraction(0)] * len(holders), "token": [Fraction(0)] * len(holders)}
            self.distributions = {"eth": 0, "token": 0}

        def _stake(self, i: int) -> int:
            return int(shares.balanceOf(holders[i])) + (0 if self.claimed[i] else LEAVES[i])

        def _credit(self, asset: str, amount: int) -> None:
            supply = int(shares.totalSupply())
            if amount:
                self.distributions[asset] += 1
            for i in range(len(holders)):
                self.entitled[asset][i] += Fraction(amount * self._stake(i), supply)

        @rule(i=st.integers(0, len(holders) - 1))
        def claim_shares(self, i):
            if self.claimed[i]:
                return
            settled.claim(i, payer)  # anyone may submit
            self.claimed[i] = True

        @rule(value=st.one_of(st.integers(0, 3), st.integers(0, 5 * ETHER)))
        def revenue_eth(self, value):
            shares.distribute_eth(value=value, sender=payer)
            self._credit("eth", value)

        @rule(value=st.one_of(st.integers(0, 3), st.integers(0, 10**6 * ETHER)))
        def revenue_token(self, value):
            shares.distribute_token(value, sender=payer)
            self._credit("token", value)

        @precondition(lambda self: any(self.claimed))
        @rule(
            src=st.integers(0, len(holders) - 1), dst=st.integers(0, len(holders) - 1), part=st.floats(0, 1)
        )
        def transfer(self, src, dst, part):
            balance = int(shares.balanceOf(holders[src]))
            shares.transfer(holders[dst], min(balance, int(balance * part)), sender=holders[src])

        @rule(i=st.integers(0, len(holders) - 1), how=st.sampled_from(["claim", "claim_eth", "claim_token"]))
        def claim_dividends(self, i, how):
            eth, token = shares.withdrawable_dividends(holders[i])
            if (
                (how == "claim" and (eth or token))
                or (how == "claim_eth" and eth)
                or (how == "claim_token" and token)
            ):
                getattr(shares, how)(sender=holders[i])

        @rule(days=st.integers(1, 30))
        def wait(self, days):
            advance(chain, days * 24 * 3600)

        @invariant()
        def payouts_are_order_free(self):
            for i, holder in enumerate(holders):
                owed, paid = shares.withdrawable_dividends(holder), shares.withdrawn_dividends(holder)
                # what an unclaimed leaf earned waits in the pool and comes with the shares
                pending = (0, 0) if self.claimed[i] else shares.release_dividends(1, LEAVES[i])
                for index, asset in enumerate(("eth", "token")):
                    got, exact = owed[index] + paid[index] + pending[index], self.entitled[asset][i]
                    assert got <= exact, f"{asset}: holder {i} overpaid ({got} > {exact})"
                    assert exact - got < 1 + self.distributions[asset], (
                        f"{asset}: holder {i} short by {float(exact - got)}"
                    )

        def teardown(self):
            chain.restore(self.snapshot)

    run_state_machine_as_test(
        ClaimOrder, settings=settings(max_examples=8, stateful_step_count=12, deadline=None, database=None)
    )
