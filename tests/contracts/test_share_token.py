"""ShareToken: ERC-20 with permit, vote checkpoints, ETH/ERC-20 dividends, capped minting."""

from __future__ import annotations

import ape
import pytest

ETHER = 10**18


def _owed(actual: int, exact: int, distributions: int = 1) -> bool:
    """Dividends round down: at most one wei per distribution below the exact share, never above."""
    return exact - distributions <= actual <= exact


def _delegate(token, holder, to=None):
    # ape 0.8.52's EIP-7702 `delegate` property hides the contract method of that name.
    return token.invoke_transaction("delegate", (to or holder).address, sender=holder)


@pytest.fixture
def holders(accounts, shares, minter):
    alice, bob, carol = accounts[1], accounts[2], accounts[3]
    shares.mint(alice, 600 * ETHER, 1, sender=minter)
    shares.mint(bob, 400 * ETHER, 1, sender=minter)
    return alice, bob, carol


def test_metadata_and_roles(shares, deployer, minter, stable):
    assert shares.name() == "Metamodel Share" and shares.symbol() == "MMS" and shares.decimals() == 18
    assert shares.owner() == deployer and shares.minter() == minter
    assert shares.revenue_token() == stable
    assert shares.CLOCK_MODE() == "mode=blocknumber&from=default"


def test_only_the_minter_mints(shares, accounts):
    with ape.reverts("share: caller is not the minter"):
        shares.mint(accounts[1], 1, 1, sender=accounts[1])


def test_mint_to_zero_is_refused(shares, minter):
    with ape.reverts("share: mint to the zero address"):
        shares.mint("0x0000000000000000000000000000000000000000", 1, 1, sender=minter)


def test_epoch_cap_floor_then_fraction_of_supply(shares, minter, accounts):
    shares.mint(accounts[1], 1_000_000 * ETHER, 1, sender=minter)  # the floor
    with ape.reverts("share: epoch mint cap exceeded"):
        shares.mint(accounts[1], 1, 1, sender=minter)
    # Epoch 2 may mint max(floor, 20% of 1M) = the floor again.
    assert shares.epoch_mint_cap(2) == 1_000_000 * ETHER
    shares.mint(accounts[2], 1_000_000 * ETHER, 2, sender=minter)
    assert shares.minted_in_epoch(2) == 1_000_000 * ETHER


def test_limit_setters_are_owner_only_and_bounded(shares, accounts, deployer):
    with ape.reverts("ownable: caller is not the owner"):
        shares.set_minter(accounts[1], sender=accounts[1])
    with ape.reverts("ownable: caller is not the owner"):
        shares.set_epoch_mint_limits(1, 1, sender=accounts[1])
    with ape.reverts("share: cap above 100% of the supply"):
        shares.set_epoch_mint_limits(10_001, 1, sender=deployer)


def test_mint_auto_delegates_and_transfers_do_not(shares, holders, chain):
    alice, bob, carol = holders
    assert shares.delegates(alice) == alice and shares.getVotes(alice) == 600 * ETHER
    shares.transfer(carol, 100 * ETHER, sender=alice)
    assert shares.delegates(carol) == "0x0000000000000000000000000000000000000000"
    assert shares.getVotes(alice) == 500 * ETHER and shares.getVotes(carol) == 0
    _delegate(shares, carol)
    assert shares.getVotes(carol) == 100 * ETHER


def test_past_votes_and_supply_are_checkpointed(shares, holders, chain, minter):
    alice, bob, _ = holders
    before = chain.blocks.height
    shares.transfer(bob, 100 * ETHER, sender=alice)
    chain.mine()
    assert shares.getPastVotes(alice, before) == 600 * ETHER
    assert shares.getPastVotes(alice, before + 1) == 500 * ETHER
    assert shares.getPastTotalSupply(before) == 1000 * ETHER
    with ape.reverts("votes: future lookup"):
        shares.getPastVotes(alice, chain.blocks.height + 1)


def test_redelegation_moves_votes(shares, holders):
    alice, bob, _ = holders
    _delegate(shares, alice, bob)
    assert shares.getVotes(bob) == 1000 * ETHER and shares.getVotes(alice) == 0
    assert shares.numCheckpoints(bob) == 2


def test_transfer_failures(shares, holders, accounts):
    alice, bob, carol = holders
    with ape.reverts("erc20: transfer amount exceeds balance"):
        shares.transfer(bob, 601 * ETHER, sender=alice)
    with ape.reverts("erc20: transfer to the zero address"):
        shares.transfer("0x0000000000000000000000000000000000000000", 1, sender=alice)
    with ape.reverts("erc20: insufficient allowance"):
        shares.transferFrom(alice, carol, 1, sender=carol)
    shares.approve(carol, 2**256 - 1, sender=alice)
    shares.transferFrom(alice, carol, 5, sender=carol)
    assert shares.allowance(alice, carol) == 2**256 - 1  # infinite allowance is not decremented


