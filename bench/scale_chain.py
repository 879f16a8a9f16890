"""The on-chain cost curve of one epoch by size: `python -m bench.scale_chain [--quick]`.

Every figure is `receipt.gas_used` of a real transaction (21,000 intrinsic and calldata included)
on ape's in-process chain (`ethereum:local:test`). For each allocation size N (10, 100, 1,000 and
10,000 leaves) a fresh DAO is deployed and wired by `dao.chain.deploy.deploy_dao`, as in production (one
deployment per size, because governance alone opens a second epoch), and epoch 1 is played:

- `commit_gas` / `finalize_gas`: the operator commits a report whose mint root covers N leaves
  (the tree is built off-chain with `valuation.merkle.mint_tree`; only the root goes on-chain),
  then anyone finalizes it after the challenge window.
- `claim_shares_gas`: the epoch's first `claim_shares`, for the same account and amount in every
  tree (a fresh holder, auto-delegated on its first mint); `claim_shares_proof_length` is that
  leaf's proof length (floor or ceil of log2 N in the StandardMerkleTree layout), and
  `claim_shares_gas_per_proof_element` the least-squares slope of gas on proof length.
- `dividend_claim_gas`: in the trees of H = 10, 100 and 1,000 leaves, every leaf is claimed through
  `claim_shares` (H holders), then 1 ETH (`distribute_eth`) and 1,000 dUSD (`distribute_token`) of
  revenue arrive, and the claimant's first `ShareToken.claim()` is measured (it pays both assets).
- `register_gas`: the 1st, 2nd, 100th and 1,000th `ContributionRegistry.register` of epoch 1 (in
  the 10-leaf deployment, before its commit), distinct valid CIDv0s of equal length, 0.01 ETH stake.

Leaves are (deterministic synthetic address `bench.gas._addr(i)`, 10 shares), except the measured
claimant's, which is a test account (it must sign its dividend claim). `reading` states, from the
numbers, whether each curve is flat (max/min below 1.05) or grows with log2 N (a positive
least-squares slope on log2 N, or proof length, that fits with R^2 >= 0.9 and adds at least 1%).
`--quick` stops at 1,000 leaves, 100 holders and the 100th registration (under a minute).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import time

import numpy as np

from bench.gas import CID, ETHER, RECIPE, REPORT, _addr
from dao.chain.cids import cid_parts
from dao.holders.contribute import commitment_hash

LEAF_SIZES = (10, 100, 1_000, 10_000)
HOLDER_COUNTS = (10, 100, 1_000)
REGISTER_POSITIONS = (1, 2, 100, 1_000)
QUICK_LEAF_SIZES = (10, 100, 1_000)
QUICK_HOLDER_COUNTS = (10, 100)
QUICK_REGISTER_POSITIONS = (1, 2, 100)
LEAF_AMOUNT = 10 * ETHER
FLAT = 1.05  # max/min below this reads "flat"
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def contribution_cid(index: int) -> str:
    """A distinct, valid CIDv0 of the usual 46 characters (the registry checks the alphabet)."""
    digits = ""
    for _ in range(6):
        index, rest = divmod(index, 58)
        digits = _B58[rest] + digits
    if index:
        raise ValueError("index too large for six base58 digits")
    return CID[:-6] + digits


def _deploy(params):
    """A fresh DAO, deployed, wired and handed over exactly as `bench.gas.measure_system` does."""
    from ape import accounts, project
    from eth_utils import keccak

    from dao.chain.bindings import DAO
    from dao.chain.deploy import deploy_dao
    from dao.data.recipe import single_model_recipe

    a = accounts.test_accounts
    genesis = single_model_recipe(CID, 1000 * ETHER).to_json()
    deployment = deploy_dao(project, a[0], a[1], "ethereum:local:test", params, (RECIPE, keccak(genesis)))
    return DAO(deployment, project)


def _measure_size(leaves: int, holders: int, register_positions: tuple[int, ...]) -> dict:
    """Play epoch 1 of a fresh DAO with an N-leaf allocation; gas of each step."""
    from ape import accounts, chain

    from dao.chain.deploy import DeployParams
    from valuation.merkle import mint_tree

    a = accounts.test_accounts
    claimant, operator, contributor, payer, deployer = a[2], a[1], a[3], a[5], a[0]
    # Contributions stay open long enough for 1,000 registrations (each block moves time by 1 s).
    params = DeployParams.for_tests(contribution_period=3_600)
    dao = _deploy(params)
    out: dict = {}

    if register_positions:
        register: dict[str, int] = {}
        for position in range(1, max(register_positions) + 1):
            cid = contribution_cid(position)
            # Commit, then reveal (issue 15): a registration's gas is both transactions'.
            salt = position.to_bytes(32, "big")
            commitment = commitment_hash(contributor.address, 0, cid, salt)
            committed = dao.registry.commit_contribution(commitment, sender=contributor)
            receipt = dao.registry.register(0, *cid_parts(cid), salt, value=ETHER // 100, sender=contributor)
            if position in register_positions:
                register[str(position)] = committed.gas_used + receipt.gas_used
        assert dao.registry.contribution_count() == max(register_positions)
        out["register"] = register

    chain.pending_timestamp += params.contribution_period
    chain.mine()
    allocation = [(claimant.address, LEAF_AMOUNT)] + [(_addr(i), LEAF_AMOUNT) for i in range(1, leaves)]
    tree = mint_tree(allocation)
    total = LEAF_AMOUNT * leaves
    out["commit"] = dao.settlement.commit(
        1,
        *cid_parts(REPORT),
        b"\x01" * 32,
        tree.root,
        total,
        b"\x00" * 32,
        value=params.operator_bond,
        sender=operator,
    ).gas_used
    chain.pending_timestamp += params.challenge_window
    chain.mine()
    out["finalize"] = dao.settlement.finalize(1, sender=a[4]).gas_used

    proof = tree.proof(0)
    receipt = dao.settlement.claim_shares(1, claimant, LEAF_AMOUNT, proof, sender=claimant)
    out["claim_shares"] = receipt.gas_used
    out["claim_shares_proof_length"] = len(proof)

    if holders:
        if holders != leaves:
            raise ValueError("holders are the leaves of the tree: measure them in the tree of that size")
        for index in range(1, leaves):  # anyone may submit a claim; the shares go to the leaf's account
            dao.settlement.claim_shares(1, allocation[index][0], LEAF_AMOUNT, tree.proof(index), sender=payer)
        assert dao.shares.totalSupply() == total and dao.shares.balanceOf(claimant) == LEAF_AMOUNT
        token = dao.revenue_token
        token.mint(payer, 1_000 * ETHER, sender=deployer)  # the deployer keeps dUSD's minter role
        token.approve(dao.shares, 1_000 * ETHER, sender=payer)
        dao.shares.distribute_eth(value=ETHER, sender=payer)
        dao.shares.distribute_token(1_000 * ETHER, sender=payer)
        before = token.balanceOf(claimant)
        receipt = dao.shares.claim(sender=claimant)
        assert receipt.events.filter(dao.shares.DividendsClaimed)[0].eth > 0
        assert token.balanceOf(claimant) > before
        out["dividend_claim"] = receipt.gas_used
    return out


def _fit(x: list[float], y: list[float]) -> tuple[float, float, float]:
    """Least-squares slope, intercept and R^2 of y on x."""
    slope, intercept = np.polyfit(np.asarray(x, dtype=float), np.asarray(y, dtype=float), 1)
    predicted = slope * np.asarray(x, dtype=float) + intercept
    spread = float(np.sum((np.asarray(y) - np.mean(y)) ** 2))
    r2 = 1.0 - float(np.sum((np.asarray(y) - predicted) ** 2)) / spread if spread else 1.0
    return float(slope), float(intercept), r2


def read_curve(name: str, gas: dict[str, int], x: dict[str, float] | None = None, x_unit: str = "") -> str:
    """'flat' or 'grows with log2(N)' (or neither), from the figures; x defaults to log2 of the keys."""
    sizes = list(gas)
    ratio = max(gas.values()) / min(gas.values())
    xs = [x[n] for n in sizes] if x is not None else [math.log2(int(n)) for n in sizes]
    unit = x_unit or "doubling of N"
    over = f"over N = {', '.join(sizes)}"
    if len(sizes) >= 2 and len(set(xs)) >= 2:
        slope, intercept, r2 = _fit(xs, [gas[n] for n in sizes])
        added = slope * (max(xs) - min(xs)) / min(gas.values())
        if slope > 0 and r2 >= 0.9 and added >= 0.01:
            return (
                f"{name}: grows with log2(N): {intercept:,.0f} + {slope:,.0f} gas per {unit} "
                f"(R^2 {r2:.3f}, max/min {ratio:.3f} {over})"
            )
    if ratio < FLAT:
        return f"{name}: flat (max/min {ratio:.3f} {over})"
    return f"{name}: not flat and not log2(N) (max/min {ratio:.3f} {over})"


def read_register(register: dict[str, int]) -> str:
    """Registration cost by position in the epoch: flat after the first, and the first's surcharge."""
    positions = [p for p in register if p != "1"]
    if not positions:
        return "register: only the 1st contribution measured"
    later = {p: register[p] for p in positions}
    steady = read_curve("", later).split(": ", 1)[1].replace("over N = ", "over contributions ")
    extra = register.get("1", 0) - min(later.values())
    first = f"; the 1st costs {extra:+,} gas over the cheapest later one (one-off)" if "1" in register else ""
    return f"register: from the 2nd contribution on, {steady}{first}"


