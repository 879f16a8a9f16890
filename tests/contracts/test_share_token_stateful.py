"""ShareToken invariants over random sequences (hypothesis on titanoboa, ~40x faster than ape).

After every step: supply = sum of balances; votes = balances delegated to each delegate; past
checkpoints never change; per asset held = distributed - claimed and the contract's balance covers
every withdrawable amount; each holder's withdrawable + withdrawn equals its exact rational
entitlement (Fraction) within one wei per distribution and never exceeds it; withdrawn only grows.
"""

from __future__ import annotations

import os
from fractions import Fraction
from pathlib import Path

import boa
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

ROOT = Path(__file__).resolve().parents[2]
ETHER = 10**18
N_HOLDERS = 4
EXAMPLES = int(os.environ.get("HYPOTHESIS_EXAMPLES", 200))

holder = st.integers(0, N_HOLDERS - 1)
amount = st.integers(0, 50 * ETHER)
revenue = st.one_of(st.integers(0, 3), st.integers(0, 5 * ETHER))

# Compile once; each example deploys fresh instances from these blueprints.
STABLE = boa.load_partial(str(ROOT / "contracts/DemoStablecoin.vy"))
SHARES = boa.load_partial(str(ROOT / "contracts/ShareToken.vy"))


class ShareTokenMachine(RuleBasedStateMachine):
    @initialize()
    def deploy(self):
        self.admin = boa.env.generate_address("admin")
        self.payer = boa.env.generate_address("payer")
        self.holders = [boa.env.generate_address(f"holder{i}") for i in range(N_HOLDERS)]
        boa.env.set_balance(self.payer, 10**30)
        with boa.env.prank(self.admin):
            self.stable = STABLE.deploy()
            self.token = SHARES.deploy("S", "S", self.stable.address, "S", "1")
            self.token.set_minter(self.admin)
            self.token.set_epoch_mint_limits(10_000, 10**9 * ETHER)
            self.stable.mint(self.payer, 10**30)
        with boa.env.prank(self.payer):
            self.stable.approve(self.token.address, 2**256 - 1)
        self.epoch = 1
        self.entitled = {asset: [Fraction(0)] * N_HOLDERS for asset in ("eth", "token")}
        self.withdrawn_seen = {asset: [0] * N_HOLDERS for asset in ("eth", "token")}
        self.held = {"eth": 0, "token": 0}
        self.distributions = 0
        self.past: dict[tuple[int, int], int] = {}  # (holder, block) -> votes read then

    # -- model helpers ------------------------------------------------------------------------
    def _balances(self) -> list[int]:
        return [self.token.balanceOf(h) for h in self.holders]

    def _credit(self, asset: str, received: int) -> None:
        supply = self.token.totalSupply()
        if supply == 0:
            self.held[asset] += received
            return
        total = received + self.held[asset]
        self.held[asset] = 0
        if total:
            self.distributions += 1
        for i, balance in enumerate(self._balances()):
            self.entitled[asset][i] += Fraction(total * balance, supply)

    # -- rules ----------------------------------------------------------------------------------
    @rule(to=holder, value=amount)
    def mint(self, to, value):
        if value == 0:
            return
        with boa.env.prank(self.admin):
            self.token.mint(self.holders[to], value, self.epoch)
        # Held revenue is folded into the first distribution after a mint.
        for asset in ("eth", "token"):
            if self.held[asset]:
                pending, self.held[asset] = self.held[asset], 0
                self._credit(asset, pending)

    @rule(src=holder, dst=holder, fraction=st.floats(0, 1))
    def transfer(self, src, dst, fraction):
        value = int(self.token.balanceOf(self.holders[src]) * fraction)
        with boa.env.prank(self.holders[src]):
            self.token.transfer(self.holders[dst], value)

    @rule(src=holder, fraction=st.floats(0, 1))
    def burn(self, src, fraction):
        value = int(self.token.balanceOf(self.holders[src]) * fraction)
        with boa.env.prank(self.holders[src]):
            self.token.burn(value)

    @rule(who=holder, to=st.one_of(holder, st.just(-1)))
    def delegate(self, who, to):
        target = self.holders[to] if to >= 0 else "0x0000000000000000000000000000000000000000"
        with boa.env.prank(self.holders[who]):
            self.token.delegate(target)

    @rule(value=revenue)
    def distribute_eth(self, value):
        with boa.env.prank(self.payer):
            self.token.distribute_eth(value=value)
        self._credit("eth", value)

    @rule(value=revenue)
    def distribute_token(self, value):
        with boa.env.prank(self.payer):
            self.token.distribute_token(value)
        self._credit("token", value)

    @rule(who=holder, keeper=st.booleans())
    def claim(self, who, keeper):
        eth, token = self.token.withdrawable_dividends(self.holders[who])
        if eth == 0 and token == 0:
            with boa.reverts("dividends: nothing to claim"), boa.env.prank(self.holders[who]):
                self.token.claim()
            return
        caller = self.payer if keeper else self.holders[who]
        before = boa.env.get_balance(self.holders[who])
        with boa.env.prank(caller):
            if keeper:
                self.token.claim_for(self.holders[who])
            else:
                self.token.claim()
        assert boa.env.get_balance(self.holders[who]) == before + eth

    @rule(blocks=st.integers(1, 3))
    def mine(self, blocks):
        for _ in range(blocks):
            boa.env.time_travel(blocks=1)

    @rule()
    def next_epoch(self):
        self.epoch += 1

    @rule(who=holder)
    def remember_past_votes(self, who):
        block = boa.env.evm.patch.block_number - 1
        if block >= 1:
            self.past[(who, block)] = self.token.getPastVotes(self.holders[who], block)

    # -- invariants -----------------------------------------------------------------------------
    @invariant()
    def token_invariants(self):
        if not hasattr(self, "token"):
            return
        token = self.token
        balances = self._balances()
        supply = token.totalSupply()
        assert supply == sum(balances)

        expected = dict.fromkeys(self.holders, 0)
        for h, balance in zip(self.holders, balances, strict=True):
            delegate = token.delegates(h)
            if delegate in expected:
                expected[delegate] += balance
        for h in self.holders:
            assert token.getVotes(h) == expected[h]
        assert sum(expected.values()) <= supply

        for (who, block), votes in self.past.items():
            assert token.getPastVotes(self.holders[who], block) == votes

        owed = [token.withdrawable_dividends(h) for h in self.holders]
        paid = [token.withdrawn_dividends(h) for h in self.holders]
        for index, asset in enumerate(("eth", "token")):
            for i in range(N_HOLDERS):
                got = owed[i][index] + paid[i][index]
                exact = self.entitled[asset][i]
                assert got <= exact, f"{asset}: holder {i} overpaid ({got} > {exact})"
                assert exact - got <= self.distributions + 1, f"{asset}: holder {i} short by {exact - got}"
                assert paid[i][index] >= self.withdrawn_seen[asset][i]
                self.withdrawn_seen[asset][i] = paid[i][index]
        distributed = (token.total_distributed_eth(), token.total_distributed_token())
        claimed = (token.total_claimed_eth(), token.total_claimed_token())
        held = (boa.env.get_balance(token.address), self.stable.balanceOf(token.address))
        undistributed = (token.undistributed_eth(), token.undistributed_token())
        for index in range(2):
            assert held[index] == distributed[index] + undistributed[index] - claimed[index]
            assert sum(o[index] for o in owed) <= distributed[index] - claimed[index]


ShareTokenMachine.TestCase.settings = settings(
    max_examples=EXAMPLES, stateful_step_count=20, deadline=None, database=None
)
TestShareToken = ShareTokenMachine.TestCase
