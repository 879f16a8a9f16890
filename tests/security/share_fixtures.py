"""The deployed, wired DAO for the dividend and share-claim regressions (findings 5 and 8, claim order).

Everything goes through `dao.chain.deploy.deploy_dao`, exactly as in production, with the short
windows of `DeployParams.for_tests`; epoch 1 is opened by the genesis recipe of the deployment.
"""

from __future__ import annotations

from dataclasses import dataclass

from dao.chain.bindings import DAO
from dao.chain.cids import cid_parts
from dao.chain.units import ETHER
from dao.data.recipe import single_model_recipe
from dao.holders.contribute import register_contribution
from tests.factories import ANCHOR_CID, RECIPE_CID, deploy_wired_dao
from valuation.merkle import MerkleTree, mint_tree, slash_tree

REPORT_CID = "QmRgKvE8uunrBVPcTWqyqRtpcqFu1q4DAX1AHc6u5wZbie"
DATA_CID = "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG"


@dataclass
class Settled:
    """A final epoch's trees: `claim(i)` submits leaf i's shares."""

    dao: DAO
    epoch: int
    mints: list[tuple[str, int]]
    tree: MerkleTree

    def claim(self, index: int, sender) -> None:
        account, amount = self.mints[index]
        self.dao.settlement.claim_shares(self.epoch, account, amount, self.tree.proof(index), sender=sender)


def wired(project, accounts, **overrides) -> DAO:
    """Deploy and hand over the DAO (TEST::0 deploys, TEST::1 operates), epoch 1 open."""
    recipe = single_model_recipe(ANCHOR_CID, 1_000_000 * ETHER).to_json()
    return deploy_wired_dao(project, accounts[0], accounts[1], recipe, RECIPE_CID, **overrides)


def advance(chain, seconds: int) -> None:
    chain.pending_timestamp += seconds
    chain.mine()


def register(dao: DAO, account, stake: int, cid: str = DATA_CID) -> int:
    """Registers a data contribution of the open epoch; returns its id (from the event)."""
    receipt = register_contribution(dao.registry, 0, cid, stake, account)
    return int(next(iter(receipt.decode_logs(dao.registry.ContributionRegistered))).id)


def settle(dao: DAO, chain, operator, mints, slashes=(), epoch: int = 1) -> tuple[Settled, MerkleTree]:
    """Commits `mints` and `slashes` as `epoch`'s report after the contribution period, then finalizes it."""
    advance(chain, int(dao.settlement.contribution_period()))
    tree, stree = mint_tree(list(mints)), slash_tree(list(slashes))
    total = sum(amount for _, amount in mints)
    bond = int(dao.settlement.operator_bond())
    dao.settlement.commit(
        epoch, *cid_parts(REPORT_CID), b"\x01" * 32, tree.root, total, stree.root, value=bond, sender=operator
    )
    advance(chain, int(dao.settlement.challenge_window()))
    dao.settlement.finalize(epoch, sender=operator)
    return Settled(dao, epoch, list(mints), tree), stree
