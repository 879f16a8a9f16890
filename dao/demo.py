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


ETHER = 10**18
STAKE = ETHER // 10


def _advance(chain, seconds: int = 0, blocks: int = 1) -> None:
    if seconds:
        chain.pending_timestamp += seconds
    chain.mine(blocks)


def _short(address: str) -> str:
    return f"{address[:6]}…{address[-4:]}"


def stage_deploy(storage, cids: dict[str, str], network: str):
    from eth_utils import keccak

    from dao.chain import DAO
    from dao.deploy import DeployParams, deploy_dao
    from dao.recipe import DataSchema, Recipe

    artifacts = build_demo_artifacts()
    recipe = Recipe(
        schema=DataSchema(features=artifacts.schema_features, target=artifacts.target),
        model_allow_list=("logistic_regression", "random_forest", "hist_gradient_boosting", "gaussian_nb"),
        emission=1_000_000 * ETHER,
        data_pool_bps=7_000,
        slash_cap_bps=2_000,
        anchor_cid=cids["anchor"],
        validation_commitment="0x" + keccak(artifacts.validation_csv).hex(),
        notes="genesis recipe",
    ).validate()
    recipe_bytes = recipe.to_json()
    recipe_cid = storage.add(recipe_bytes)
    project = load_project()
    params = DeployParams.for_tests()
    deployment = deploy_dao(
        project,
        resolve_account(DEPLOYER),
        resolve_account(OPERATOR),
        network,
        params,
        genesis_recipe=(recipe_cid, keccak(recipe_bytes)),
    )
    table = Table(
        title=f"Contracts on {network} (owned by the Timelock); epoch 1 open with recipe {recipe_cid[:12]}…"
    )
    table.add_column("contract")
    table.add_column("address")
    for name, address in deployment.addresses.items():
        table.add_row(name, address)
    console.print(table)
    return DAO(deployment, project), params


def stage_register(dao, cids: dict[str, str]) -> dict[str, object]:
    """Each contributor registers its artifact with a stake; returns name -> account."""
    from ape import accounts

    roles = build_demo_artifacts().roles
    cast = {name: accounts.test_accounts[2 + index] for index, name in enumerate(roles)}
    table = Table(title="Registered contributions (stake 0.1 ETH each)")
    for column in ("id", "contributor", "account", "kind", "CID"):
        table.add_column(column)
    for name, account in cast.items():
        kind = 0 if name.startswith("provider") else 1
        dao.registry.register(kind, cids[name], value=STAKE, sender=account)
        table.add_row(
            str(dao.registry.contribution_count()),
            name,
            _short(account.address),
            "data" if kind == 0 else "model",
            cids[name][:16] + "…",
        )
    console.print(table)
    return cast


def stage_epoch(dao, storage, params, cast) -> object:
    from ape import chain

    from dao.epoch import read_contributions, read_recipe, value_epoch

    _advance(chain, params.contribution_period)  # the contribution window closes
    artifacts = build_demo_artifacts()
    recipe_cid, recipe = read_recipe(dao, storage, 1)
    valuation = value_epoch(
        storage, 1, recipe_cid, recipe, read_contributions(dao, 1), artifacts.validation_csv
    )
    names = {account.address: name for name, account in cast.items()}
    roles = artifacts.roles
    for result, accepted, title in (
        (
            valuation.data_result,
            valuation.accepted_data,
            "Data providers: Shapley values (gain in negative log-loss)",
        ),
        (valuation.model_result, valuation.accepted_models, "Model builders: Shapley values"),
    ):
        labels = [names[c.contributor] for c in accepted]
        console.print(_values_table(title, labels, [roles[n] for n in labels], result))
    report = valuation.report
    report_cid = storage.add(report.to_json())
    dao.settlement.commit(
        1,
        report_cid,
        report.inputs_hash,
        bytes.fromhex(report.mint_root[2:]),
        report.total_mint,
        bytes.fromhex(report.slash_root[2:]),
        value=params.operator_bond,
        sender=resolve_account(OPERATOR),
    )
    console.print(
        f"metamodel validation log-loss {-report.metamodel_score:.4f}; report {report_cid} committed "
        f"with a {params.operator_bond / ETHER:g} ETH bond"
    )
    return valuation


def stage_settle(dao, params, valuation, cast) -> None:
    from ape import chain

    from valuation.merkle import slash_tree

    _advance(chain, params.challenge_window)
    dao.settlement.finalize(1, sender=resolve_account(OPERATOR))
    report = valuation.report
    accounts_by_address = {a.address: a for a in cast.values()}
    for account, amount in report.allocation.items():
        proof = [bytes.fromhex(p[2:]) for p in report.proofs[account]]
        dao.settlement.claim_shares(1, account, int(amount), proof, sender=accounts_by_address[account])
    slashes = sorted((int(k), int(v)) for k, v in report.slashes.items())
    tree = slash_tree(slashes)
    for index, (contribution_id, amount) in enumerate(slashes):
        dao.settlement.execute_slash(
            1, contribution_id, amount, tree.proof(index), sender=resolve_account(OPERATOR)
        )
    supply = dao.shares.totalSupply()
    table = Table(title="Epoch 1 final: shares claimed by Merkle proof, slashes executed")
    for column in ("contributor", "shares", "ownership", "votes", "stake slashed (ETH)"):
        table.add_column(column, justify="left" if column == "contributor" else "right")
    for name, account in cast.items():
        balance = dao.shares.balanceOf(account)
        slashed = sum(
            dao.registry.contributions(i).slashed
            for i in range(1, dao.registry.contribution_count() + 1)
            if dao.registry.contributions(i).contributor == account.address
        )
        table.add_row(
            name,
            f"{balance / ETHER:,.0f}",
            f"{balance / supply:.1%}",
            f"{dao.shares.getVotes(account) / ETHER:,.0f}",
            f"{slashed / ETHER:.4f}" if slashed else "-",
        )
    console.print(table)


