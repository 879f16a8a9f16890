"""ShareToken on ape: every external function, every failure path, and the CONTRACTS.md attacks that
apply to the token (ERC-20, Votes, Dividends, Minting)."""

from __future__ import annotations

import ape
import pytest
from eth_abi import encode
from eth_utils import keccak
from token_fixtures import ETHER, MAX_UINT, ZERO, delegate, double, owed_ok, sign_delegation, sign_permit


@pytest.fixture
def holders(accounts, shares, minter):
    """alice 600 and bob 400 shares (epoch 1, auto-delegated to themselves); carol holds none."""
    alice, bob, carol = accounts[1], accounts[2], accounts[3]
    shares.mint(alice, 600 * ETHER, 1, sender=minter)
    shares.mint(bob, 400 * ETHER, 1, sender=minter)
    return alice, bob, carol


@pytest.fixture
def payer(accounts):
    return accounts[5]


@pytest.fixture
def funded(stable, deployer, payer, shares):
    stable.mint(payer, 10**6 * ETHER, sender=deployer)
    stable.approve(shares, MAX_UINT, sender=payer)
    return stable


def _fresh(project, deployer, revenue, minter=None, floor=10**6 * ETHER):
    token = project.ShareToken.deploy(
        "Metamodel Share", "MMS", revenue, "Metamodel Share", "1", sender=deployer
    )
    token.set_minter(minter or deployer, sender=deployer)
    token.set_epoch_mint_limits(10_000, floor, sender=deployer)
    return token


# ---------------------------------------------------------------------------------------------- ERC-20
def test_metadata_roles_and_domain(shares, deployer, minter, stable, chain):
    assert (shares.name(), shares.symbol(), shares.decimals()) == ("Metamodel Share", "MMS", 18)
    assert shares.owner() == deployer and shares.minter() == minter and shares.revenue_token() == stable
    assert shares.CLOCK_MODE() == "mode=blocknumber&from=default"
    assert shares.clock() == chain.blocks.head.number
    domain = shares.eip712Domain()
    assert domain[1:5] == ("Metamodel Share", "1", chain.chain_id, shares.address)
    type_hash = keccak(b"EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)")
    expected = keccak(
        encode(
            ["bytes32", "bytes32", "bytes32", "uint256", "address"],
            [type_hash, keccak(b"Metamodel Share"), keccak(b"1"), chain.chain_id, shares.address],
        )
    )
    assert shares.DOMAIN_SEPARATOR() == expected


def test_hook_bypassing_erc20_functions_are_not_exported(shares):
    signatures = {m.selector for m in shares.contract_type.abi if m.type == "function"}
    for bypass in (
        "mint(address,uint256)",
        "burn_from(address,uint256)",
        "set_minter(address,bool)",
        "is_minter(address)",
    ):
        assert bypass not in signatures
    assert "mint(address,uint256,uint256)" in signatures and "burn(uint256)" in signatures


def test_transfer_moves_balances_and_logs(shares, holders):
    alice, bob, _ = holders
    receipt = shares.transfer(bob, 100 * ETHER, sender=alice)
    assert shares.balanceOf(alice) == 500 * ETHER and shares.balanceOf(bob) == 500 * ETHER
    event = receipt.events.filter(shares.Transfer)[0]
    assert (event.sender, event.receiver, event.value) == (alice, bob, 100 * ETHER)


def test_transfer_failures(shares, holders):
    alice, bob, _ = holders
    with ape.reverts("erc20: transfer amount exceeds balance"):
        shares.transfer(bob, 600 * ETHER + 1, sender=alice)
    with ape.reverts("erc20: transfer to the zero address"):
        shares.transfer(ZERO, 1, sender=alice)


def test_zero_amount_and_self_transfer_change_nothing(shares, holders, payer):
    alice, bob, _ = holders
    shares.distribute_eth(value=ETHER, sender=payer)
    before = (shares.balanceOf(alice), shares.getVotes(alice), shares.withdrawable_dividends(alice))
    checkpoints = shares.numCheckpoints(alice)
    shares.transfer(bob, 0, sender=alice)
    shares.transfer(alice, 300 * ETHER, sender=alice)
    assert (shares.balanceOf(alice), shares.getVotes(alice), shares.withdrawable_dividends(alice)) == before
    assert shares.numCheckpoints(alice) == checkpoints and shares.balanceOf(bob) == 400 * ETHER


def test_transfer_from_spends_allowance(shares, holders):
    alice, bob, carol = holders
    with ape.reverts("erc20: insufficient allowance"):
        shares.transferFrom(alice, carol, 1, sender=carol)
    shares.approve(carol, 10 * ETHER, sender=alice)
    with ape.reverts("erc20: insufficient allowance"):
        shares.transferFrom(alice, carol, 10 * ETHER + 1, sender=carol)
    shares.transferFrom(alice, bob, 4 * ETHER, sender=carol)
    assert shares.allowance(alice, carol) == 6 * ETHER and shares.balanceOf(bob) == 404 * ETHER
    shares.approve(carol, MAX_UINT, sender=alice)
    shares.transferFrom(alice, carol, 5 * ETHER, sender=carol)
    assert shares.allowance(alice, carol) == MAX_UINT  # infinite allowance is not decremented
    with ape.reverts("erc20: approve from the zero address"):  # snekmate re-approves the remainder first
        shares.transferFrom(ZERO, carol, 0, sender=carol)
    with ape.reverts("erc20: approve to the zero address"):
        shares.approve(ZERO, 1, sender=alice)


