"""Test-only: a DAO whose epoch 1 is settled with a synthetic allocation, so that holders can vote.

Used in-process by the governance tests and, as `python -m tests.unit.governance.epoch_one`, as the
first process of the multi-process test against the local node (`dao node start`).

`dao deploy` opens no genesis epoch, and after the hand-over only governance can open one, which
nobody can vote for before any share exists: so the deployment here passes a genesis recipe to
`deploy_dao` itself. The synthetic report mints shares to a few accounts; claiming delegates.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from eth_utils import keccak

from dao.chain.cids import cid_parts
from dao.chain.deploy import DeployParams, deploy_dao
from dao.chain.units import ETHER
from dao.data.recipe import Recipe, single_model_recipe
from valuation.merkle import mint_tree

ANCHOR_CID = "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH"
REPORT_CID = "QmRgKvE8uunrBVPcTWqyqRtpcqFu1q4DAX1AHc6u5wZbie"
# TEST::2, TEST::3 and TEST::4 get 600, 300 and 100 shares: quorum (10%) is 100 shares.
HOLDINGS = ((2, 600 * ETHER), (3, 300 * ETHER), (4, 100 * ETHER))


def recipe(emission: int = 1000 * ETHER, notes: str = "") -> Recipe:
    base = single_model_recipe(ANCHOR_CID, emission)
    return Recipe(**{**base.__dict__, "notes": notes}).validate()


def deploy_with_genesis(project, accounts, network: str, storage, params: DeployParams | None = None):
    """Deploy (TEST::0 deploys, TEST::1 operates) with epoch 1 opened on a recipe stored in `storage`."""
    data = recipe(notes="genesis").to_json()
    cid = storage.add(data)
    return deploy_dao(
        project, accounts[0], accounts[1], network, params or DeployParams.for_tests(), (cid, keccak(data))
    )


def settle_epoch_one(dao, operator, submitter, mints, advance: Callable[[int], None]) -> None:
    """Commit `mints` [(address, shares wei)] as epoch 1's report, finalize, claim every leaf.

    `advance(seconds)` moves the chain's time forward and mines a block.
    """
    advance(int(dao.settlement.contribution_period()))
    tree = mint_tree(list(mints))
    total = sum(amount for _, amount in mints)
    bond = int(dao.settlement.operator_bond())
    dao.settlement.commit(
        1, *cid_parts(REPORT_CID), b"\x01" * 32, tree.root, total, b"\x00" * 32, value=bond, sender=operator
    )
    advance(int(dao.settlement.challenge_window()))
    dao.settlement.finalize(1, sender=submitter)
    for index, (account, amount) in enumerate(mints):
        dao.settlement.claim_shares(1, account, amount, tree.proof(index), sender=submitter)
    advance(0)  # votes are checkpointed: the claims' block must be in the past before a proposal


def main(network: str = "ethereum:local:node") -> None:
    """Deploy on the node, settle epoch 1 to TEST::2..4, print the governor's address."""
    from ape import accounts, networks

    from dao.chain.bindings import DAO, load_project
    from dao.chain.node import mine
    from dao.storage import get_storage

    with networks.parse_network_choice(network):
        test_accounts = accounts.test_accounts
        deployment = deploy_with_genesis(load_project(), test_accounts, network, get_storage())
        dao = DAO(deployment)
        mints = [(test_accounts[index].address, amount) for index, amount in HOLDINGS]
        settle_epoch_one(dao, test_accounts[1], test_accounts[5], mints, lambda s: mine(1, s))
        print(f"epoch 1 final; shares: {dao.shares.totalSupply() // ETHER}; governor {dao.governor.address}")


if __name__ == "__main__":
    main(*sys.argv[1:])
