"""`dao deploy` and `dao status`: put the DAO on a network and see where it stands."""

from __future__ import annotations

import click

from dao.accounts import DEPLOYER, OPERATOR, resolve_account
from dao.chain import connected, load_project

network_option = click.option(
    "--network",
    default="test",
    show_default=True,
    help="test (in-process chain), node (the local node: `dao node start`) or any ape network choice.",
)


@click.command("deploy")
@network_option
@click.option(
    "--account", "account_alias", default=DEPLOYER, show_default=True, help="Deployer account alias."
)
@click.option(
    "--operator", "operator_alias", default=OPERATOR, show_default=True, help="Operator account alias."
)
@click.option("--fast", is_flag=True, help="Short windows and voting periods (test chains, demos).")
def deploy_command(network: str, account_alias: str, operator_alias: str, fast: bool) -> None:
    """Deploy and wire every contract, hand admin to the Timelock, record the addresses."""
    from dao.deploy import DeployParams, deploy_dao

    with connected(network) as choice:
        params = DeployParams.for_tests() if fast else DeployParams()
        deployment = deploy_dao(
            load_project(), resolve_account(account_alias), resolve_account(operator_alias), choice, params
        )
    for name, address in deployment.addresses.items():
        click.echo(f"{name:14} {address}")