def test_dividends_pro_rata_and_stable_across_transfers(shares, holders, accounts):
    alice, bob, carol = holders
    shares.distribute_eth(value=10 * ETHER, sender=accounts[5])
    shares.transfer(carol, 600 * ETHER, sender=alice)  # earned dividends stay with alice
    assert _owed(shares.withdrawable_dividends(alice)[0], 6 * ETHER)
    assert _owed(shares.withdrawable_dividends(bob)[0], 4 * ETHER)
    assert shares.withdrawable_dividends(carol) == (0, 0)
    shares.distribute_eth(value=ETHER, sender=accounts[5])
    assert _owed(shares.withdrawable_dividends(carol)[0], 6 * ETHER // 10)


def test_claim_pays_both_assets_once(shares, holders, stable, deployer, accounts):
    alice, bob, _ = holders
    stable.mint(deployer, 1000 * ETHER, sender=deployer)
    stable.approve(shares, 1000 * ETHER, sender=deployer)
    shares.distribute_token(1000 * ETHER, sender=deployer)
    shares.distribute_eth(value=ETHER, sender=accounts[5])
    balance = alice.balance
    eth_owed, token_owed = shares.withdrawable_dividends(alice)
    assert _owed(eth_owed, 6 * ETHER // 10) and _owed(token_owed, 600 * ETHER)
    receipt = shares.claim(sender=alice)
    assert stable.balanceOf(alice) == token_owed
    assert alice.balance == balance + eth_owed - receipt.total_fees_paid
    assert shares.withdrawn_dividends(alice) == (eth_owed, token_owed)
    with ape.reverts("dividends: nothing to claim"):
        shares.claim(sender=alice)
    keeper_balance = stable.balanceOf(accounts[7])
    shares.claim_for(bob, sender=accounts[7])  # a keeper pays bob, not itself
    assert _owed(stable.balanceOf(bob), 400 * ETHER) and stable.balanceOf(accounts[7]) == keeper_balance
    assert shares.total_claimed_token() == stable.balanceOf(alice) + stable.balanceOf(bob)
    assert shares.total_distributed_token() - shares.total_claimed_token() <= 2  # dust stays in the token


def test_revenue_with_zero_supply_is_held_for_the_first_shares(project, deployer, stable, accounts):
    token = project.ShareToken.deploy("S", "S", stable, "S", "1", sender=deployer)
    token.set_minter(deployer, sender=deployer)
    token.set_epoch_mint_limits(0, 10 * ETHER, sender=deployer)
    token.distribute_eth(value=ETHER, sender=accounts[5])
    assert token.undistributed_eth() == ETHER and token.total_distributed_eth() == 0
    token.mint(accounts[1], ETHER, 1, sender=deployer)
    assert token.undistributed_eth() == 0
    assert token.withdrawable_dividends(accounts[1])[0] == ETHER


def test_plain_eth_sent_is_revenue(shares, holders, accounts):
    alice, _, _ = holders
    accounts[5].transfer(shares, ETHER)
    assert _owed(shares.withdrawable_dividends(alice)[0], 6 * ETHER // 10)


def test_revenue_token_cannot_be_zero(project, deployer):
    with ape.reverts("dividends: revenue token is the zero address"):
        project.ShareToken.deploy(
            "S", "S", "0x0000000000000000000000000000000000000000", "S", "1", sender=deployer
        )


def test_one_wei_dust_is_never_overpaid(shares, minter, accounts):
    for index in range(1, 4):
        shares.mint(accounts[index], 1, 1, sender=minter)
    shares.distribute_eth(value=1, sender=accounts[5])
    shares.distribute_eth(value=2, sender=accounts[5])
    owed = sum(shares.withdrawable_dividends(accounts[i])[0] for i in range(1, 4))
    # 1 wei over 3 holders pays nobody; its remainder is carried, so with 2 more wei all 3 are paid.
    assert owed == 3


def test_burn_keeps_earned_dividends(shares, holders, accounts):
    alice, _, _ = holders
    shares.distribute_eth(value=ETHER, sender=accounts[5])
    owed = shares.withdrawable_dividends(alice)[0]
    shares.burn(600 * ETHER, sender=alice)
    assert shares.withdrawable_dividends(alice)[0] == owed and _owed(owed, 6 * ETHER // 10)
    assert shares.getVotes(alice) == 0 and shares.totalSupply() == 400 * ETHER
