"""`make demo`: the end-to-end story, played with the parts that are built.

Today: the cast's artifacts are generated from scikit-learn's breast_cancer, checked against the
epoch schema and stored in the embedded IPFS store; they are fetched back (verified), the stacked
metamodel is trained, data providers and model builders are valued with Shapley values through
shap, and the payout policy turns values into share allocations, slashes and a Merkle root; the
contracts are deployed on the chosen network. Registration, settlement, claims, revenue and
governance plug in as further stages when their contracts exist.
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


def _values_table(title: str, names: list[str], roles: list[str], result) -> Table:
    table = Table(title=title)
    for column in ("contributor", "role", "value", "95% interval", "group"):
        table.add_column(column, justify="right" if column in ("value", "95% interval") else "left")
    for i, name in enumerate(names):
        group = next(g for g, members in enumerate(result.groups) if i in members)
        reason = result.group_reasons[group]
        table.add_row(
            name,
            roles[i],
            f"{result.values[i]:+.4f}",
            f"[{result.ci_low[i]:+.4f}, {result.ci_high[i]:+.4f}]",
            f"{group}" + (f" ({reason})" if reason else ""),
        )
    return table


def stage_valuation(storage, cids: dict[str, str]) -> None:
    import numpy as np

    from valuation import ModelGame, PayoutPolicy, ProviderGame, StackedMetamodel, estimate_shapley
    from valuation.payout import players_from_result
    from valuation.report import ValuationReport

    artifacts = build_demo_artifacts()
    schema = DataSchema(features=artifacts.schema_features, target=artifacts.target)
    fetch = lambda key: load_dataset(storage.get(cids[key]), schema, key)  # noqa: E731 - verified read
    providers = [fetch(f"provider {i}") for i in range(len(artifacts.provider_csvs))]
    anchor, validation = fetch("anchor"), fetch("validation")
    specs = [storage.get(cids[f"builder {i}"]) for i in range(len(artifacts.model_specs))]

    def xy(d):
        return d.features.to_numpy(dtype=float), d.target

    data_game = ProviderGame(
        [xy(p) for p in providers],
        xy(anchor),
        xy(validation),
        player_names=[f"provider {i}" for i in range(len(providers))],
    )
    data_result = estimate_shapley(data_game, random_state=0)
    pooled_X = np.vstack([xy(p)[0] for p in providers])
    pooled_y = np.concatenate([xy(p)[1] for p in providers])
    metamodel = StackedMetamodel(specs, random_state=0).fit(pooled_X, pooled_y)
    model_game = ModelGame.from_metamodel(metamodel, xy(validation))
    model_game.player_names = [f"builder {i}" for i in range(len(specs))]
    model_result = estimate_shapley(model_game, random_state=0)

    roles = artifacts.roles
    console.print(
        _values_table(
            "Data providers: Shapley values (negative log-loss gain)",
            data_result.player_names,
            [roles[n] for n in data_result.player_names],
            data_result,
        )
    )
    console.print(
        _values_table(
            "Model builders: Shapley values",
            model_result.player_names,
            [roles[n] for n in model_result.player_names],
            model_result,
        )
    )
    console.print(
        f"metamodel validation log-loss: {-metamodel.score(*xy(validation)):.4f} "
        f"({data_result.evaluations} provider and {model_result.evaluations} model coalitions trained)"
    )

    ETHER = 10**18
    accounts = {
        name: f"0x{index + 1:040x}"
        for index, name in enumerate([*data_result.player_names, *model_result.player_names])
    }
    data_players = players_from_result(
        data_result, range(1, 9), [accounts[n] for n in data_result.player_names], [ETHER // 10] * 8
    )
    model_players = players_from_result(
        model_result,
        range(9, 9 + len(specs)),
        [accounts[n] for n in model_result.player_names],
        [ETHER // 10] * len(specs),
    )
    allocation = PayoutPolicy(1_000_000 * ETHER, 7_000, 2_000).allocate(data_players, model_players)
    report = ValuationReport.build(
        1,
        {"cids": cids},
        data_result.to_dict(),
        model_result.to_dict(),
        metamodel.score(*xy(validation)),
        allocation,
    )
    table = Table(title="Epoch 1 allocation (1,000,000 shares: 70% data pool, 30% model pool)")
    for column in ("contributor", "shares", "slashed stake (ETH)"):
        table.add_column(column, justify="left" if column == "contributor" else "right")
    ids = {
        accounts[p]: (i + 1) for i, p in enumerate([*data_result.player_names, *model_result.player_names])
    }
    for name, account in accounts.items():
        minted = allocation.mints.get(account, 0)
        slashed = allocation.slashes.get(ids[account], 0)
        table.add_row(name, f"{minted / ETHER:,.2f}", f"{slashed / ETHER:.4f}" if slashed else "-")
    console.print(table)
    report_cid = storage.add(report.to_json())
    console.print(
        f"valuation report {report_cid} (mint root {report.mint_root[:18]}…, "
        f"{len(report.allocation)} Merkle leaves, total {report.total_mint / ETHER:,.0f} shares)"
    )


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
    cids = stage_artifacts(storage)
    console.rule("[bold]2. Epoch 1: train the metamodel and value every contribution")
    stage_valuation(storage, cids)
    console.rule("[bold]3. The DAO's contracts are deployed and handed to governance")
    stage_deploy(network)
    console.print(f"[green]demo finished in {time.monotonic() - started:.1f} s[/green]")


if __name__ == "__main__":
    main()
