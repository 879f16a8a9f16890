"""Our own transactions on live networks are estimated at "pending" with a 20% margin (issue 19): an
estimate at "latest" misses the vote checkpoint a holder's next-block transaction writes."""

from __future__ import annotations

from types import SimpleNamespace

from ape.types.gas import AutoGasLimit
from ape_ethereum.provider import Web3Provider

from dao.chain.gas import install_pending_estimates

MARGIN = AutoGasLimit(multiplier=1.2)


def test_ape_config_gives_live_networks_a_margin_and_local_ones_the_max(networks):
    assert networks.ethereum.mainnet.gas_limit == MARGIN
    assert networks.ethereum.sepolia.gas_limit == MARGIN
    assert networks.ethereum.local.gas_limit == "max"  # nothing estimated on local chains


def test_ape_applies_the_configured_margin_to_its_estimate(networks, accounts, monkeypatch):
    live = networks.ethereum.mainnet.gas_limit  # as configured for mainnet, on the in-process chain
    monkeypatch.setattr(type(networks.provider.network), "gas_limit", property(lambda self: live))
    txn = networks.ecosystem.create_transaction(
        sender=accounts[0].address, receiver=accounts[1].address, value=1
    )
    estimate = networks.provider.estimate_gas_cost(txn)
    assert estimate == 21_000
    assert networks.provider.prepare_transaction(txn).gas_limit == int(estimate * 1.2)


def _provider(is_dev: bool, asked: list):
    def estimate_gas(params, block_identifier=None):
        asked.append(block_identifier)
        return 50_000

    return SimpleNamespace(
        network=SimpleNamespace(is_dev=is_dev),
        web3=SimpleNamespace(eth=SimpleNamespace(estimate_gas=estimate_gas)),
    )


def test_live_providers_estimate_at_pending_and_local_ones_as_before(networks, accounts):
    install_pending_estimates()
    install_pending_estimates()  # idempotent: one wrapper, not two
    txn = networks.ecosystem.create_transaction(
        sender=accounts[0].address, receiver=accounts[1].address, value=1
    )
    asked: list = []
    assert Web3Provider.estimate_gas_cost(_provider(False, asked), txn) == 50_000
    Web3Provider.estimate_gas_cost(_provider(False, asked), txn, block_id="latest")  # asked for: kept
    Web3Provider.estimate_gas_cost(_provider(True, asked), txn)  # local chains and forks: unchanged
    assert asked == ["pending", "latest", None]
