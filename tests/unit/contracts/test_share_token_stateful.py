"""ShareToken invariants over random sequences (hypothesis on titanoboa, ~40x faster than ape).

Rules: mint, allocate (an epoch's final mint, split into random leaves), release (a leaf's claim, in
any order and in parts), transfer, transferFrom, burn, delegate, distribute_eth, distribute_token,
claim, claim_eth, claim_token, claim_for, mine blocks, next epoch. After every step (CONTRACTS.md
invariants 1-6):
1. supply = sum of balances + the pool (allocated, unreleased shares, held by the token itself);
   address 0 and the pool have no delegate, votes or checkpoints;
2. getVotes(x) = sum of the balances delegated to x; sum of votes <= supply;
   getPastTotalSupply(last block) = supply;
3. past votes and past supply never change (the newest reads re-checked every step, every earlier
   read re-checked at the end of the example);
4. per asset: contract balance = held = distributed + undistributed - claimed;
   0 <= held - sum(withdrawable) <= #distributions + #holders wei;
5. withdrawable + withdrawn (+ what its unreleased leaves earned in the pool, `release_dividends`) of
   each holder equals its exact rational entitlement (Fraction: sum of amount_i * stake_at_i /
   supply_at_i, where a holder's stake is its balance plus its unreleased leaves: allocated shares
   count from finality, whoever claims when; revenue held below one share of supply folds into the
   distribution at the mint or allocation that lifts the supply to one share) within 1 wei per
   distribution and leaf (never above it);
6. withdrawn is monotone, and a claim changes no other holder's withdrawable amount.

Each example runs inside `boa.env.anchor()` on one deployment, so nothing is redeployed.
"""

from __future__ import annotations

import os
from fractions import Fraction
from pathlib import Path

import boa
from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

ROOT = Path(__file__).resolve().parents[3]
ETHER = 10**18
ONE_SHARE = 10**18  # dividends.MIN_DISTRIBUTION_SUPPLY
N_HOLDERS = 4
ZERO = "0x0000000000000000000000000000000000000000"
# 20 keeps `make test` inside its time budget; `python -m bench.fuzz` makes the deep runs.
EXAMPLES = int(os.environ.get("HYPOTHESIS_EXAMPLES", 20))
ASSETS = ("eth", "token")

holder = st.integers(0, N_HOLDERS - 1)
amount = st.one_of(st.integers(0, 3), st.integers(0, 50 * ETHER))
fraction = st.one_of(st.sampled_from([0.0, 1.0]), st.floats(0, 1))
revenue = st.one_of(st.integers(0, 3), st.integers(0, 5 * ETHER), st.integers(0, 2**96))

ADMIN = boa.env.generate_address("admin")
PAYER = boa.env.generate_address("payer")
HOLDERS = [boa.env.generate_address(f"holder{i}") for i in range(N_HOLDERS)]
boa.env.set_balance(PAYER, 10**40)
with boa.env.prank(ADMIN):
    STABLE = boa.load(str(ROOT / "tests/unit/contracts/doubles/PlainERC20.vy"))
    TOKEN = boa.load(str(ROOT / "contracts/ShareToken.vy"), "S", "S", STABLE.address, "S", "1")
    TOKEN.set_minter(ADMIN)
    TOKEN.set_epoch_mint_limits(10_000, 10**9 * ETHER)
    STABLE.mint(PAYER, 2**127)
with boa.env.prank(PAYER):
    STABLE.approve(TOKEN.address, 2**256 - 1)
boa.env.time_travel(blocks=1)


class _Fixed:
    """Stands in for hypothesis' `data` where a rule calls another with a chosen epoch."""

    def __init__(self, value):
        self.value = value

    def draw(self, _strategy):
        return self.value


class ShareTokenMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self._anchor = boa.env.anchor()
        self._anchor.__enter__()
        self.token, self.stable = TOKEN, STABLE
        self.epoch = 1
        self.entitled = {asset: [Fraction(0)] * N_HOLDERS for asset in ASSETS}
        self.withdrawn_seen = {asset: [0] * N_HOLDERS for asset in ASSETS}
        self.held = dict.fromkeys(ASSETS, 0)
        self.distributions = dict.fromkeys(ASSETS, 0)
        self.max_supply = 0
        self.past_votes: dict[tuple[int, int], int] = {}
        self.past_supply: dict[int, int] = {}
        # the epoch cap's model: limits, start supply at an epoch's first mint, reservations
        self.limits = (10_000, 10**9 * ETHER)
        self.start: dict[int, int] = {}
        self.minted: dict[int, int] = {}
        self.reserved: dict[int, int] = {}
        # epoch -> per-holder unreleased leaf; epochs allocated so far
        self.leaves: dict[int, list[int]] = {}
        self.allocated: set[int] = set()

    # -- model ----------------------------------------------------------------------------------
    def _balances(self) -> list[int]:
        return [self.token.balanceOf(h) for h in HOLDERS]

    def _stakes(self) -> list[int]:
        """What each holder earns on: its balance plus its unreleased leaves."""
        balances = self._balances()
        return [b + sum(leaves[i] for leaves in self.leaves.values()) for i, b in enumerate(balances)]

    def _credit(self, asset: str, received: int) -> None:
        """Exact entitlements: held below one share of supply, else pro rata to balances now."""
        supply = self.token.totalSupply()
        if supply < ONE_SHARE:
            self.held[asset] += received
            return
        total, self.held[asset] = received + self.held[asset], 0
        if total:
            self.distributions[asset] += 1
            for i, stake in enumerate(self._stakes()):
                self.entitled[asset][i] += Fraction(total * stake, supply)

    def _limit_cap(self, epoch: int) -> int:
        bps, floor = self.limits
        return max(floor, self.start.get(epoch, self.token.totalSupply()) * bps // 10_000)

    # -- rules ----------------------------------------------------------------------------------
    @rule(to=holder, value=amount)
    def mint(self, to, value):
        epoch, supply = self.epoch, self.token.totalSupply()
        minted = self.minted.get(epoch, 0) + value
        allowed = self.reserved.get(epoch) or self._limit_cap(epoch)
        if minted > allowed:
            event("mint over the cap refused")
            with boa.reverts("share: epoch mint cap exceeded"), boa.env.prank(ADMIN):
                self.token.mint(HOLDERS[to], value, epoch)
            return
        was_delegated = self.token.delegates(HOLDERS[to])
        with boa.env.prank(ADMIN):
            self.token.mint(HOLDERS[to], value, epoch)
        if self.reserved.get(epoch):
            event(
                "mint within a reservation above the limits' cap"
                if minted > self._limit_cap(epoch)
                else "mint within a reservation"
            )
        else:
            self.start.setdefault(epoch, supply)
        self.minted[epoch] = minted
        self.max_supply = max(self.max_supply, self.token.totalSupply())
        assert self.token.delegates(HOLDERS[to]) == (was_delegated if was_delegated != ZERO else HOLDERS[to])
        for asset in ASSETS:  # held revenue folds in once the supply reaches one share
            if self.held[asset] and self.token.totalSupply() >= ONE_SHARE:
                self._credit(asset, 0)

    @rule(
        value=st.one_of(amount, st.integers(ONE_SHARE, 1_000 * ETHER)),
        split=st.lists(st.integers(0, 100), min_size=N_HOLDERS, max_size=N_HOLDERS),
    )
    def allocate(self, value, split):
        """The current epoch becomes final: its whole mint goes to the pool, in leaves per holder."""
        epoch, supply = self.epoch, self.token.totalSupply()
        if epoch in self.allocated:
            with boa.reverts("share: epoch already allocated"), boa.env.prank(ADMIN):
                self.token.allocate(epoch, value)
            return
        minted = self.minted.get(epoch, 0) + value
        if minted > (self.reserved.get(epoch) or self._limit_cap(epoch)):
            with boa.reverts("share: epoch mint cap exceeded"), boa.env.prank(ADMIN):
                self.token.allocate(epoch, value)
            return
        votes_before = [self.token.getVotes(h) for h in HOLDERS]
        with boa.env.prank(ADMIN):
            self.token.allocate(epoch, value)
        event("allocation made")
        if not self.reserved.get(epoch):
            self.start.setdefault(epoch, supply)
        self.minted[epoch] = minted
        self.allocated.add(epoch)
        weights = [w + 1 for w in split]
        leaves = [value * w // sum(weights) for w in weights]
        leaves[0] += value - sum(leaves)
        self.leaves[epoch] = leaves
        self.max_supply = max(self.max_supply, self.token.totalSupply())
        assert self.token.allocated_shares(epoch) == value and self.token.is_allocated(epoch)
        assert [self.token.getVotes(h) for h in HOLDERS] == votes_before  # the pool never votes
        for asset in ASSETS:  # held revenue folds in over the allocation
            if self.held[asset] and self.token.totalSupply() >= ONE_SHARE:
                self._credit(asset, 0)

    @precondition(lambda self: any(any(leaves) for leaves in self.leaves.values()))
    @rule(data=st.data(), to=holder, part=fraction)
    def release(self, data, to, part):
        """A leaf (or part of it) claimed, in any order: its shares come with what they earned."""
        epoch = data.draw(st.sampled_from(sorted(e for e, leaves in self.leaves.items() if any(leaves))))
        if not self.leaves[epoch][to]:
            to = next(i for i, leaf in enumerate(self.leaves[epoch]) if leaf)
        value = min(self.leaves[epoch][to], int(self.leaves[epoch][to] * part))
        was_delegated = self.token.delegates(HOLDERS[to])
        supply = self.token.totalSupply()
        if any(self.token.release_dividends(epoch, value)):
            event("release carrying dividends earned in the pool")
        with boa.env.prank(ADMIN):
            self.token.release(epoch, HOLDERS[to], value)
        self.leaves[epoch][to] -= value
        assert self.token.totalSupply() == supply  # committed shares were in the supply already
        assert self.token.delegates(HOLDERS[to]) == (was_delegated if was_delegated != ZERO else HOLDERS[to])

    @rule(
        data=st.data(),
        value=st.integers(ONE_SHARE, 1_000 * ETHER),
        split=st.lists(st.integers(0, 100), min_size=N_HOLDERS, max_size=N_HOLDERS),
        order=st.permutations(range(N_HOLDERS)),
        revenue_between=st.lists(st.integers(0, 5 * ETHER), min_size=N_HOLDERS, max_size=N_HOLDERS),
    )
    def finality_then_claims_in_any_order(self, data, value, split, order, revenue_between):
        """A fresh epoch becomes final, then its leaves are claimed in a random order with revenue
        (ETH and token) arriving between the claims: every claimant gets the same as if first."""
        self.next_epoch()
        self.allocate(value, split)
        if self.epoch not in self.allocated:
            return
        for to, income in zip(order, revenue_between, strict=True):
            self.distribute_eth(income)
            self.distribute_token(income)
            if self.leaves[self.epoch][to]:
                self.release(_Fixed(self.epoch), to, 1.0)

    @precondition(lambda self: any(any(leaves) for leaves in self.leaves.values()))
    @rule(
        data=st.data(),
        eth=st.integers(1, 5 * ETHER),
        token=st.integers(1, 5 * ETHER),
        to=holder,
        part=st.floats(0.01, 1),
    )
    def revenue_then_release(self, data, eth, token, to, part):
        """The race this guards against: revenue arrives between finality and a claim."""
        self.distribute_eth(eth)
        self.distribute_token(token)
        self.release(data, to, part)

    @precondition(lambda self: bool(self.allocated))
    @rule(to=holder)
    def release_above_the_allocation(self, to):
        epoch = max(self.allocated)
        remaining = sum(self.leaves.get(epoch, [0]))
        with boa.reverts("share: release above the allocation"), boa.env.prank(ADMIN):
            self.token.release(epoch, HOLDERS[to], remaining + 1)

    @rule(src=holder)
    def transfer_to_the_pool(self, src):
        with boa.reverts("share: transfer to the share token"), boa.env.prank(HOLDERS[src]):
            self.token.transfer(self.token.address, 0)

    def _portion(self, account, part: float) -> int:
        # A float product can round above the balance (int(49999999999999999999 * 1.0) == 5e19).
        balance = self.token.balanceOf(account)
        return min(balance, int(balance * part))

    @rule(src=holder, dst=holder, part=fraction)
    def transfer(self, src, dst, part):
        value = self._portion(HOLDERS[src], part)
        with boa.env.prank(HOLDERS[src]):
            self.token.transfer(HOLDERS[dst], value)

    @rule(owner=holder, spender=holder, dst=holder, part=fraction, infinite=st.booleans())
    def transfer_from(self, owner, spender, dst, part, infinite):
        value = self._portion(HOLDERS[owner], part)
        allowance = 2**256 - 1 if infinite else value + 7
        with boa.env.prank(HOLDERS[owner]):
            self.token.approve(HOLDERS[spender], allowance)
        with boa.env.prank(HOLDERS[spender]):
            self.token.transferFrom(HOLDERS[owner], HOLDERS[dst], value)
        assert self.token.allowance(HOLDERS[owner], HOLDERS[spender]) == (allowance if infinite else 7)

    @rule(src=holder, part=fraction)
    def burn(self, src, part):
        value = self._portion(HOLDERS[src], part)
        with boa.env.prank(HOLDERS[src]):
            self.token.burn(value)

    @rule(who=holder, to=st.integers(-1, N_HOLDERS - 1))
    def delegate(self, who, to):
        with boa.env.prank(HOLDERS[who]):
            self.token.delegate(HOLDERS[to] if to >= 0 else ZERO)

    @rule(value=revenue)
    def distribute_eth(self, value):
        with boa.env.prank(PAYER):
            self.token.distribute_eth(value=value)
        self._credit("eth", value)

    @rule(value=revenue)
    def distribute_token(self, value):
        with boa.env.prank(PAYER):
            self.token.distribute_token(value)
        self._credit("token", value)

    @rule(who=holder, how=st.sampled_from(["claim", "claim_for", "claim_eth", "claim_token"]))
    def claim(self, who, how):
        target = HOLDERS[who]
        owed = [self.token.withdrawable_dividends(h) for h in HOLDERS]
        eth, token = owed[who]
        caller = PAYER if how == "claim_for" else target
        pays = {
            "claim": (eth, token),
            "claim_for": (eth, token),
            "claim_eth": (eth, 0),
            "claim_token": (0, token),
        }[how]
        call = (lambda: self.token.claim_for(target)) if how == "claim_for" else getattr(self.token, how)
        if pays == (0, 0):
            reason = {
                "claim_eth": "dividends: no ETH to claim",
                "claim_token": "dividends: no token to claim",
            }
            with boa.reverts(reason.get(how, "dividends: nothing to claim")), boa.env.prank(caller):
                call()
            return
        before = (boa.env.get_balance(target), self.stable.balanceOf(target))
        with boa.env.prank(caller):
            call()
        assert (boa.env.get_balance(target), self.stable.balanceOf(target)) == (
            before[0] + pays[0],
            before[1] + pays[1],
        )
        after = [self.token.withdrawable_dividends(h) for h in HOLDERS]
        assert after[who] == (eth - pays[0], token - pays[1])
        assert all(after[i] == owed[i] for i in range(N_HOLDERS) if i != who)

    @rule(blocks=st.integers(1, 3))
    def mine(self, blocks):
        boa.env.time_travel(blocks=blocks)

    @rule()
    def next_epoch(self):
        self.epoch += 1

    @rule(value=amount)
    def reserve(self, value):
        """A report committed for the current epoch (the settlement is the minter)."""
        epoch = self.epoch
        if self.minted.get(epoch, 0):
            with boa.reverts("share: epoch already minting"), boa.env.prank(ADMIN):
                self.token.reserve_epoch_mint(epoch, value)
        elif value > self._limit_cap(epoch):
            with boa.reverts("share: epoch mint cap exceeded"), boa.env.prank(ADMIN):
                self.token.reserve_epoch_mint(epoch, value)
        else:
            with boa.env.prank(ADMIN):
                self.token.reserve_epoch_mint(epoch, value)
            self.reserved[epoch] = value
            event("reservation made")

    @precondition(lambda self: self.reserved.get(self.epoch, 0) > self.minted.get(self.epoch, 0))
    @rule(to=holder, part=fraction)
    def burn_and_shut_the_limits_then_mint_the_reservation(self, to, part):
        """The griefing this guards against: a holder burns and governance closes minting between a
        commit and its claims; what was reserved is minted all the same."""
        self.burn(to, part)
        previous = self.limits
        self.set_limits(0, 0)
        self.mint(to, self.reserved[self.epoch] - self.minted.get(self.epoch, 0))
        assert self.token.minted_in_epoch(self.epoch) == self.reserved[self.epoch]
        self.set_limits(*previous)

    @rule(
        bps=st.sampled_from([0, 1, 2_000, 10_000]),
        floor=st.sampled_from([0, ETHER, 20 * ETHER, 10**9 * ETHER]),
    )
    def set_limits(self, bps, floor):
        """Governance moves the limits: reserved epochs must not notice."""
        with boa.env.prank(ADMIN):
            self.token.set_epoch_mint_limits(bps, floor)
        self.limits = (bps, floor)

    @precondition(lambda self: boa.env.evm.patch.block_number > 1)
    @rule(who=holder)
    def remember_the_past(self, who):
        block = boa.env.evm.patch.block_number - 1
        self.past_votes[(who, block)] = self.token.getPastVotes(HOLDERS[who], block)
        self.past_supply[block] = self.token.getPastTotalSupply(block)

    # -- invariants -----------------------------------------------------------------------------
    @invariant()
    def mint_caps(self):
        # 7: minted per epoch within its cap; a reservation is the cap, whatever happened since
        for epoch, minted in self.minted.items():
            assert self.token.minted_in_epoch(epoch) == minted
        for epoch, reserved in self.reserved.items():
            assert self.token.reserved_mint(epoch) == reserved
            if reserved:
                assert self.token.epoch_mint_cap(epoch) == reserved
                assert self.minted.get(epoch, 0) <= reserved

    @invariant()
    def token_invariants(self):
        token = self.token
        now = boa.env.evm.patch.block_number
        balances = self._balances()
        supply = token.totalSupply()
        pool = token.balanceOf(token.address)
        # 1 (the zero address's delegate and votes are re-checked in teardown)
        assert supply == sum(balances) + pool
        assert pool == sum(sum(leaves) for leaves in self.leaves.values())
        assert token.numCheckpoints(ZERO) == 0
        assert token.delegates(token.address) == ZERO and token.numCheckpoints(token.address) == 0
        # 2
        expected = dict.fromkeys(HOLDERS, 0)
        for h, balance in zip(HOLDERS, balances, strict=True):
            delegate = token.delegates(h)
            if delegate != ZERO:
                expected[delegate] += balance
        for h in HOLDERS:
            assert token.getVotes(h) == expected[h]
        assert sum(expected.values()) <= supply
        if now > 1:
            boa.env.time_travel(blocks=1)  # getPast* needs a block strictly before the current one
            assert token.getPastTotalSupply(now) == supply
            self.past_supply[now] = supply
        # 3: the newest remembered reads every step, all of them in teardown
        for (who, block), votes in list(self.past_votes.items())[-3:]:
            assert token.getPastVotes(HOLDERS[who], block) == votes
        # 4, 5, 6
        owed = [token.withdrawable_dividends(h) for h in HOLDERS]
        paid = [token.withdrawn_dividends(h) for h in HOLDERS]
        pool_owed = token.withdrawable_dividends(token.address)
        assert token.withdrawn_dividends(token.address) == (0, 0)
        # what each holder's unreleased leaves earned in the pool so far
        pending = [[0, 0] for _ in HOLDERS]
        open_leaves = 0
        for epoch, leaves in self.leaves.items():
            for i, leaf in enumerate(leaves):
                if leaf:
                    open_leaves += 1
                    eth, tok = token.release_dividends(epoch, leaf)
                    pending[i][0] += eth
                    pending[i][1] += tok
        distributed = (token.total_distributed_eth(), token.total_distributed_token())
        claimed = (token.total_claimed_eth(), token.total_claimed_token())
        undistributed = (token.undistributed_eth(), token.undistributed_token())
        balance = (boa.env.get_balance(token.address), self.stable.balanceOf(token.address))
        for index, asset in enumerate(ASSETS):
            assert undistributed[index] == self.held[asset]
            held = distributed[index] - claimed[index]
            assert balance[index] == held + undistributed[index]
            slack = held - sum(o[index] for o in owed) - pool_owed[index]
            assert 0 <= slack <= self.distributions[asset] + N_HOLDERS + 1
            assert sum(p[index] for p in pending) <= pool_owed[index]  # the pool holds what leaves earned
            tolerance = 1 + open_leaves + Fraction(self.distributions[asset] * self.max_supply, 2**128)
            for i in range(N_HOLDERS):
                got = owed[i][index] + paid[i][index] + pending[i][index]
                exact = self.entitled[asset][i]
                assert got <= exact, f"{asset}: holder {i} overpaid ({got} > {exact})"
                assert exact - got < tolerance, f"{asset}: holder {i} short by {float(exact - got)}"
                assert paid[i][index] >= self.withdrawn_seen[asset][i]
                self.withdrawn_seen[asset][i] = paid[i][index]

    def teardown(self):
        try:
            token = self.token
            assert token.delegates(ZERO) == ZERO and token.getVotes(ZERO) == 0
            for (who, block), votes in self.past_votes.items():
                assert token.getPastVotes(HOLDERS[who], block) == votes
            for block, past_supply in self.past_supply.items():
                assert token.getPastTotalSupply(block) == past_supply
            with boa.reverts("votes: future lookup"):
                token.getPastTotalSupply(boa.env.evm.patch.block_number)
        finally:
            self._anchor.__exit__(None, None, None)


ShareTokenMachine.TestCase.settings = settings(
    max_examples=EXAMPLES, stateful_step_count=30, deadline=None, database=None
)
TestShareTokenInvariants = ShareTokenMachine.TestCase


def test_revenue_token_equal_to_the_share_token_is_refused():
    """The only way to name the share token at deployment is its future address: refused."""
    deployer = boa.env.generate_address("deployer")
    source = str(ROOT / "contracts/ShareToken.vy")
    with boa.env.prank(deployer):
        with boa.env.anchor():  # learn the address the next deployment gets, then roll back
            future = boa.load(source, "S", "S", STABLE.address, "S", "1").address
        with boa.env.anchor(), boa.reverts("dividends: revenue token is the share token"):
            boa.load(source, "S", "S", future, "S", "1")
        with boa.env.anchor():  # same nonce, another revenue token: deploys at exactly that address
            assert boa.load(source, "S", "S", STABLE.address, "S", "1").address == future
