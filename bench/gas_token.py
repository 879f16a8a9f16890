"""Gas of the ShareToken's hot paths, as transaction gas (21,000 intrinsic and calldata included).

Every figure is `receipt.gas_used` of a real transaction on ape's in-process eth-tester chain
(the `ethereum:local:test` network), directly comparable with the table in CONTRACTS.md.

Scenarios (each measured on the transaction named, after the set-up described):
- `transfer`: A -> B, both with non-zero share balances, both undelegated, ETH and token dividends
  already distributed and both parties' dividend corrections already non-zero (they were minted
  after revenue arrived: the steady state of an active token).
- `transfer_delegated`: the same with A and B each delegated to itself, in a new block (two new
  vote checkpoints).
- `delegate`: an undelegated holder delegates to itself (first checkpoint of the delegatee).
- `deposit_revenue`: `distribute_eth` of 1 ETH (not the first distribution).
- `distribute_token`: `distribute_token` of 1,000 units of a plain ERC-20 (not the first).
- `dividend_claim_N`: a fresh token with N holders (N - 1 addresses plus the claimant) that received
  one ETH and one token distribution; the claimant's first `claim` (pays both assets, and the
  claimant's first revenue-token balance).
- `mint`: the minter mints to a new address (auto-delegation, first checkpoint) in an epoch that
  has already minted, with dividends active.
- `snekmate_erc20_transfer`: a plain snekmate `erc20` (tests/unit/contracts/doubles/PlainERC20.vy)
  transfer between two non-zero balances.

Run: `python -m bench.gas_token` (prints JSON).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOUBLES = ROOT / "tests" / "unit" / "contracts" / "doubles"
ETHER = 10**18
HOLDER_COUNTS = (10, 100, 1000)


def _container(name: str):
    """Compile a test double with ape-vyper (it lives outside `contracts/`)."""
    from ape import compilers, project

    source = (DOUBLES / f"{name}.vy").read_text()
    return compilers.compile_source("vyper", source, project=project, contractName=name)


def _address(index: int) -> str:
    return "0x" + (0xB0000000 + index).to_bytes(20, "big").hex()


def _deploy_shares(project, deployer, minter, revenue):
    shares = project.ShareToken.deploy(
        "Metamodel Share", "MMS", revenue, "Metamodel Share", "1", sender=deployer
    )
    shares.set_minter(minter, sender=deployer)
    shares.set_epoch_mint_limits(10_000, 10**12 * ETHER, sender=deployer)
    return shares


def _delegate(shares, holder, to):
    # ape 0.8.52's EIP-7702 `delegate` property hides the contract method of that name.
    return shares.invoke_transaction("delegate", to, sender=holder)


def measure(accounts) -> dict[str, int]:
    """Measure every scenario on the connected (in-process) chain; `accounts` are ape test accounts."""
    from ape import chain, project

    deployer, minter, payer, alice, bob, carol = accounts[0], accounts[1], accounts[2], *accounts[3:6]
    zero = "0x0000000000000000000000000000000000000000"
    gas: dict[str, int] = {}

    plain = _container("PlainERC20").deploy(sender=deployer)
    plain.mint(payer, 10**9 * ETHER, sender=deployer)
    plain.mint(alice, 1_000 * ETHER, sender=deployer)
    plain.mint(bob, 1_000 * ETHER, sender=deployer)
    gas["snekmate_erc20_transfer"] = plain.transfer(bob, ETHER, sender=alice).gas_used

    shares = _deploy_shares(project, deployer, minter, plain)
    plain.approve(shares, 2**256 - 1, sender=payer)
    shares.mint(carol, 1_000 * ETHER, 1, sender=minter)
    shares.distribute_eth(value=ETHER, sender=payer)  # first distributions: per-share slots 0 -> x
    shares.distribute_token(1_000 * ETHER, sender=payer)
    # Minted after revenue: alice's and bob's dividend corrections are non-zero (steady state).
    shares.mint(alice, 1_000 * ETHER, 1, sender=minter)
    shares.mint(bob, 1_000 * ETHER, 1, sender=minter)
    gas["deposit_revenue"] = shares.distribute_eth(value=ETHER, sender=payer).gas_used
    gas["distribute_token"] = shares.distribute_token(1_000 * ETHER, sender=payer).gas_used
    chain.mine()
    gas["transfer_delegated"] = shares.transfer(bob, ETHER, sender=alice).gas_used
    _delegate(shares, alice, zero)
    _delegate(shares, bob, zero)
    chain.mine()
    gas["transfer"] = shares.transfer(bob, ETHER, sender=alice).gas_used
    chain.mine()
    gas["delegate"] = _delegate(shares, alice, alice.address).gas_used
    chain.mine()
    gas["mint"] = shares.mint(_address(999_999), 10 * ETHER, 1, sender=minter).gas_used

    for offset, count in enumerate(HOLDER_COUNTS):
        claimant = accounts[6 + offset]
        token = _deploy_shares(project, deployer, minter, plain)
        plain.approve(token, 2**256 - 1, sender=payer)
        token.mint(claimant, 10 * ETHER, 1, sender=minter)
        for index in range(count - 1):
            token.mint(_address(count * 10_000 + index), 10 * ETHER, 1, sender=minter)
        assert token.totalSupply() == count * 10 * ETHER
        token.distribute_eth(value=ETHER, sender=payer)
        token.distribute_token(1_000 * ETHER, sender=payer)
        assert plain.balanceOf(claimant) == 0
        receipt = token.claim(sender=claimant)
        eth, paid = receipt.events.filter(token.DividendsClaimed)[0].eth, plain.balanceOf(claimant)
        assert eth > 0 and paid > 0
        gas[f"dividend_claim_{count}"] = receipt.gas_used
    return gas


def main() -> None:
    from ape import accounts, networks

    started = time.perf_counter()
    with networks.parse_network_choice("ethereum:local:test"):
        figures = measure(accounts.test_accounts)
    print(json.dumps(figures, indent=2))
    print(f"# measured in {time.perf_counter() - started:.1f} s", flush=True)


if __name__ == "__main__":
    main()
