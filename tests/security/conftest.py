"""A DAO deployed and wired by `dao.chain.deploy.deploy_dao` (short windows, a guardian), with
epoch 1 open, for the attack regressions of issue 15. Each test gets a fresh deployment."""

from __future__ import annotations

from dataclasses import asdict

import pytest

from dao.chain.cids import cid_parts
from dao.chain.deploy import DeployParams
from dao.chain.units import ETHER
from dao.data.recipe import single_model_recipe
from dao.holders.contribute import register_contribution
from valuation.merkle import mint_tree, slash_tree

ANCHOR = "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH"
RECIPE = "QmfDmsHTywy6L9Ne5RXsj5YumDedfBLMvCvmaxjBoe6w4d"
REPORT = "QmRgKvE8uunrBVPcTWqyqRtpcqFu1q4DAX1AHc6u5wZbie"
CIDS = [
    "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG",
    "QmbgxEKzU1AvXcG9NxvU4L5aBiPRE7v7seLcNqKKs2epZ6",
]


@pytest.fixture
def params():
    return DeployParams.for_tests()


@pytest.fixture
def roles(accounts):
    """deployer, operator, guardian (a multisig in production), alice, bob, mallory, keeper."""
    names = ("deployer", "operator", "guardian", "alice", "bob", "mallory", "keeper")
    return dict(
        zip(
            names,
            (accounts[0], accounts[1], accounts[7], accounts[2], accounts[3], accounts[5], accounts[6]),
            strict=True,
        )
    )


@pytest.fixture
def dao(create_dao, roles, params):
    genesis = single_model_recipe(ANCHOR, 1000 * ETHER).to_json()
    settings = {**asdict(params), "guardian": roles["guardian"].address}
    return create_dao(roles["deployer"], roles["operator"], recipe=genesis, recipe_cid=RECIPE, **settings)


@pytest.fixture(scope="module")
def advance(chain):
    def advance(seconds: int = 0) -> None:
        if seconds:
            chain.pending_timestamp += seconds
        chain.mine()

    return advance


def register(dao, who, cid: str, stake: int = ETHER, kind: int = 0) -> int:
    """Commit and reveal a registration; returns the contribution id."""
    receipt = register_contribution(dao.registry, kind, cid, stake, who)
    return int(next(iter(receipt.decode_logs(dao.registry.ContributionRegistered))).id)


def commit(dao, operator, mints, slashes=(), epoch: int = 1):
    """Commit a report of `mints` [(address, shares)] and `slashes` [(id, wei)]; returns both trees."""
    mtree = mint_tree(list(mints))
    stree = slash_tree(list(slashes)) if slashes else None
    dao.settlement.commit(
        epoch,
        *cid_parts(REPORT),
        b"\x01" * 32,
        mtree.root,
        sum(a for _, a in mints),
        stree.root if stree else b"\x00" * 32,
        value=dao.settlement.operator_bond(),
        sender=operator,
    )
    return mtree, stree
