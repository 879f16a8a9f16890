"""Where each network's deployed contracts are: a JSON record per network and chain id.

Records live in `.dao/deployments/` (not ape's cache) so that separate processes — `dao`, `ape run`,
`ape console` — find the same contracts. The in-process test chain dies with its process, so its
deployments are kept in memory only.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from dao.errors import DaoError
from dao.paths import state_dir

# The one table of the DAO's contracts: record name -> ape contract type. The deployment record, the
# bindings (`dao.shares`, `dao.governor`, ...) and the deploy script all follow it.
CONTRACT_TYPES = {
    "revenue_token": "DemoStablecoin",
    "shares": "ShareToken",
    "registry": "ContributionRegistry",
    "settlement": "EpochSettlement",
    "outcomes": "OutcomeBoard",
    "market": "PredictionMarket",
    "timelock": "Timelock",
    "governor": "Governor",
}
CONTRACT_NAMES = tuple(CONTRACT_TYPES)

_in_memory: dict[str, Deployment] = {}


class DeploymentNotFound(DaoError):
    """No deployment is recorded for the connected network."""


class StaleDeployment(DaoError):
    """A recorded deployment has no code on the connected chain (the node was restarted)."""


@dataclass(frozen=True)
class Deployment:
    network: str  # ape network choice, e.g. "ethereum:local:node"
    chain_id: int
    block: int  # the block the deployment finished in: event scans start here
    addresses: dict[str, str]
    params: dict = field(default_factory=dict)
    deployer: str = ""
    abis: dict = field(default_factory=dict)  # contract type name -> ABI, for clients without ape

    def name_of(self, address: str) -> str | None:
        """The record name of one of the deployment's contracts (`"governor"`), None for others."""
        wanted = str(address).lower()
        return next((name for name, known in self.addresses.items() if known.lower() == wanted), None)

    def address(self, name: str) -> str:
        try:
            return self.addresses[name]
        except KeyError:
            raise DeploymentNotFound(f"the deployment on {self.network} has no contract {name!r}") from None


def _is_ephemeral(network: str) -> bool:
    return network.endswith(":test")


def _key(network: str, chain_id: int) -> str:
    return f"{network.replace(':', '-')}-{chain_id}"


def deployment_file(network: str, chain_id: int, root: Path | None = None) -> Path:
    return state_dir(root) / "deployments" / f"{_key(network, chain_id)}.json"


def save_deployment(deployment: Deployment, root: Path | None = None) -> Path | None:
    """Record a deployment; written atomically so a crash never leaves half a record."""
    if _is_ephemeral(deployment.network):
        _in_memory[_key(deployment.network, deployment.chain_id)] = deployment
        return None
    path = deployment_file(deployment.network, deployment.chain_id, root)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(fd, "w") as handle:
        json.dump(asdict(deployment), handle, indent=2, sort_keys=True)
        handle.write("\n")
    os.replace(tmp, path)
    return path


def load_deployment(network: str, chain_id: int, root: Path | None = None) -> Deployment:
    key = _key(network, chain_id)
    if _is_ephemeral(network):
        if key not in _in_memory:
            raise DeploymentNotFound(
                "nothing is deployed on the in-process chain of this process: run `dao deploy` "
                "(or dao.chain.deploy.deploy_dao) in the same process first"
            )
        return _in_memory[key]
    path = deployment_file(network, chain_id, root)
    if not path.is_file():
        raise DeploymentNotFound(
            f"no deployment recorded for {network} (chain id {chain_id}) in {path}: "
            f"run `dao deploy --network {network}` first"
        )
    return Deployment(**json.loads(path.read_text()))


def forget_deployment(network: str, chain_id: int, root: Path | None = None) -> None:
    _in_memory.pop(_key(network, chain_id), None)
    if not _is_ephemeral(network):
        deployment_file(network, chain_id, root).unlink(missing_ok=True)
