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
    "--account",
    "account_alias",
    default=None,
    help=f"Deployer account alias (required outside local chains; there it defaults to {DEPLOYER}).",
)
@click.option(
    "--operator",
    "operator_alias",
    default=None,
    help=f"Operator account alias (required outside local chains; there it defaults to {OPERATOR}).",
)
@click.option("--fast", is_flag=True, help="Short windows and voting periods (test chains, demos).")
@click.option(
    "--guardian",
    default=None,
    help="Bootstrap guardian address (expected: a multisig): may resolve challenges, void an unsettled "
    "epoch and cancel proposals for the first epochs and at most --guardian-term; governance can "
    "remove it. Required outside local chains unless --no-guardian is given.",
)
@click.option(
    "--no-guardian",
    is_flag=True,
    help="Deploy without a guardian on purpose (outside local chains): until the first epoch is "
    "final nobody can judge a challenge, so every unjudged in-window challenge voids its epoch.",
)
@click.option(
    "--guardian-term",
    type=click.IntRange(min=1, max=2**32),
    default=None,
    help="Seconds after deployment at which the guardian's powers end whatever happened "
    "(default: 180 days; --fast: 7 days).",
)
@click.option(
    "--recipe",
    "recipe_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Genesis recipe JSON: uploaded to IPFS and epoch 1 opened with it before the hand-over "
    "(default: the example recipe of `dao example`, with this operator's sealing key).",
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
    account_alias: str | None,
    operator_alias: str | None,
    fast: bool,
    guardian: str | None,
    no_guardian: bool,
    guardian_term: int | None,
    recipe_file: Path | None,
    validation_file: Path | None,
) -> None:
    """Deploy and wire every contract, hand admin to the Timelock, record the addresses."""
    from eth_utils import is_address, keccak

    from dao.chain.deploy import DeployParams, deploy_dao
    from dao.data.holdout import save_holdout
    from dao.data.recipe import InvalidRecipe, Recipe
    from dao.storage import get_storage

    account_alias, operator_alias = _deploy_accounts(network, account_alias, operator_alias)
    if guardian is not None and not is_address(guardian):
        raise click.BadParameter(
            f"{guardian!r} is not an address (0x and 40 hex digits)", param_hint="--guardian"
        )
    _check_guardian_choice(network, guardian, no_guardian)
    storage = get_storage()
    if recipe_file is not None:
        data = recipe_file.read_bytes()
        recipe = Recipe.from_json(data)
        if validation_file is not None:
            commitment = save_holdout(validation_file.read_bytes())
            if commitment != recipe.validation_commitment:
                raise InvalidRecipe(
                    f"{validation_file} hashes to {commitment}, not to the recipe's validation_commitment"
                )
    else:
        data = _example_genesis(storage).to_json()
    genesis = (storage.add(data), keccak(data))
    with connected(network) as choice:
        settings: dict = {"guardian": guardian}
        if guardian_term is not None:
            settings["guardian_term"] = guardian_term
        params = DeployParams.for_tests(**settings) if fast else DeployParams(**settings)
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
    if guardian is not None:
        click.echo(
            f"guardian       {guardian} (until governance removes it, its epochs pass, or "
            f"{params.guardian_term} s from now)"
        )
    window = params.contribution_period
    click.echo(
        f"epoch 1 open with recipe {genesis[0]}"
        + ("" if recipe_file else " (the example recipe: `dao example DIR` writes data and specs for it)")
    )
    click.echo(f"contributions close in {window} s (on the local node: `dao node mine --seconds {window}`)")


def _check_guardian_choice(network: str, guardian: str | None, no_guardian: bool) -> None:
    """Off local chains a DAO without a guardian must be asked for: before the first final epoch no
    share exists, so governance cannot judge a challenge, and nobody else can either."""
    from dao.chain.bindings import network_choice

    if guardian is not None and no_guardian:
        raise click.UsageError("--guardian and --no-guardian exclude each other")
    if guardian is None and not no_guardian and not network_choice(network).startswith("ethereum:local:"):
        raise click.UsageError(
            f"deploying on {network} needs --guardian ADDRESS (expected: a multisig), or --no-guardian "
            "to deploy without one on purpose: before the first final epoch nobody else can judge a "
            "challenge, so any challenge of epoch 1 would void it at its resolution deadline"
        )


def _deploy_accounts(network: str, deployer: str | None, operator: str | None) -> tuple[str, str]:
    """Test accounts are a default only on local chains: elsewhere they would be anyone's keys."""
    from dao.chain.bindings import network_choice

    if network_choice(network).startswith("ethereum:local:"):
        return deployer or DEPLOYER, operator or OPERATOR
    if deployer is None or operator is None:
        raise click.UsageError(
            f"deploying on {network} needs explicit accounts: pass --account DEPLOYER --operator OPERATOR "
            "(ape keyfile aliases: `ape accounts import NAME`)"
        )
    return deployer, operator


def _example_genesis(storage):
    """The example recipe, its hold-out set kept for the operator, sealed data enabled for its key."""
    from dao.data.examples import build_demo_artifacts, example_recipe
    from dao.data.holdout import save_holdout
    from dao.data.sealing import load_or_create_operator_key
    from dao.paths import state_dir

    artifacts = build_demo_artifacts()
    key = load_or_create_operator_key(state_dir() / "operator.key")
    return example_recipe(
        artifacts,
        anchor_cid=storage.add(artifacts.anchor_csv),
        validation_commitment=save_holdout(artifacts.validation_csv),
        notes="example genesis recipe",
        extra={"operator_public_key": bytes(key.public_key).hex()},
    )


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