def run(quick: bool = False) -> dict:
    """Measure every curve on ape's in-process chain and return them with their reading."""
    from ape import networks
    from ape.logging import logger

    leaf_sizes = QUICK_LEAF_SIZES if quick else LEAF_SIZES
    holder_counts = QUICK_HOLDER_COUNTS if quick else HOLDER_COUNTS
    register_positions = QUICK_REGISTER_POSITIONS if quick else REGISTER_POSITIONS
    started = time.perf_counter()
    by_size: dict[str, dict] = {}
    previous_state_dir = os.environ.get("DAO_STATE_DIR")
    # ape's per-transaction INFO lines go to stdout, where the JSON goes.
    with tempfile.TemporaryDirectory() as scratch, logger.at_level("WARNING"):
        os.environ["DAO_STATE_DIR"] = scratch  # the deployment records of deploy_dao go here
        try:
            with networks.parse_network_choice("ethereum:local:test"):
                for index, leaves in enumerate(leaf_sizes):
                    by_size[str(leaves)] = _measure_size(
                        leaves,
                        leaves if leaves in holder_counts else 0,
                        register_positions if index == 0 else (),
                    )
        finally:
            if previous_state_dir is None:
                os.environ.pop("DAO_STATE_DIR", None)
            else:
                os.environ["DAO_STATE_DIR"] = previous_state_dir

    commit = {n: row["commit"] for n, row in by_size.items()}
    finalize = {n: row["finalize"] for n, row in by_size.items()}
    claim = {n: row["claim_shares"] for n, row in by_size.items()}
    proof_length = {n: row["claim_shares_proof_length"] for n, row in by_size.items()}
    dividend = {n: row["dividend_claim"] for n, row in by_size.items() if "dividend_claim" in row}
    register = next(row["register"] for row in by_size.values() if "register" in row)
    per_element, base, r2 = _fit(list(proof_length.values()), list(claim.values()))
    reading = [
        read_curve("commit", commit),
        read_curve("finalize", finalize),
        read_curve("claim_shares", claim, {n: float(v) for n, v in proof_length.items()}, "proof element")
        + f"; proof length {', '.join(map(str, proof_length.values()))}",
        read_curve("dividend claim", dividend).replace("over N = ", "over holders "),
        read_register(register),
    ]
    return {
        "quick": quick,
        "commit_gas": commit,
        "finalize_gas": finalize,
        "claim_shares_gas": claim,
        "claim_shares_proof_length": proof_length,
        "claim_shares_gas_per_proof_element": round(per_element, 1),
        "claim_shares_fit": {"base": round(base, 1), "per_proof_element": round(per_element, 1), "r2": r2},
        "dividend_claim_gas": dividend,
        "dividend_claim_max_over_min": max(dividend.values()) / min(dividend.values()),
        "register_gas": register,
        "reading": reading,
        "seconds": round(time.perf_counter() - started, 1),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="10 to 1,000 leaves, 10 and 100 holders, 100 registrations"
    )
    args = parser.parse_args(argv)
    json.dump(run(quick=args.quick), sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
