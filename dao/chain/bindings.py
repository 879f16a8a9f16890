"""Python bindings of the deployed DAO: one object that knows every contract of a network.

Everything that talks to the chain (the CLI, `ape run` scripts, `ape console`, the epoch pipeline)
goes through `DAO`, so address look-ups, the ape quirks and revert translation live in one place.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dao.chain.deployments import CONTRACT_TYPES, Deployment, StaleDeployment, load_deployment
from dao.chain.reverts import refusals_as_errors
from dao.errors import DaoError
from dao.paths import project_root

NETWORK_ALIASES = {
    "test": "ethereum:local:test",
    "node": "ethereum:local:node",
}


class ChainUnreachable(DaoError):
    """The chain could not be reached: no node answers at the configured address."""


def network_choice(name: str) -> str:
    """`test`/`node` shorthands or any ape network choice (`ethereum:local:node`)."""
    return NETWORK_ALIASES.get(name, name)


@contextmanager
def connected(network: str = "test") -> Iterator[str]:
    """Connect ape to `network` for the duration of the block; yields the full network choice."""
    from ape import networks
    from ape.logging import logger

    from dao.chain.gas import install_pending_estimates

    install_pending_estimates()  # live networks: estimate in the next block, not the latest
    logger.set_level("WARNING")  # ape's per-connection and per-transaction INFO lines would mix into --json
    choice = network_choice(network)
    if networks.active_provider is not None and networks.provider.network_choice == choice:
        yield choice
        return
    from ape.exceptions import ApeException

    try:
        settings = None
        if choice == NETWORK_ALIASES["node"]:
            from dao.chain.node import node_url

            settings = {"uri": node_url()}  # the started node's port, not ape-config's default
        context = networks.parse_network_choice(choice, provider_settings=settings)
        context.__enter__()
    except (ApeException, OSError) as exc:  # ape-node's "no node found" is a requests ConnectionError
        hint = " (start it with `dao node start`)" if choice.endswith(":node") else ""
        raise ChainUnreachable(f"cannot connect to {choice}{hint}: {str(exc).splitlines()[0]}") from exc
    try:
        yield choice
    finally:
        context.__exit__(None, None, None)


def advance_chain(seconds: int = 0, blocks: int = 1) -> None:
    """Move the connected local chain's time forward by `seconds`, then mine `blocks` blocks.

    ape's in-process chain sets the next timestamp itself; ape's generic node provider cannot, so
    on the local Hardhat node this asks for `evm_increaseTime` and `evm_mine` over the connection.
    """
    from ape import chain
    from ape.exceptions import APINotImplementedError

    try:
        if seconds:
            chain.pending_timestamp += seconds
        chain.mine(blocks)
    except APINotImplementedError:
        if seconds:
            chain.provider.make_request("evm_increaseTime", [seconds])
        for _ in range(blocks):
            chain.provider.make_request("evm_mine", [])


def load_project(root: Path | None = None):
    """The ape project of this repository, wherever the process was started from."""
    import ape

    return ape.Project(root or project_root())


class DAO:
    """The contracts of one deployment on the connected network."""

    def __init__(self, deployment: Deployment, project=None):
        self.deployment = deployment
        self._project = project

    @classmethod
    def load(cls, project=None) -> DAO:
        """The deployment recorded for the network ape is connected to; checks it has code."""
        from ape import chain, networks

        from dao.chain.gas import install_pending_estimates

        install_pending_estimates()  # `ape run` scripts and the console connect without `connected`
        provider = networks.provider
        # Not `provider.network_choice`: for the node it spells the URI, not `ethereum:local:node`.
        choice = f"{provider.network.ecosystem.name}:{provider.network.name}:{provider.name}"
        deployment = load_deployment(choice, chain.chain_id)
        dao = cls(deployment, project)
        if not chain.provider.get_code(deployment.address("shares")):
            raise StaleDeployment(
                f"the deployment recorded for {choice} has no code on the chain (was the node "
                f"restarted?): run `dao deploy --network {choice}` again"
            )
        return dao

    @property
    def project(self):
        if self._project is None:
            self._project = load_project()
        return self._project

    def contract(self, name: str):
        container = getattr(self.project, CONTRACT_TYPES[name])
        return container.at(self.deployment.address(name))

    def __getattr__(self, name: str):
        """`dao.shares`, `dao.governor`, ...: each contract of CONTRACT_TYPES, looked up once."""
        if name not in CONTRACT_TYPES:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        contract = self.contract(name)
        setattr(self, name, contract)
        return contract

    def __dir__(self):
        return [*super().__dir__(), *CONTRACT_TYPES]

    def delegate(self, holder, to: str | None = None):
        """Delegate `holder`'s votes (to itself by default).

        ape 0.8.52 gives every address a `delegate` property (EIP-7702) that hides the contract
        method of that name, hence `invoke_transaction`.
        """
        with refusals_as_errors():
            return self.shares.invoke_transaction("delegate", to or holder.address, sender=holder)

    def __repr__(self) -> str:
        return f"<DAO on {self.deployment.network} shares={self.deployment.address('shares')}>"