def stage_revenue(dao, storage, valuation, cast) -> None:
    from ape import accounts

    artifacts = build_demo_artifacts()
    price = dao.market.price()
    clients = [accounts.test_accounts[16], accounts.test_accounts[17]]
    inputs = artifacts.validation_csv.splitlines()
    for round_ in range(3):
        for client in clients:
            rows = b"\n".join([inputs[0], *inputs[1 + 10 * round_ : 11 + 10 * round_]])
            dao.market.request(storage.add(rows), value=price, sender=client)
    operator = resolve_account(OPERATOR)
    import io

    import pandas as pd

    for request_id in range(1, dao.market.request_count() + 1):
        request = dao.market.requests(request_id)
        frame = pd.read_csv(io.BytesIO(storage.get(request.input_cid)))
        features = frame[[name for name, _ in artifacts.schema_features]].to_numpy(dtype=float)
        output = pd.DataFrame({"malignant_probability": valuation.metamodel.predict_proba(features)[:, 1]})
        dao.market.fulfill(request_id, storage.add(output.to_csv(index=False).encode()), sender=operator)
    table = Table(
        title=f"Revenue: {dao.market.request_count()} paid predictions, fees distributed to holders"
    )
    for column in ("holder", "claimable ETH", "claimed"):
        table.add_column(column, justify="left" if column == "holder" else "right")
    for name, account in cast.items():
        owed = dao.shares.withdrawable_dividends(account)[0]
        if owed:
            dao.shares.claim(sender=account)
        table.add_row(name, f"{owed / ETHER:.6f}", "yes" if owed else "-")
    console.print(table)
    console.print(
        f"distributed {dao.shares.total_distributed_eth() / ETHER:.6f} ETH, claimed "
        f"{dao.shares.total_claimed_eth() / ETHER:.6f} ETH (the rest is rounding dust kept in the token)"
    )


def stage_governance(dao, storage, params, cast) -> None:
    from ape import chain
    from eth_utils import keccak

    from dao.recipe import Recipe
    from governance.builders import retrain

    old = Recipe.from_json(storage.get(dao.settlement.epochs(1).recipe_cid))
    new = Recipe(**{**old.__dict__, "emission": old.emission // 2, "notes": "epoch 2: half the emission"})
    new_bytes = new.validate().to_json()
    new_cid = storage.add(new_bytes)
    draft = retrain(dao, new_cid, new_bytes, note="Halve the emission for epoch 2.")
    proposer = cast["provider 0"]
    dao.governor.propose(draft.targets, draft.values, draft.calldatas, draft.description, sender=proposer)
    proposal = dao.governor.hashProposal(draft.targets, draft.values, draft.calldatas, draft.description_hash)
    _advance(chain, blocks=params.voting_delay + 1)
    votes = {"provider 0": 1, "provider 1": 1, "provider 3": 1, "provider 4": 2, "builder 0": 0}
    for name, support in votes.items():
        dao.governor.castVote(proposal, support, sender=cast[name])
    _advance(chain, blocks=params.voting_period)
    against, in_favour, abstain = dao.governor.proposalVotes(proposal)
    dao.governor.queue(draft.targets, draft.values, draft.calldatas, draft.description_hash, sender=proposer)
    _advance(chain, params.timelock_delay)
    dao.governor.execute(
        draft.targets, draft.values, draft.calldatas, draft.description_hash, sender=proposer
    )
    table = Table(title="Governance: retrain proposal")
    for column in ("proposal", "for", "against", "abstain", "quorum", "outcome"):
        table.add_column(column)
    table.add_row(
        draft.title,
        f"{in_favour / ETHER:,.0f}",
        f"{against / ETHER:,.0f}",
        f"{abstain / ETHER:,.0f}",
        f"{dao.governor.proposal_quorum(proposal) / ETHER:,.0f}",
        f"executed: epoch {dao.settlement.current_epoch()} open",
    )
    console.print(table)
    assert dao.settlement.epochs(2).params_hash == keccak(new_bytes)


@click.command()
@click.option("--network", default="test", show_default=True, help="test (in-process) or node (local node).")
def main(network: str) -> None:
    """Play the Metamodel DAO story end to end."""
    started = time.monotonic()
    storage = get_storage()
    console.rule("[bold]1. Contributors prepare their data sets and model specs")
    cids = stage_artifacts(storage)
    with connected(network) as choice:
        console.rule("[bold]2. The DAO is deployed, handed to governance, and epoch 1 opens")
        dao, params = stage_deploy(storage, cids, choice)
        console.rule("[bold]3. Contributors register with a stake")
        cast = stage_register(dao, cids)
        console.rule("[bold]4. The operator runs epoch 1: metamodel, Shapley values, report committed")
        valuation = stage_epoch(dao, storage, params, cast)
        console.rule("[bold]5. The challenge window passes: final; shares claimed, slashes executed")
        stage_settle(dao, params, valuation, cast)
        console.rule("[bold]6. Clients pay for predictions; holders claim dividends")
        stage_revenue(dao, storage, valuation, cast)
        console.rule("[bold]7. Holders vote to retrain with a new recipe")
        stage_governance(dao, storage, params, cast)
    console.print(f"[green]demo finished in {time.monotonic() - started:.1f} s[/green]")


if __name__ == "__main__":
    main()
