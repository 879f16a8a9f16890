"""Payout policy (exact integer sums, slashes only below zero) and the OpenZeppelin Merkle tree."""

from __future__ import annotations

from pathlib import Path

import boa
import pytest
from eth_abi import encode
from hypothesis import given, settings
from hypothesis import strategies as st

from valuation.errors import InvalidInput
from valuation.merkle import (
    EMPTY_ROOT,
    encode_address_uint,
    keccak256,
    leaf_hash,
    mint_tree,
    slash_tree,
    verify,
)
from valuation.payout import PayoutPolicy, Player, split_proportionally

ROOT = Path(__file__).resolve().parents[3]
ETHER = 10**18


def _player(i, value, low=None, high=None, stake=ETHER):
    return Player(
        i, f"0x{i:040x}", value, value if low is None else low, value if high is None else high, stake
    )


@given(total=st.integers(0, 10**27), weights=st.lists(st.floats(0, 1e6), min_size=1, max_size=30))
@settings(max_examples=200, deadline=None)
def test_proportional_split_sums_exactly(total, weights):
    amounts = split_proportionally(total, weights)
    assert all(a >= 0 for a in amounts)
    assert sum(amounts) == (total if sum(weights) > 0 else 0)


@given(
    values=st.lists(st.tuples(st.floats(-1, 1), st.floats(0, 0.5)), min_size=1, max_size=12),
    emission=st.integers(1, 10**24),
    data_bps=st.integers(0, 10_000),
    cap=st.integers(0, 10_000),
)
@settings(max_examples=200, deadline=None)
def test_allocation_properties(values, emission, data_bps, cap):
    players = [_player(i, v, v - w, v + w) for i, (v, w) in enumerate(values)]
    data, models = players[: len(players) // 2], players[len(players) // 2 :]
    policy = PayoutPolicy(emission, data_bps, cap)
    allocation = policy.allocate(data, models)
    assert allocation == policy.allocate(data, models)  # deterministic
    any_positive = any(p.value > 0 for p in players)
    assert allocation.total_mint == (emission if any_positive else 0)
    assert all(amount > 0 for amount in allocation.mints.values())
    for player in players:
        slashed = allocation.slashes.get(player.contribution_id, 0)
        if player.ci_high >= 0:
            assert slashed == 0
        assert slashed <= player.stake * cap // 10_000


def test_pools_split_by_bps_and_pass_on_when_empty():
    policy = PayoutPolicy(1000, 7_000, 1_000)
    split = policy.allocate([_player(1, 0.2), _player(2, 0.6)], [_player(3, 0.1)])
    assert split.mints == {f"0x{1:040x}": 175, f"0x{2:040x}": 525, f"0x{3:040x}": 300}
    no_models = policy.allocate([_player(1, 0.2)], [_player(3, -0.1, -0.2, 0.05)])
    assert no_models.mints == {f"0x{1:040x}": 1000} and no_models.slashes == {}
    worst = policy.allocate([_player(1, -0.4, -0.5, -0.3), _player(2, -0.2, -0.3, -0.1)], [_player(3, 1.0)])
    assert worst.slashes == {1: ETHER // 10, 2: ETHER // 20}
    with pytest.raises(InvalidInput, match="data_pool_bps"):
        PayoutPolicy(1, 10_001, 0).allocate([], [])


def test_leaf_encoding_matches_eth_abi():
    account = "0x" + "ab" * 20
    assert encode_address_uint(account, 5) == encode(["address", "uint256"], [account, 5])
    assert leaf_hash(encode(["uint256", "uint256"], [7, 9])) == keccak256(
        keccak256(encode(["uint256", "uint256"], [7, 9]))
    )


@pytest.fixture(scope="module")
def verifier():
    return boa.load(str(ROOT / "tests/unit/contracts/doubles/MerkleVerifier.vy"))


@pytest.mark.parametrize("n", [1, 2, 3, 7, 64, 1000])
def test_every_proof_verifies_on_chain(verifier, n):
    allocation = [(f"0x{i + 1:040x}", (i + 1) * 10**15) for i in range(n)]
    tree = mint_tree(allocation)
    for i in (0, n // 2, n - 1):
        leaf = leaf_hash(encode_address_uint(*allocation[i]))
        proof = tree.proof(i)
        assert verify(tree.root, leaf, proof)
        assert verifier.verify(proof, tree.root, leaf)
        other = leaf_hash(encode_address_uint(allocation[i][0], allocation[i][1] + 1))
        assert not verifier.verify(proof, tree.root, other)


def test_an_internal_node_is_not_a_leaf(verifier):
    tree = slash_tree([(1, 5), (2, 6), (3, 7), (4, 8)])
    internal = tree.tree[1]  # hashes two leaves; presenting it with the remaining proof must fail
    assert not verifier.verify([tree.tree[2]], tree.root, leaf_hash(internal))


def test_empty_tree_has_a_zero_root():
    assert mint_tree([]).root == EMPTY_ROOT
