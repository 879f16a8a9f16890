"""`dao deploy` and `dao example`: put the DAO on a network, and write example artifacts to try it with."""

from __future__ import annotations

from pathlib import Path

import click

from dao.chain.accounts import DEPLOYER, OPERATOR, resolve_account
from dao.chain.bindings import connected, load_project
from dao.chain.options import network_option


@click.command("deploy")
@network_option
@click.option(
    "--account", "account_alias", default=DEPLOYER, show_default=True, help="Deployer account alias."
)
@click.option(
    "--operator", "operator_alias", default=OPERATOR, show_default=True, help="Operator account alias."
)
@click.option("--fast", is_flag=True, help="Short windows and voting periods (test chains, demos).")
@click.option(
    "--recipe",
    "recipe_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Genesis recipe JSON: uploaded to IPFS and epoch 1 opened with it before the hand-over.",
)
@click.option(
    "--validation",
    "validation_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="The hold-out set the recipe commits to; kept in .dao/holdout for `dao epoch run`.",
)
def deploy_command(
    network: str,
    account_alias: str,
    operator_alias: str,
    fast: bool,
    recipe_file: Path | None,
    validation_file: Path | None,
) -> None:
    """Deploy and wire every contract, hand admin to the Timelock, record the addresses."""
    from eth_utils import keccak

    from dao.chain.deploy import DeployParams, deploy_dao
    from dao.data.holdout import save_holdout
    from dao.data.recipe import InvalidRecipe, Recipe
    from dao.storage import get_storage

    genesis = None
    if recipe_file is not None:
        data = recipe_file.read_bytes()
        recipe = Recipe.from_json(data)
        if validation_file is not None:
            commitment = save_holdout(validation_file.read_bytes())
            if commitment != recipe.validation_commitment:
                raise InvalidRecipe(
                    f"{validation_file} hashes to {commitment}, not to the recipe's validation_commitment"
                )
        genesis = (get_storage().add(data), keccak(data))
    with connected(network) as choice:
        params = DeployParams.for_tests() if fast else DeployParams()
        deployment = deploy_dao(
            load_project(),
            resolve_account(account_alias),
            resolve_account(operator_alias),
            choice,
            params,
            genesis_recipe=genesis,
        )
    for name, address in deployment.addresses.items():
        click.echo(f"{name:14} {address}")
    if genesis:
        click.echo(f"epoch 1 open with recipe {genesis[0]}")


@click.command("example")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def example_command(directory: Path) -> None:
    """Write the demo's artifacts into DIRECTORY: a genesis recipe, its anchor and hold-out sets,
    eight provider CSVs and six model specs, to walk through the commands by hand."""
    from dao.data.examples import build_demo_artifacts, example_recipe
    from dao.data.holdout import commitment_of
    from dao.storage import get_storage

    artifacts = build_demo_artifacts()
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "anchor.csv").write_bytes(artifacts.anchor_csv)
    (directory / "validation.csv").write_bytes(artifacts.validation_csv)
    for index, csv in enumerate(artifacts.provider_csvs):
        (directory / f"provider-{index}.csv").write_bytes(csv)
    for index, spec in enumerate(artifacts.model_specs):
        (directory / f"model-{index}.json").write_bytes(spec)
    recipe = example_recipe(
        artifacts,
        anchor_cid=get_storage().add(artifacts.anchor_csv),
        validation_commitment=commitment_of(artifacts.validation_csv),
        notes="example genesis recipe",
    )
    (directory / "recipe.json").write_bytes(recipe.to_json())
    click.echo(f"wrote recipe.json, anchor.csv, validation.csv, provider CSVs and model specs to {directory}")


@click.command("abi")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write <Contract>.json files here (default: print one JSON object to stdout).",
)
def abi_command(out_dir: Path | None) -> None:
    """Every contract's ABI as plain JSON (what a web3.py or ethers client needs, no ape)."""
    import json

    from dao.chain.abi import contract_abis, write_abis

    project = load_project()
    if out_dir is None:
        click.echo(json.dumps(contract_abis(project), indent=2, sort_keys=True))
        return
    for path in write_abis(out_dir, project):
        click.echo(str(path))
