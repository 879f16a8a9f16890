"""`make demo`: the end-to-end story, played with the parts that are built.

Today: the cast's artifacts are generated from scikit-learn's breast_cancer, checked against the
epoch schema and stored in the embedded IPFS store; the contracts are deployed and wired on the
chosen network, and their addresses printed. Each later part of the lifecycle plugs in as a stage.
"""

from __future__ import annotations

import time

import click
from rich.console import Console
from rich.table import Table

from dao.accounts import DEPLOYER, OPERATOR, resolve_account
from dao.chain import connected, load_project
from dao.datasets import load_dataset
from dao.demo_data import build_demo_artifacts
from dao.recipe import DataSchema
from dao.storage import get_storage

console = Console()


def stage_artifacts(storage) -> dict[str, str]:
    artifacts = build_demo_artifacts()
    schema = DataSchema(features=artifacts.schema_features, target=artifacts.target)
    table = Table(title="Contributions stored on IPFS (embedded store)")
    for column in ("contributor", "role", "rows", "CID"):
        table.add_column(column)
    cids = {}
    for index, csv in enumerate(artifacts.provider_csvs):
        dataset = load_dataset(csv, schema, f"provider {index}")
        cid = storage.add(csv)
        cids[f"provider {index}"] = cid
        table.add_row(f"provider {index}", artifacts.roles[f"provider {index}"], str(dataset.n_rows), cid)
    for index, spec in enumerate(artifacts.model_specs):
        cid = storage.add(spec)
        cids[f"builder {index}"] = cid
        table.add_row(f"builder {index}", artifacts.roles[f"builder {index}"], "-", cid)
    cids["anchor"] = storage.add(artifacts.anchor_csv)
    cids["validation"] = storage.add(artifacts.validation_csv)
    table.add_row("the DAO", "anchor set", "-", cids["anchor"])
    table.add_row("the DAO", "hold-out validation set", "-", cids["validation"])
    console.print(table)
    return cids


def stage_deploy(network: str) -> dict[str, str]:
    from dao.deploy import DeployParams, deploy_dao

    project = load_project()
    needed = (
        "ShareToken",
        "ContributionRegistry",
        "EpochSettlement",
        "PredictionMarket",
        "Timelock",
        "Governor",
    )
    missing = [name for name in needed if name not in project.contracts]
    with connected(network) as choice:
        deployer = resolve_account(DEPLOYER)
        if missing:
            # Only part of the system exists yet: deploy what does, and say what does not.
            token = project.DemoStablecoin.deploy(sender=deployer)
            console.print(f"[yellow]not built yet: {', '.join(missing)}[/yellow]")
            addresses = {"revenue_token": token.address}
        else:
            deployment = deploy_dao(
                project, deployer, resolve_account(OPERATOR), choice, DeployParams.for_tests()
            )
            addresses = deployment.addresses
    table = Table(title=f"Contracts on {network}")
    table.add_column("contract")
    table.add_column("address")
    for name, address in addresses.items():
        table.add_row(name, address)
    console.print(table)
    return addresses


@click.command()
@click.option("--network", default="test", show_default=True, help="test (in-process) or node (local node).")
def main(network: str) -> None:
    """Play the Metamodel DAO story end to end."""
    started = time.monotonic()
    storage = get_storage()
    console.rule("[bold]1. Contributors prepare their data sets and model specs")
    stage_artifacts(storage)
    console.rule("[bold]2. The DAO's contracts are deployed and handed to governance")
    stage_deploy(network)
    console.print(f"[green]demo finished in {time.monotonic() - started:.1f} s[/green]")


if __name__ == "__main__":
    main()
