"""Shared fixtures for contract tests: ape accounts and freshly deployed tokens."""

from __future__ import annotations

import pytest

ETHER = 10**18


@pytest.fixture(scope="module")
def deployer(accounts):
    return accounts[0]


@pytest.fixture(scope="module")
def minter(accounts):
    return accounts[9]


@pytest.fixture(scope="module")
def stable(project, deployer):
    return project.DemoStablecoin.deploy(sender=deployer)


@pytest.fixture(scope="module")
def shares(project, deployer, minter, stable):
    token = project.ShareToken.deploy(
        "Metamodel Share", "MMS", stable, "Metamodel Share", "1", sender=deployer
    )
    token.set_minter(minter, sender=deployer)
    token.set_epoch_mint_limits(2_000, 1_000_000 * ETHER, sender=deployer)
    return token
