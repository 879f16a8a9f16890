"""Finding 9 (low): `finalize` paid the operator bond to the current operator, not to the account
that committed and paid it. Now the bond follows its committer on every path (finalize, void).

Replacing the operator takes a governance vote in the deployed system; the in-process provider
cannot impersonate the Timelock, so this test wires the same contracts with the deployer kept as
owner (standing in for the Timelock)."""

from __future__ import annotations

import pytest

from dao.chain.cids import cid_parts
from dao.holders.contribute import register_contribution
from tests.security.conftest import CIDS, ETHER, REPORT
from valuation.merkle import mint_tree

PERIOD, WINDOW, UNBONDING = 600, 600, 3600


@pytest.fixture
def system(project, accounts):
    owner, operator, guardian = accounts[0], accounts[1], accounts[7]
    stable = project.DemoStablecoin.deploy(sender=owner)
    shares = project.ShareToken.deploy("S", "S", stable, "S", "1", sender=owner)
    registry = project.ContributionRegistry.deploy(shares, ETHER // 100, UNBONDING, sender=owner)
    settlement = project.EpochSettlement.deploy(
        shares,
        registry,
        operator,
        PERIOD,
        WINDOW,
        ETHER // 10,
        ETHER // 10,
        guardian,
        30 * 86_400,
        sender=owner,
    )
    registry.set_settlement(settlement, sender=owner)
    shares.set_minter(settlement, sender=owner)
    shares.set_epoch_mint_limits(2_000, 1_000_000 * ETHER, sender=owner)
    settlement.open_epoch(REPORT, b"\x01" * 32, sender=owner)
    return settlement, registry, owner, operator, guardian


@pytest.mark.parametrize("ending", ["finalize", "void"])
def test_the_bond_returns_to_whoever_committed_it(system, accounts, chain, ending):
    settlement, registry, owner, operator, guardian = system
    alice, successor = accounts[2], accounts[8]
    register_contribution(registry, 0, CIDS[0], ETHER, alice)
    chain.pending_timestamp += PERIOD
    tree = mint_tree([(alice.address, ETHER)])
    settlement.commit(
        1,
        *cid_parts(REPORT),
        b"\x01" * 32,
        tree.root,
        ETHER,
        b"\x00" * 32,
        value=ETHER // 10,
        sender=operator,
    )
    settlement.set_operator(successor, sender=owner)  # governance replaces the operator
    if ending == "finalize":
        chain.pending_timestamp += WINDOW
        settlement.finalize(1, sender=accounts[6])
    else:
        settlement.void_epoch(1, sender=guardian)
    assert settlement.bonds_owed(operator) == ETHER // 10
    assert settlement.bonds_owed(successor) == 0
    assert settlement.epochs(1).committer in (operator.address, "0x" + "00" * 20)
