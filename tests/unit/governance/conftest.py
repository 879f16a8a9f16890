"""A deployed DAO on the in-process chain with epoch 1 settled: TEST::2..4 hold 600/300/100 shares."""

from __future__ import annotations

import pytest

from dao.storage import EmbeddedStorage
from governance.console import GovernedDAO
from tests.unit.governance.epoch_one import HOLDINGS, deploy_with_genesis, settle_epoch_one


@pytest.fixture(scope="module")
def ipfs_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("ipfs")


@pytest.fixture(scope="module")
def storage(ipfs_dir):
    return EmbeddedStorage(ipfs_dir)


@pytest.fixture(scope="module")
def advance(chain):
    def advance(seconds: int = 0, blocks: int = 1) -> None:
        if seconds:
            chain.pending_timestamp += seconds
        chain.mine(blocks)

    return advance


@pytest.fixture(scope="module")
def governed(project, accounts, storage, advance):
    deployment = deploy_with_genesis(project, accounts, "ethereum:local:test", storage)
    governed = GovernedDAO(deployment, project)
    mints = [(accounts[index].address, amount) for index, amount in HOLDINGS]
    settle_epoch_one(governed, accounts[1], accounts[5], mints, advance)
    return governed


@pytest.fixture(scope="module")
def voters(accounts):
    """alice 600, bob 300, carol 100 shares; dave none."""
    return accounts[2], accounts[3], accounts[4], accounts[6]