def test_permit_sets_allowance_once(shares, holders, chain):
    alice, _, carol = holders
    deadline = chain.pending_timestamp + 3600
    v, r, s = sign_permit(shares, alice, carol, 7 * ETHER, 0, deadline, chain.chain_id)
    shares.permit(alice, carol, 7 * ETHER, deadline, v, r, s, sender=carol)
    assert shares.allowance(alice, carol) == 7 * ETHER and shares.nonces(alice) == 1
    with ape.reverts("erc20: invalid signature"):  # replay: the nonce was consumed
        shares.permit(alice, carol, 7 * ETHER, deadline, v, r, s, sender=carol)


@pytest.mark.parametrize("flaw", ["expired", "chain_id", "signer", "nonce"])
def test_permit_refuses_bad_signatures(shares, holders, chain, accounts, flaw):
    alice, _, carol = holders
    deadline = chain.pending_timestamp + 3600
    chain_id, nonce, key = chain.chain_id, 0, None
    if flaw == "expired":
        deadline = chain.pending_timestamp - 1
    elif flaw == "chain_id":
        chain_id += 1
    elif flaw == "signer":
        key = accounts[7].private_key
    else:
        nonce = 1
    v, r, s = sign_permit(shares, alice, carol, ETHER, nonce, deadline, chain_id, key=key)
    message = "erc20: expired deadline" if flaw == "expired" else "erc20: invalid signature"
    with ape.reverts(message):
        shares.permit(alice, carol, ETHER, deadline, v, r, s, sender=carol)
    assert shares.allowance(alice, carol) == 0 and shares.nonces(alice) == 0


