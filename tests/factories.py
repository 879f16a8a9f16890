"""One way to get a wired DAO in tests: `dao.chain.deploy.deploy_dao`, exactly as production deploys.

`deploy_wired_dao` is the plain function (for helpers and state machines); the `create_dao` fixture in
tests/conftest.py is the factory tests take (as yearn's `create_vault`).
"""

from __future__ import annotations

from eth_utils import keccak

from dao.chain.bindings import DAO
from dao.chain.deploy import DeployParams, deploy_dao
from dao.chain.units import ETHER
from dao.data.recipe import single_model_recipe

ANCHOR_CID = "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH"
RECIPE_CID = "QmfDmsHTywy6L9Ne5RXsj5YumDedfBLMvCvmaxjBoe6w4d"


def deploy_wired_dao(
    project,
    deployer,
    operator,
    recipe: bytes | None = None,
    recipe_cid: str = RECIPE_CID,
    network: str = "ethereum:local:test",
    **param_overrides,
) -> DAO:
    """Deploy, wire and hand over every contract with `DeployParams.for_tests(**param_overrides)`;
    epoch 1 is open with `recipe` (default: one model, 1M shares of emission) stored at `recipe_cid`."""
    recipe = recipe if recipe is not None else single_model_recipe(ANCHOR_CID, 1_000_000 * ETHER).to_json()
    params = DeployParams.for_tests(**param_overrides)
    deployment = deploy_dao(project, deployer, operator, network, params, (recipe_cid, keccak(recipe)))
    return DAO(deployment, project)