def test_burn_reduces_supply_votes_and_keeps_dividends(shares, holders, payer, chain):
    alice, _, _ = holders
    shares.distribute_eth(value=ETHER, sender=payer)
    owed = shares.withdrawable_dividends(alice)
    with ape.reverts("erc20: burn amount exceeds balance"):
        shares.burn(600 * ETHER + 1, sender=alice)
    receipt = shares.burn(600 * ETHER, sender=alice)
    assert shares.withdrawable_dividends(alice) == owed and owed_ok(owed[0], 6 * ETHER // 10)
    assert shares.getVotes(alice) == 0 and shares.totalSupply() == 400 * ETHER
    chain.mine()
    assert shares.getPastTotalSupply(receipt.block_number) == 400 * ETHER
    assert shares.getPastTotalSupply(receipt.block_number - 1) == 1000 * ETHER


# --------------------------------------------------------------------------------------------- Minting
def test_only_the_minter_mints(shares, accounts, deployer):
    for caller in (accounts[1], deployer):  # not even the owner
        with ape.reverts("share: not minter"):
            shares.mint(accounts[1], 1, 1, sender=caller)


def test_mint_to_zero_is_refused(shares, minter):
    with ape.reverts("share: mint to the zero address"):
        shares.mint(ZERO, 1, 1, sender=minter)


def test_mint_logs_and_counts_per_epoch(shares, minter, accounts):
    receipt = shares.mint(accounts[1], 5 * ETHER, 3, sender=minter)
    event = receipt.events.filter(shares.SharesMinted)[0]
    assert (event.to, event.amount, event.epoch) == (accounts[1], 5 * ETHER, 3)
    assert shares.minted_in_epoch(3) == 5 * ETHER and shares.minted_in_epoch(1) == 0


def test_epoch_cap_floor_then_fraction_of_start_supply(shares, minter, accounts, deployer):
    shares.mint(accounts[1], 1_000_000 * ETHER, 1, sender=minter)  # the floor (20% of 0 is less)
    with ape.reverts("share: epoch mint cap exceeded"):
        shares.mint(accounts[1], 1, 1, sender=minter)
    shares.set_epoch_mint_limits(2_000, 0, sender=deployer)
    assert shares.epoch_mint_cap(2) == 200_000 * ETHER  # before its first mint: from the current supply
    shares.mint(accounts[2], 100_000 * ETHER, 2, sender=minter)
    # The supply grew to 1.1M, but epoch 2's cap stays 20% of the 1M it started with.
    assert shares.epoch_mint_cap(2) == 200_000 * ETHER
    shares.mint(accounts[2], 100_000 * ETHER, 2, sender=minter)
    with ape.reverts("share: epoch mint cap exceeded"):
        shares.mint(accounts[2], 1, 2, sender=minter)
    assert shares.minted_in_epoch(2) == 200_000 * ETHER


def test_a_reservation_becomes_the_epochs_cap_whatever_the_limits_or_burns(
    shares, minter, accounts, deployer
):
    holder = accounts[1]
    shares.mint(holder, 1_000_000 * ETHER, 1, sender=minter)
    shares.set_epoch_mint_limits(2_000, 0, sender=deployer)  # epoch 2 may mint 20% of 1M
    receipt = shares.reserve_epoch_mint(2, 200_000 * ETHER, sender=minter)
    event = receipt.events.filter(shares.EpochMintReserved)[0]
    assert (event.epoch, event.amount) == (2, 200_000 * ETHER)
    shares.burn(900_000 * ETHER, sender=holder)  # the supply falls to 100k
    shares.set_epoch_mint_limits(0, 0, sender=deployer)  # and governance stops all minting
    assert shares.reserved_mint(2) == shares.epoch_mint_cap(2) == 200_000 * ETHER
    shares.mint(accounts[2], 200_000 * ETHER, 2, sender=minter)
    with ape.reverts("share: epoch mint cap exceeded"):
        shares.mint(accounts[2], 1, 2, sender=minter)
    assert shares.epoch_mint_cap(3) == 0  # epochs without a reservation follow the limits


def test_reservation_failures(shares, minter, accounts):
    with ape.reverts("share: not minter"):
        shares.reserve_epoch_mint(1, ETHER, sender=accounts[1])
    with ape.reverts("share: epoch mint cap exceeded"):
        shares.reserve_epoch_mint(1, 1_000_000 * ETHER + 1, sender=minter)
    shares.reserve_epoch_mint(1, 5 * ETHER, sender=minter)
    shares.reserve_epoch_mint(1, 7 * ETHER, sender=minter)  # a replaced report, before any mint
    shares.mint(accounts[1], ETHER, 1, sender=minter)
    with ape.reverts("share: epoch already minting"):
        shares.reserve_epoch_mint(1, 9 * ETHER, sender=minter)
    assert shares.reserved_mint(1) == 7 * ETHER


def test_minter_and_limits_are_owner_only(shares, accounts, deployer, minter):
    with ape.reverts("ownable: caller is not the owner"):
        shares.set_minter(accounts[1], sender=minter)
    with ape.reverts("ownable: caller is not the owner"):
        shares.set_epoch_mint_limits(1, 1, sender=accounts[1])
    with ape.reverts("share: cap above 100% of the supply"):
        shares.set_epoch_mint_limits(10_001, 1, sender=deployer)
    with ape.reverts("share: min epoch mint too large"):
        shares.set_epoch_mint_limits(1, 2**240, sender=deployer)
    receipt = shares.set_epoch_mint_limits(10_000, 2**240 - 1, sender=deployer)
    event = receipt.events.filter(shares.EpochMintLimitsChanged)[0]
    assert (event.max_epoch_mint_bps, event.min_epoch_mint) == (10_000, 2**240 - 1)
    assert (shares.max_epoch_mint_bps(), shares.min_epoch_mint()) == (10_000, 2**240 - 1)
    receipt = shares.set_minter(accounts[4], sender=deployer)
    event = receipt.events.filter(shares.MinterChanged)[0]
    assert (event.previous_minter, event.new_minter) == (minter, accounts[4])
    with ape.reverts("share: not minter"):
        shares.mint(accounts[1], 1, 1, sender=minter)


def test_ownership_hand_over_to_the_timelock(shares, accounts, deployer):
    timelock = accounts[8]
    shares.transfer_ownership(timelock, sender=deployer)
    assert shares.owner() == timelock
    with ape.reverts("ownable: caller is not the owner"):
        shares.set_minter(deployer, sender=deployer)
    shares.set_minter(deployer, sender=timelock)
    shares.renounce_ownership(sender=timelock)
    assert shares.owner() == ZERO


# ----------------------------------------------------------------------------------------------- Votes
def test_mint_auto_delegates_only_without_a_delegate(shares, holders, minter):
    alice, bob, carol = holders
    assert shares.delegates(alice) == alice and shares.getVotes(alice) == 600 * ETHER
    delegate(shares, carol, bob)  # carol chose bob before receiving shares
    shares.mint(carol, 50 * ETHER, 1, sender=minter)
    assert (
        shares.delegates(carol) == bob and shares.getVotes(bob) == 450 * ETHER and shares.getVotes(carol) == 0
    )


def test_plain_transfers_do_not_auto_delegate(shares, holders):
    alice, _, carol = holders
    shares.transfer(carol, 100 * ETHER, sender=alice)
    assert shares.delegates(carol) == ZERO and shares.getVotes(carol) == 0
    assert shares.getVotes(alice) == 500 * ETHER
    receipt = delegate(shares, carol, carol)
    event = receipt.events.filter(shares.DelegateChanged)[0]
    assert (event.delegator, event.fromDelegate, event.toDelegate) == (carol, ZERO, carol)
    assert shares.getVotes(carol) == 100 * ETHER


def test_redelegation_moves_all_votes(shares, holders):
    alice, bob, carol = holders
    delegate(shares, alice, bob)
    assert shares.getVotes(bob) == 1000 * ETHER and shares.getVotes(alice) == 0
    delegate(shares, alice, carol)
    assert shares.getVotes(bob) == 400 * ETHER and shares.getVotes(carol) == 600 * ETHER
    delegate(shares, alice, ZERO)  # stop voting
    assert shares.getVotes(carol) == 0 and shares.delegates(alice) == ZERO
    assert shares.numCheckpoints(ZERO) == 0 and shares.getVotes(ZERO) == 0


def test_delegation_with_zero_balance_moves_nothing(shares, holders, accounts):
    _, bob, carol = holders
    receipt = delegate(shares, carol, bob)
    assert shares.delegates(carol) == bob and shares.getVotes(bob) == 400 * ETHER
    assert len(receipt.events.filter(shares.DelegateVotesChanged)) == 0


def test_transfer_between_holders_with_the_same_delegate(shares, holders):
    alice, bob, carol = holders
    delegate(shares, alice, carol)
    delegate(shares, bob, carol)
    checkpoints = shares.numCheckpoints(carol)
    receipt = shares.transfer(bob, 100 * ETHER, sender=alice)
    assert shares.getVotes(carol) == 1000 * ETHER and shares.numCheckpoints(carol) == checkpoints
    assert len(receipt.events.filter(shares.DelegateVotesChanged)) == 0


def test_past_votes_and_supply_follow_history(shares, holders, chain, minter):
    alice, bob, _ = holders
    history = []  # (block, alice votes, supply) at the end of each block
    for step in range(6):
        if step % 2:
            receipt = shares.transfer(bob, 10 * ETHER, sender=alice)
        else:
            receipt = shares.mint(alice, 3 * ETHER, 1, sender=minter)
        history.append((receipt.block_number, shares.getVotes(alice), shares.totalSupply()))
        chain.mine()
    chain.mine()
    assert shares.numCheckpoints(alice) == 1 + 6
    for block, votes, supply in history:  # middle blocks go through the binary search
        assert shares.getPastVotes(alice, block) == votes
        assert shares.getPastVotes(alice, block + 1) == votes  # the mined empty block
        assert shares.getPastTotalSupply(block) == supply
    first = history[0][0]
    assert shares.getPastVotes(alice, first - 1) == 600 * ETHER
    assert shares.getPastVotes(alice, 0) == 0 and shares.getPastTotalSupply(0) == 0
    position, value = shares.checkpoints(alice, 1)
    assert (position, value) == (first, 603 * ETHER)
    with ape.reverts("votes: no such checkpoint"):
        shares.checkpoints(alice, 7)


def test_future_lookups_revert(shares, holders, chain):
    alice, _, _ = holders
    now = chain.blocks.head.number  # eth_call runs at the head block: the clock is `now`
    assert shares.clock() == now
    for timepoint in (now, now + 1):
        with ape.reverts("votes: future lookup"):
            shares.getPastVotes(alice, timepoint)
        with ape.reverts("votes: future lookup"):
            shares.getPastTotalSupply(timepoint)


def test_several_transfers_and_a_flash_delegation_in_one_block(shares, holders, chain, project, deployer):
    """Acquire shares, delegate and give them back inside one block: the snapshot shows nothing."""
    alice, bob, carol = holders
    borrower = double("FlashBorrower").deploy(sender=deployer)
    shares.approve(borrower, MAX_UINT, sender=alice)
    checkpoints = shares.numCheckpoints(alice)
    receipt = borrower.borrow(shares, alice, 600 * ETHER, carol, sender=carol)
    chain.mine()
    block = receipt.block_number
    # Inside the block carol had 600 votes; at its end she has none, alice everything, one checkpoint.
    assert borrower.votes_seen() == 600 * ETHER
    assert shares.getPastVotes(carol, block) == 0 and shares.getPastVotes(alice, block) == 600 * ETHER
    assert shares.numCheckpoints(alice) == checkpoints + 1
    assert shares.checkpoints(alice, checkpoints)[1] == 600 * ETHER


def test_delegate_by_signature(shares, holders, chain):
    alice, bob, carol = holders
    expiry = chain.pending_timestamp + 3600
    v, r, s = sign_delegation(shares, alice, carol, 0, expiry, chain.chain_id)
    receipt = shares.delegateBySig(carol, 0, expiry, v, r, s, sender=bob)
    assert shares.delegates(alice) == carol and shares.getVotes(carol) == 600 * ETHER
    assert shares.nonces(alice) == 1
    assert receipt.events.filter(shares.DelegateChanged)[0].delegator == alice
    with ape.reverts("votes: invalid nonce"):  # replay
        shares.delegateBySig(carol, 0, expiry, v, r, s, sender=bob)


def test_delegate_by_signature_failures(shares, holders, chain):
    alice, bob, carol = holders
    expiry = chain.pending_timestamp + 3600
    v, r, s = sign_delegation(shares, alice, carol, 0, chain.pending_timestamp - 1, chain.chain_id)
    with ape.reverts("votes: signature expired"):
        shares.delegateBySig(carol, 0, chain.pending_timestamp - 1, v, r, s, sender=bob)
    # Nonces are shared with permit: a permit consumes nonce 0, so the delegation signed over 0 fails.
    pv, pr, ps = sign_permit(shares, alice, bob, 1, 0, expiry, chain.chain_id)
    shares.permit(alice, bob, 1, expiry, pv, pr, ps, sender=bob)
    v, r, s = sign_delegation(shares, alice, carol, 0, expiry, chain.chain_id)
    with ape.reverts("votes: invalid nonce"):
        shares.delegateBySig(carol, 0, expiry, v, r, s, sender=bob)
    # Malleable (high-s) signature.
    v, r, s = sign_delegation(shares, alice, carol, 1, expiry, chain.chain_id)
    order = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
    high_s = (order - int.from_bytes(s, "big")).to_bytes(32, "big")
    with ape.reverts("ecdsa: invalid signature `s` value"):
        shares.delegateBySig(carol, 1, expiry, 55 - v, r, high_s, sender=bob)
    # Wrong chain id: recovers some other address, never alice.
    v, r, s = sign_delegation(shares, alice, carol, 1, expiry, chain.chain_id + 1)
    try:
        shares.delegateBySig(carol, 1, expiry, v, r, s, sender=bob)
    except ape.exceptions.ContractLogicError as error:
        assert "votes: invalid nonce" in str(error) or "ecdsa" in str(error)
    assert shares.delegates(alice) == alice and shares.nonces(alice) == 1


# ------------------------------------------------------------------------------------------- Dividends
def test_distribute_eth_logs_and_pays_pro_rata(shares, holders, payer):
    alice, bob, carol = holders
    receipt = shares.distribute_eth(value=10 * ETHER, sender=payer)
    event = receipt.events.filter(shares.DividendsDistributed)[0]
    assert (event.asset, event.amount) == (ZERO, 10 * ETHER)
    assert event.per_share_magnified == 10 * ETHER * 2**128 // (1000 * ETHER)
    assert shares.total_distributed_eth() == 10 * ETHER
    assert owed_ok(shares.withdrawable_dividends(alice)[0], 6 * ETHER)
    assert owed_ok(shares.withdrawable_dividends(bob)[0], 4 * ETHER)
    assert shares.withdrawable_dividends(carol) == (0, 0)


def test_earned_dividends_stay_put_across_transfer_mint_and_burn(shares, holders, payer, minter):
    alice, bob, carol = holders
    shares.distribute_eth(value=10 * ETHER, sender=payer)
    shares.transfer(carol, 600 * ETHER, sender=alice)  # right after a distribution
    shares.mint(carol, 1000 * ETHER, 1, sender=minter)  # new shares earn only future revenue
    shares.burn(400 * ETHER, sender=bob)
    assert owed_ok(shares.withdrawable_dividends(alice)[0], 6 * ETHER)
    assert owed_ok(shares.withdrawable_dividends(bob)[0], 4 * ETHER)
    assert shares.withdrawable_dividends(carol) == (0, 0)
    shares.distribute_eth(value=16 * ETHER, sender=payer)  # carol now holds everything
    assert owed_ok(shares.withdrawable_dividends(carol)[0], 16 * ETHER)
    assert owed_ok(shares.withdrawable_dividends(alice)[0], 6 * ETHER)


def test_claim_pays_both_assets_once(shares, holders, funded, payer):
    alice, bob, _ = holders
    receipt = shares.distribute_token(1000 * ETHER, sender=payer)
    event = receipt.events.filter(shares.DividendsDistributed)[0]
    assert (event.asset, event.amount) == (funded.address, 1000 * ETHER)
    shares.distribute_eth(value=ETHER, sender=payer)
    balance = alice.balance
    eth_owed, token_owed = shares.withdrawable_dividends(alice)
    assert owed_ok(eth_owed, 6 * ETHER // 10) and owed_ok(token_owed, 600 * ETHER)
    receipt = shares.claim(sender=alice)
    event = receipt.events.filter(shares.DividendsClaimed)[0]
    assert (event.holder, event.eth, event.token) == (alice, eth_owed, token_owed)
    assert funded.balanceOf(alice) == token_owed
    assert alice.balance == balance + eth_owed - receipt.total_fees_paid
    assert shares.withdrawn_dividends(alice) == (eth_owed, token_owed)
    assert shares.withdrawable_dividends(alice) == (0, 0)
    assert (shares.total_claimed_eth(), shares.total_claimed_token()) == (eth_owed, token_owed)
    with ape.reverts("dividends: nothing to claim"):  # double claim
        shares.claim(sender=alice)


def test_claim_for_pays_the_holder_not_the_keeper(shares, holders, funded, payer, accounts):
    _, bob, carol = holders
    keeper = accounts[7]
    shares.distribute_token(1000 * ETHER, sender=payer)
    shares.distribute_eth(value=ETHER, sender=payer)
    keeper_tokens, bob_eth = funded.balanceOf(keeper), bob.balance
    shares.claim_for(bob, sender=keeper)
    assert owed_ok(funded.balanceOf(bob), 400 * ETHER) and owed_ok(bob.balance - bob_eth, 4 * ETHER // 10)
    assert funded.balanceOf(keeper) == keeper_tokens
    with ape.reverts("dividends: nothing to claim"):
        shares.claim_for(carol, sender=keeper)


def test_zero_and_one_wei_distributions(shares, minter, accounts, payer):
    for index in range(1, 4):
        shares.mint(accounts[index], ETHER, 1, sender=minter)
    receipt = shares.distribute_eth(value=0, sender=payer)
    assert (
        len(receipt.events.filter(shares.DividendsDistributed)) == 0 and shares.total_distributed_eth() == 0
    )
    shares.distribute_eth(value=1, sender=payer)
    assert shares.total_distributed_eth() == 1
    assert all(shares.withdrawable_dividends(accounts[i])[0] == 0 for i in range(1, 4))  # 1/3 wei each
    shares.distribute_eth(value=2, sender=payer)
    # Exactly 1 wei each; the per-share truncation (< 1e-20 wei here) may round a holder down to 0.
    owed = [shares.withdrawable_dividends(accounts[i])[0] for i in range(1, 4)]
    assert all(o in (0, 1) for o in owed)
    shares.distribute_eth(value=3 * ETHER, sender=payer)
    assert all(owed_ok(shares.withdrawable_dividends(accounts[i])[0], ETHER + 1) for i in range(1, 4))
    with ape.reverts("dividends: nothing to claim"):
        shares.claim(sender=accounts[4])


def test_revenue_near_2_pow_127(project, deployer, accounts):
    big = double("PlainERC20").deploy(sender=deployer)
    token = _fresh(project, deployer, big, floor=10**9 * ETHER)
    alice, bob, payer = accounts[1], accounts[2], accounts[5]
    token.mint(alice, 3 * ETHER, 1, sender=deployer)
    token.mint(bob, 10**6 * ETHER, 1, sender=deployer)
    big.mint(payer, 2**128, sender=deployer)
    big.approve(token, MAX_UINT, sender=payer)
    token.distribute_token(2**127, sender=payer)
    supply = token.totalSupply()
    assert owed_ok(token.withdrawable_dividends(alice)[1], 2**127 * 3 * ETHER // supply)
    token.transfer(alice, 10**6 * ETHER, sender=bob)  # corrections near 2**255 still fit
    token.claim(sender=alice)
    assert owed_ok(big.balanceOf(alice), 2**127 * 3 * ETHER // supply)
    with ape.reverts("dividends: revenue overflow"):  # distributed total must stay below 2**128
        token.distribute_token(2**127, sender=payer)


def test_revenue_below_one_share_is_held_for_the_first_shares(project, deployer, accounts, funded):
    token = _fresh(project, deployer, funded)
    payer, alice = accounts[5], accounts[1]
    funded.approve(token, MAX_UINT, sender=payer)
    receipt = token.distribute_eth(value=ETHER, sender=payer)
    assert receipt.events.filter(token.RevenueHeld)[0].amount == ETHER
    token.distribute_token(50 * ETHER, sender=payer)
    assert (token.undistributed_eth(), token.undistributed_token()) == (ETHER, 50 * ETHER)
    assert token.total_distributed_eth() == 0
    token.mint(alice, ETHER // 2, 1, sender=deployer)  # still below one share: still held
    token.distribute_eth(value=ETHER, sender=payer)
    assert token.undistributed_eth() == 2 * ETHER and token.withdrawable_dividends(alice) == (0, 0)
    token.mint(accounts[2], ETHER // 2, 1, sender=deployer)  # one share: folded in, pro rata
    assert (token.undistributed_eth(), token.undistributed_token()) == (0, 0)
    assert token.total_distributed_eth() == 2 * ETHER and token.total_distributed_token() == 50 * ETHER
    assert owed_ok(token.withdrawable_dividends(alice)[0], ETHER) and owed_ok(
        token.withdrawable_dividends(alice)[1], 25 * ETHER
    )
    # Burning everything puts the supply back below one share: revenue is held again.
    token.burn(ETHER // 2, sender=alice)
    token.burn(ETHER // 2, sender=accounts[2])
    token.distribute_eth(value=3, sender=payer)
    assert token.undistributed_eth() == 3 and token.total_distributed_eth() == 2 * ETHER


def test_plain_eth_sent_is_revenue_but_unknown_calls_are_refused(shares, holders, payer):
    alice, _, _ = holders
    payer.transfer(shares, ETHER)
    assert shares.total_distributed_eth() == ETHER
    assert owed_ok(shares.withdrawable_dividends(alice)[0], 6 * ETHER // 10)
    with ape.reverts("share: unknown function"):
        payer.transfer(shares, ETHER, data="0xdeadbeef")


def test_force_sent_eth_is_not_revenue(shares, holders, payer, deployer):
    alice, bob, _ = holders
    shares.distribute_eth(value=ETHER, sender=payer)
    owed = shares.withdrawable_dividends(alice)
    double("ForceSend").deploy(shares, value=5 * ETHER, sender=deployer)
    assert shares.balance == 6 * ETHER and shares.total_distributed_eth() == ETHER
    assert shares.withdrawable_dividends(alice) == owed
    shares.claim(sender=alice)
    shares.claim(sender=bob)
    assert shares.balance >= shares.total_distributed_eth() - shares.total_claimed_eth() + 5 * ETHER


def test_distribute_token_needs_allowance(shares, holders, stable, deployer, payer):
    stable.mint(payer, ETHER, sender=deployer)
    with ape.reverts("erc20: insufficient allowance"):
        shares.distribute_token(ETHER, sender=payer)


def test_fee_on_transfer_revenue_credits_what_arrived(project, deployer, accounts):
    fee_token = double("FeeOnTransferToken").deploy(sender=deployer)
    token = _fresh(project, deployer, fee_token)
    alice, payer = accounts[1], accounts[5]
    token.mint(alice, 10 * ETHER, 1, sender=deployer)
    fee_token.mint(payer, 1000 * ETHER, sender=payer)
    fee_token.approve(token, MAX_UINT, sender=payer)
    receipt = token.distribute_token(1000 * ETHER, sender=payer)
    assert receipt.events.filter(token.DividendsDistributed)[0].amount == 990 * ETHER
    assert token.total_distributed_token() == 990 * ETHER == fee_token.balanceOf(token)
    assert owed_ok(token.withdrawable_dividends(alice)[1], 990 * ETHER)
    token.claim(sender=alice)  # the claim's own transfer also pays the fee: alice gets 99%
    assert owed_ok(fee_token.balanceOf(alice), 990 * ETHER * 99 // 100, 2)
    assert token.total_claimed_token() <= fee_token.balanceOf(token) + token.total_claimed_token()


def test_revenue_token_cannot_be_zero_or_the_share_token(project, deployer, chain):
    with ape.reverts("dividends: revenue token is the zero address"):
        project.ShareToken.deploy("S", "S", ZERO, "S", "1", sender=deployer)
    own_address = deployer.get_deployment_address()
    # eth-tester's gas estimate runs the constructor at another address, so the reason is lost on the
    # mined transaction; the message itself is checked on boa in test_share_token_stateful.py.
    with pytest.raises(ape.exceptions.TransactionError):
        project.ShareToken.deploy("S", "S", own_address, "S", "1", sender=deployer)
    assert not chain.provider.get_code(own_address)


def test_a_holder_that_refuses_eth_blocks_only_itself(shares, holders, minter, payer, deployer, accounts):
    alice, _, _ = holders
    refuser = double("RevertingReceiver").deploy(sender=deployer)
    shares.mint(refuser, 1000 * ETHER, 1, sender=minter)
    shares.distribute_eth(value=2 * ETHER, sender=payer)
    with ape.reverts("dividends: ETH transfer failed"):
        refuser.claim(shares, sender=deployer)
    with ape.reverts("dividends: ETH transfer failed"):
        shares.claim_for(refuser, sender=accounts[7])
    assert owed_ok(shares.withdrawable_dividends(refuser)[0], ETHER)
    shares.claim(sender=alice)  # others are not blocked
    assert shares.withdrawable_dividends(alice) == (0, 0)
    assert shares.total_claimed_eth() == shares.withdrawn_dividends(alice)[0]


@pytest.mark.parametrize("mode", [1, 2])  # 1: claim again, 2: transfer its shares away
def test_reentrancy_from_the_eth_receive_pays_once(shares, holders, minter, payer, deployer, mode, funded):
    alice, _, _ = holders
    attacker = double("ReentrantReceiver").deploy(shares, sender=deployer)
    shares.mint(attacker, 1000 * ETHER, 1, sender=minter)
    shares.distribute_eth(value=2 * ETHER, sender=payer)
    shares.distribute_token(2000 * ETHER, sender=payer)
    owed = shares.withdrawable_dividends(attacker)
    # Re-entry that propagates its failure makes the whole claim revert.
    attacker.arm(mode, False, sender=deployer)
    with ape.reverts():
        attacker.claim(sender=alice)
    assert shares.withdrawable_dividends(attacker) == owed
    # Re-entry whose failure is swallowed: the claim goes through once, the re-entry did nothing.
    attacker.arm(mode, True, sender=deployer)
    attacker.claim(sender=alice)
    assert attacker.attempts() == 1 and not attacker.reentry_succeeded()
    assert attacker.received() == owed[0] and funded.balanceOf(attacker) == owed[1]
    assert shares.balanceOf(attacker) == 1000 * ETHER and shares.withdrawable_dividends(attacker) == (0, 0)
    assert shares.total_claimed_eth() == owed[0]


# ----------------------------------------------------------------------------- allocation pool (finality)
def test_allocation_is_supply_without_votes_and_release_carries_its_dividends(
    shares, minter, accounts, payer, chain
):
    alice, bob = accounts[1], accounts[2]
    receipt = shares.allocate(7, 1_000 * ETHER, sender=minter)
    assert receipt.events.filter(shares.SharesAllocated)[0].amount == 1_000 * ETHER
    assert shares.totalSupply() == 1_000 * ETHER and shares.balanceOf(shares) == 1_000 * ETHER
    assert shares.allocated_shares(7) == 1_000 * ETHER and shares.is_allocated(7)
    assert shares.minted_in_epoch(7) == 1_000 * ETHER
    assert shares.delegates(shares) == ZERO and shares.getVotes(shares) == 0
    chain.mine()
    assert shares.getPastTotalSupply(chain.blocks.height - 1) == 1_000 * ETHER
    shares.distribute_eth(value=ETHER, sender=payer)
    assert owed_ok(shares.release_dividends(7, 700 * ETHER)[0], 7 * ETHER // 10)
    receipt = shares.release(7, alice, 700 * ETHER, sender=minter)
    event = receipt.events.filter(shares.SharesReleased)[0]
    assert (event.epoch, event.to, event.amount) == (7, alice, 700 * ETHER)
    assert shares.totalSupply() == 1_000 * ETHER and shares.released_shares(7) == 700 * ETHER
    assert shares.getVotes(alice) == 700 * ETHER  # auto-delegated on release, as on a mint
    assert owed_ok(shares.withdrawable_dividends(alice)[0], 7 * ETHER // 10)
    shares.distribute_eth(value=ETHER, sender=payer)
    chain.mine()
    shares.release(7, bob, 300 * ETHER, sender=minter)  # late: still gets 30% of both
    assert owed_ok(shares.withdrawable_dividends(bob)[0], 6 * ETHER // 10, 2)
    assert owed_ok(shares.withdrawable_dividends(alice)[0], 14 * ETHER // 10, 2)
    assert shares.balanceOf(shares) == 0 and shares.withdrawable_dividends(shares) == (0, 0)


def test_allocation_and_release_failures(shares, minter, accounts, deployer):
    alice = accounts[1]
    with ape.reverts("share: not minter"):
        shares.allocate(1, ETHER, sender=deployer)
    with ape.reverts("share: epoch not allocated"):
        shares.release(1, alice, 0, sender=minter)
    with ape.reverts("share: epoch mint cap exceeded"):
        shares.allocate(1, 1_000_001 * ETHER, sender=minter)
    shares.allocate(1, 10 * ETHER, sender=minter)
    with ape.reverts("share: epoch already allocated"):
        shares.allocate(1, ETHER, sender=minter)
    with ape.reverts("share: not minter"):
        shares.release(1, alice, ETHER, sender=deployer)
    for target in (ZERO, shares.address):
        with ape.reverts("share: release to an invalid address"):
            shares.release(1, target, ETHER, sender=minter)
    shares.release(1, alice, 4 * ETHER, sender=minter)
    with ape.reverts("share: release above the allocation"):
        shares.release(1, alice, 6 * ETHER + 1, sender=minter)
    with ape.reverts("share: mint to the share token"):
        shares.mint(shares, ETHER, 2, sender=minter)


def test_nobody_can_add_to_or_claim_for_the_pool(shares, holders, minter, payer):
    alice, _, _ = holders
    shares.allocate(2, 10 * ETHER, sender=minter)
    shares.distribute_eth(value=ETHER, sender=payer)
    with ape.reverts("share: transfer to the share token"):
        shares.transfer(shares, ETHER, sender=alice)
    shares.approve(payer, ETHER, sender=alice)
    with ape.reverts("share: transfer to the share token"):
        shares.transferFrom(alice, shares, ETHER, sender=payer)
    with ape.reverts("share: the pool's dividends go with its shares"):
        shares.claim_for(shares, sender=payer)


def test_revenue_held_at_zero_supply_folds_over_the_first_allocation(project, deployer, accounts, funded):
    payer = accounts[5]
    token = _fresh(project, deployer, funded)
    token.distribute_eth(value=ETHER, sender=payer)
    assert token.undistributed_eth() == ETHER
    token.allocate(1, 100 * ETHER, sender=deployer)
    assert token.undistributed_eth() == 0 and token.total_distributed_eth() == ETHER
    token.release(1, accounts[2], ETHER, sender=deployer)  # 1% claims first: gets 1%, not all
    assert owed_ok(token.withdrawable_dividends(accounts[2])[0], ETHER // 100)
    token.release(1, accounts[3], 99 * ETHER, sender=deployer)
    assert owed_ok(token.withdrawable_dividends(accounts[3])[0], ETHER * 99 // 100)


def test_claim_eth_and_claim_token_pay_one_asset_each(shares, holders, funded, payer):
    alice, _, carol = holders
    shares.distribute_token(1000 * ETHER, sender=payer)
    shares.distribute_eth(value=ETHER, sender=payer)
    eth_owed, token_owed = shares.withdrawable_dividends(alice)
    receipt = shares.claim_eth(sender=alice)
    event = receipt.events.filter(shares.DividendsClaimed)[0]
    assert (event.eth, event.token) == (eth_owed, 0)
    assert shares.withdrawable_dividends(alice) == (0, token_owed)
    with ape.reverts("dividends: no ETH to claim"):
        shares.claim_eth(sender=alice)
    receipt = shares.claim_token(sender=alice)
    event = receipt.events.filter(shares.DividendsClaimed)[0]
    assert (event.eth, event.token) == (0, token_owed) and funded.balanceOf(alice) == token_owed
    assert shares.withdrawn_dividends(alice) == (eth_owed, token_owed)
    with ape.reverts("dividends: no token to claim"):
        shares.claim_token(sender=alice)
    with ape.reverts("dividends: nothing to claim"):
        shares.claim(sender=carol)


def test_a_refusing_revenue_token_defers_only_the_token(project, deployer, accounts):
    minter, payer, alice = accounts[9], accounts[5], accounts[1]
    revenue = double("PausableERC20").deploy(sender=deployer)
    revenue.mint(payer, 10**6 * ETHER, sender=deployer)
    token = _fresh(project, deployer, revenue, minter)
    revenue.approve(token, MAX_UINT, sender=payer)
    token.mint(alice, 10 * ETHER, 1, sender=minter)
    token.distribute_token(100 * ETHER, sender=payer)
    token.distribute_eth(value=ETHER, sender=payer)
    revenue.set_blocked(alice, True, sender=payer)
    eth_owed, token_owed = token.withdrawable_dividends(alice)
    receipt = token.claim(sender=alice)
    deferred = receipt.events.filter(token.TokenClaimDeferred)[0]
    assert (deferred.holder, deferred.amount) == (alice, token_owed)
    claimed = receipt.events.filter(token.DividendsClaimed)[0]
    assert (claimed.eth, claimed.token) == (eth_owed, 0)
    assert token.withdrawable_dividends(alice) == (0, token_owed) and token.total_claimed_token() == 0
    with ape.reverts("dividends: token transfer failed"):
        token.claim_token(sender=alice)
    revenue.set_blocked(alice, False, sender=payer)
    token.claim(sender=alice)
    assert revenue.balanceOf(alice) == token_owed and token.total_claimed_token() == token_owed
