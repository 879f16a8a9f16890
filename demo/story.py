"""`make demo`: the Metamodel DAO story end to end, through the same library the CLI uses.

Eight data providers (two with flipped labels, one copying another's rows under a second identity,
one contributing privately, sealed to the operator) and six model builders (one useless model, one
clone) contribute to epoch 1; the operator values and commits it; it finalizes; shares are
claimed and slashes executed; clients pay for predictions and holders claim dividends; holders
vote a retrain with a new recipe; epoch 2 runs under it. Each provider brings half of its rows to
each epoch (the DAO already holds what it valued, so rows sold twice would earn nothing); in epoch 2
the copier resubmits provider 0's epoch-1 rows, slightly jittered: a near-copy the provenance trace
credits to provider 0 (issue 18). Then holders vote a live-scored epoch 3 (issue 20) on the drifting
world of `dao.data.drifting`: fresh, stale and label-flipped data, three honest models and a poor one
staked 20 times as much, a stake-weighted metamodel committed before any outcome exists, outcome rows
posted by the recipe's reporter, values on those rows beside the values on a static hold-out. Tables
at every step, `out/report.html` with plots at the end.
`play()` returns the outcome so the end-to-end test checks the same story.
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass, field
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from dao.chain.accounts import DEPLOYER, OPERATOR, resolve_account
from dao.chain.bindings import connected, load_project
from dao.chain.units import ETHER
from dao.data.drifting import build_live_artifacts
from dao.data.examples import build_demo_artifacts, example_recipe

STAKE = ETHER // 10
LIVE_EPOCH = 3
# The live epoch's cast (issue 20): name -> (kind, the drifting world's artifact, role, stake).
LIVE_CAST = {
    "provider 0": ("data", "fresh", "honest, fresh data", STAKE),
    "provider 1": ("data", "stale", "stale data (accurate on the past)", STAKE),
    "provider 2": ("data", "flipped", "labels flipped", STAKE),
    "builder 0": ("model", "logistic", "honest", STAKE),
    "builder 1": ("model", "forest", "honest", STAKE),
    "builder 3": ("model", "naive_bayes", "honest", STAKE),
    "builder 4": ("model", "poor_large_stake", "poor model, 20x stake", 20 * STAKE),
}
RESOLUTION_BLOCKS = 60  # blocks after the metamodel commitment in which outcome rows may be posted
MIN_RESOLVED_ROWS = 500
PRIVATE_PROVIDER = "provider 3"
COPIER, VICTIM = "provider 7", "provider 0"
NEAR_COPY_JITTER = 0.001  # of each feature's standard deviation on the anchor set


@dataclass
class Outcome:
    """What happened, for the report page and the end-to-end test."""

    dao: object = None
    cast: dict = field(default_factory=dict)  # name -> ape account
    roles: dict = field(default_factory=dict)  # name -> role
    epoch_roles: dict = field(default_factory=dict)  # epoch -> {name: role} where an epoch differs
    contribution_ids: dict = field(default_factory=dict)  # (epoch, name) -> contribution id
    reports: dict = field(default_factory=dict)  # epoch -> ValuationReport
    report_cids: dict = field(default_factory=dict)  # epoch -> CID
    claimed_shares: dict = field(default_factory=dict)  # (epoch, address) -> wei
    executed_slashes: dict = field(default_factory=dict)  # (epoch, contribution id) -> wei
    revenue_paid: int = 0  # wei paid into dividends (fees and slashes)
    dividends_claimed: dict = field(default_factory=dict)  # address -> wei
    dividends_timeline: list = field(default_factory=list)  # (label, distributed ETH wei)
    verified: dict = field(default_factory=dict)  # epoch -> bool
    live_notes: list = field(default_factory=list)  # what the live epoch's steps said, in order
    seconds: float = 0.0

    def roles_in(self, epoch: int) -> dict:
        """Who plays what in `epoch` (the live epoch recasts some of the cast)."""
        return {**self.roles, **self.epoch_roles.get(epoch, {})}


def _short(address: str) -> str:
    return f"{address[:6]}…{address[-4:]}"


def _advance(seconds: int = 0, blocks: int = 1) -> None:
    from dao.chain.bindings import advance_chain

    advance_chain(seconds, blocks)


def stage_deploy(console, storage, network: str, operator_key):
    from eth_utils import keccak

    from dao.chain.bindings import DAO
    from dao.chain.deploy import DeployParams, deploy_dao
    from dao.data.holdout import save_holdout

    artifacts = build_demo_artifacts()
    recipe = example_recipe(
        artifacts,
        anchor_cid=storage.add(artifacts.anchor_csv),
        validation_commitment=save_holdout(artifacts.validation_csv),
        notes="genesis recipe",
        extra={"operator_public_key": bytes(operator_key.public_key).hex()},
    )
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
    table = Table(title=f"Contracts on {network}, owned by the Timelock; epoch 1 open (recipe {recipe_cid})")
    table.add_column("contract")
    table.add_column("address")
    for name, address in deployment.addresses.items():
        table.add_row(name, address)
    console.print(table)
    return DAO(deployment, project), params


def _epoch_rows(csv: bytes, epoch: int):
    """A provider's rows for `epoch`: the first half of its file in epoch 1, the rest later."""
    import pandas as pd

    frame = pd.read_csv(io.BytesIO(csv))
    half = len(frame) // 2
    return frame.iloc[:half] if epoch == 1 else frame.iloc[half:]


def _artifact(artifacts, name: str, epoch: int = 1) -> tuple[str, bytes]:
    import numpy as np
    import pandas as pd

    kind, index = name.split()
    if kind != "provider":
        return "model", artifacts.model_specs[int(index)]
    if name != COPIER:
        return "data", _epoch_rows(artifacts.provider_csvs[int(index)], epoch).to_csv(index=False).encode()
    victim = _epoch_rows(artifacts.provider_csvs[int(VICTIM.split()[1])], 1)
    if epoch == 1:  # an exact copy, rows reversed (a new CID under a second identity)
        return "data", victim.iloc[::-1].to_csv(index=False).encode()
    # Epoch 2: the victim's epoch-1 rows again, each feature moved by 0.1% of its spread.
    spread = pd.read_csv(io.BytesIO(artifacts.anchor_csv)).std()
    features = [c for c in victim.columns if c != artifacts.target]
    noise = np.random.default_rng(epoch).normal(0.0, NEAR_COPY_JITTER, (len(victim), len(features)))
    near = victim.copy()
    near[features] = victim[features].to_numpy() + noise * spread[features].to_numpy()
    return "data", near.to_csv(index=False, float_format="%.6f").encode()


def stage_contribute(console, dao, storage, outcome: Outcome, epoch: int, names: list[str]) -> None:
    from dao.holders.contribute import contribute

    artifacts = build_demo_artifacts()
    table = Table(title=f"Epoch {epoch}: contributions registered with a 0.1 ETH stake each")
    for column in ("id", "contributor", "account", "role", "kind", "CID"):
        table.add_column(column)
    for name in names:
        kind, content = _artifact(artifacts, name, epoch)
        private = name == PRIVATE_PROVIDER
        registered = contribute(dao, storage, kind, content, STAKE, outcome.cast[name], private=private)
        outcome.contribution_ids[(epoch, name)] = registered.id
        table.add_row(
            str(registered.id),
            name,
            _short(outcome.cast[name].address),
            outcome.roles[name] + (" (sealed)" if private else ""),
            kind,
            registered.cid,
        )
    console.print(table)


def _values_table(title: str, game: dict, label_of: dict, roles: dict) -> Table:
    table = Table(title=title)
    for column in ("contribution", "contributor", "role", "value", "95% joint interval", "group"):
        table.add_column(column, justify="right" if column in ("value", "95% joint interval") else "left")
    for player in game["players"]:
        name = label_of.get(player["name"], "?")
        reason = game["groups"][player["group"]]["reason"]
        table.add_row(
            player["name"],
            name,
            roles.get(name, "?"),
            f"{player['value']:+.4f}",
            f"[{player['ci_low']:+.4f}, {player['ci_high']:+.4f}]",
            f"{player['group']}" + (f" ({reason})" if reason else ""),
        )
    return table


def stage_run_epoch(console, dao, storage, params, outcome: Outcome, epoch: int, operator_key) -> None:
    from dao.epoch.pipeline import run_epoch

    _advance(params.contribution_period)  # the contribution window closes
    run = run_epoch(dao, storage, resolve_account(OPERATOR), epoch, operator_key=bytes(operator_key))
    _print_valuation(console, dao, outcome, epoch, run)


def _print_valuation(console, dao, outcome: Outcome, epoch: int, run, scored_on: str = "validation") -> None:
    outcome.reports[epoch], outcome.report_cids[epoch] = run.report, run.report_cid
    label_of = {f"#{cid}": name for (e, name), cid in outcome.contribution_ids.items() if e == epoch}
    report = run.report
    roles = outcome.roles_in(epoch)
    console.print(
        _values_table(
            f"Epoch {epoch} data providers: Shapley values "
            f"(gain in negative log-loss, {report.data_values['method']})",
            report.data_values,
            label_of,
            roles,
        )
    )
    console.print(
        _values_table(
            f"Epoch {epoch} model builders: Shapley values of the "
            f"{'stacked' if report.live is None else report.live['meta_learner']} metamodel",
            report.model_values,
            label_of,
            roles,
        )
    )
    for contribution, reason in report.rejected.items():
        console.print(f"rejected #{contribution}: {reason}")
    for line in provenance_lines(report, label_of, outcome.cast):
        console.print(line)
    stages = ", ".join(f"{k} {v:.1f} s" for k, v in run.stages.items())
    console.print(
        f"metamodel {scored_on} log-loss {-report.metamodel_score:.4f}; report {run.report_cid} committed "
        f"with a {dao.settlement.operator_bond() / ETHER:g} ETH bond ({stages})"
    )


def provenance_lines(report, label_of: dict, cast: dict) -> list[str]:
    """One line per data set some of whose rows the provenance trace credited to someone else."""
    name_of = {account.address: name for name, account in cast.items()}
    value_of = {p["name"]: p["value"] for p in report.data_values["players"]}
    lines = []
    for record in report.data_values.get("provenance", {}).get("providers", []):
        player = f"#{record['contribution']}"
        for credit in record["credited_elsewhere"]:
            owner = "the DAO" if credit["owner"] is None else name_of.get(credit["owner"], credit["owner"])
            lines.append(
                f"provenance: {player} ({label_of.get(player, '?')}): {len(credit['rows'])} rows are "
                f"{credit['kind']} copies of {credit['source']}, credited to {owner}; "
                f"{player} valued {value_of[player]:+.4f}"
            )
    return lines


def stage_settle(console, dao, storage, params, outcome: Outcome, epoch: int) -> None:
    from dao.epoch.pipeline import execute_slashes, finalize_epoch
    from dao.holders.claims import claim_everything

    _advance(params.challenge_window)
    operator = resolve_account(OPERATOR)
    finalize_epoch(dao, operator, epoch)
    for account in outcome.cast.values():
        claimed = claim_everything(dao, storage, account)
        for claimed_epoch, amount in claimed.shares.items():
            outcome.claimed_shares[(claimed_epoch, account.address)] = amount
        if claimed.eth:
            outcome.dividends_claimed[account.address] = (
                outcome.dividends_claimed.get(account.address, 0) + claimed.eth
            )
    before = int(dao.shares.total_distributed_eth())
    for contribution_id, amount in execute_slashes(dao, storage, operator, epoch):
        outcome.executed_slashes[(epoch, contribution_id)] = amount
    outcome.revenue_paid += int(dao.shares.total_distributed_eth()) - before
    outcome.dividends_timeline.append((f"epoch {epoch} slashes", int(dao.shares.total_distributed_eth())))
    supply = int(dao.shares.totalSupply())
    slashed_by = {}
    for (e, name), cid in outcome.contribution_ids.items():
        if e == epoch and (epoch, cid) in outcome.executed_slashes:
            slashed_by[name] = outcome.executed_slashes[(epoch, cid)]
    table = Table(title=f"Epoch {epoch} final: shares claimed by Merkle proof, slashes executed")
    for column in ("contributor", "role", f"minted in epoch {epoch}", "shares", "ownership", "slashed (ETH)"):
        table.add_column(column, justify="left" if column in ("contributor", "role") else "right")
    for name, account in outcome.cast.items():
        if not name.startswith(("provider", "builder")):
            continue
        balance = int(dao.shares.balanceOf(account))
        minted = outcome.claimed_shares.get((epoch, account.address), 0)
        table.add_row(
            name,
            outcome.roles_in(epoch)[name],
            f"{minted / ETHER:,.0f}",
            f"{balance / ETHER:,.0f}",
            f"{balance / supply:.1%}",
            f"{slashed_by[name] / ETHER:.4f}" if name in slashed_by else "-",
        )
    console.print(table)


def _serve_cursor(dao) -> Path:
    from dao.paths import state_dir

    return state_dir() / "serve" / f"{dao.deployment.chain_id}-{dao.market.address}.json"


def stage_revenue(
    console, dao, storage, outcome: Outcome, rounds: int = 3, rows_csv: bytes | None = None
) -> None:
    from dao.holders.claims import claim_everything
    from dao.market.predictions import request_prediction, serve_requests

    lines = (rows_csv or build_demo_artifacts().validation_csv).splitlines()
    clients = [outcome.cast["client 0"], outcome.cast["client 1"]]
    before = int(dao.shares.total_distributed_eth())
    for round_ in range(rounds):
        for index, client in enumerate(clients):
            start = 1 + 10 * (2 * round_ + index)
            request_prediction(dao, storage, b"\n".join([lines[0], *lines[start : start + 10]]), client)
        # Like `dao serve`, the operator keeps a cursor so each pass reads only new request events.
        answered = serve_requests(dao, storage, resolve_account(OPERATOR), cursor_file=_serve_cursor(dao))
        outcome.dividends_timeline.append(
            (f"{len(answered)} predictions", int(dao.shares.total_distributed_eth()))
        )
    outcome.revenue_paid += int(dao.shares.total_distributed_eth()) - before
    table = Table(title="Revenue: paid predictions answered by the operator, fees paid out as dividends")
    for column in ("holder", "role", "claimed (ETH)"):
        table.add_column(column, justify="right" if column == "claimed (ETH)" else "left")
    for name, account in outcome.cast.items():
        claimed = claim_everything(dao, storage, account)
        if claimed.eth:
            outcome.dividends_claimed[account.address] = (
                outcome.dividends_claimed.get(account.address, 0) + claimed.eth
            )
            table.add_row(name, outcome.roles[name], f"{claimed.eth / ETHER:.6f}")
    console.print(table)
    console.print(
        f"distributed {dao.shares.total_distributed_eth() / ETHER:.6f} ETH so far; claimed "
        f"{dao.shares.total_claimed_eth() / ETHER:.6f} ETH (the rest is rounding dust kept in the token)"
    )


def _pass_proposal(dao, params, outcome: Outcome, draft, proposer: str, votes: dict) -> tuple:
    """Propose `draft`, vote it as `votes` says, queue and execute it; (against, for, abstain, id)."""
    sender = outcome.cast[proposer]
    dao.governor.propose(draft.targets, draft.values, draft.calldatas, draft.description, sender=sender)
    proposal = dao.governor.hashProposal(draft.targets, draft.values, draft.calldatas, draft.description_hash)
    _advance(blocks=params.voting_delay + 1)
    for name, support in votes.items():
        dao.governor.castVote(proposal, support, sender=outcome.cast[name])
    _advance(blocks=params.voting_period)
    against, in_favour, abstain = dao.governor.proposalVotes(proposal)
    dao.governor.queue(draft.targets, draft.values, draft.calldatas, draft.description_hash, sender=sender)
    _advance(params.timelock_delay)
    dao.governor.execute(draft.targets, draft.values, draft.calldatas, draft.description_hash, sender=sender)
    return against, in_favour, abstain, proposal


def _proposal_table(dao, draft, tally: tuple) -> Table:
    against, in_favour, abstain, proposal = tally
    table = Table(title=f"Governance: {draft.title.lower()} proposal")
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
    return table


def stage_governance(console, dao, storage, params, outcome: Outcome) -> None:
    from eth_utils import keccak

    from dao.data.recipe import Recipe
    from governance.builders import retrain

    old = Recipe.from_json(storage.get(dao.settlement.epochs(1).recipe_cid))
    new = Recipe(**{**old.__dict__, "emission": old.emission // 2, "notes": "epoch 2: half the emission"})
    new_bytes = new.validate().to_json()
    new_cid = storage.add(new_bytes)
    draft = retrain(dao, new_cid, new_bytes, note="Halve the emission for epoch 2.")
    votes = {"provider 0": 1, "provider 1": 1, "provider 4": 1, "provider 6": 2, "builder 0": 0}
    tally = _pass_proposal(dao, params, outcome, draft, "provider 0", votes)
    console.print(_proposal_table(dao, draft, tally))
    if dao.settlement.epochs(2).params_hash != keccak(new_bytes):
        raise RuntimeError("the executed retrain proposal did not open epoch 2 with the new recipe")


def stage_open_live_epoch(console, dao, storage, params, outcome: Outcome, live) -> None:
    """Holders vote a live-scored epoch: a new problem whose concept drifts, paid on outcomes that
    do not exist yet when the metamodel is fixed, with a stake-weighted metamodel."""
    from eth_utils import keccak

    from dao.data.holdout import save_holdout
    from dao.data.recipe import DataSchema, Recipe
    from governance.builders import retrain

    old = Recipe.from_json(storage.get(dao.settlement.epochs(LIVE_EPOCH - 1).recipe_cid))
    recipe = Recipe(
        schema=DataSchema(features=live.schema_features, target=live.target),
        model_allow_list=(*old.model_allow_list, "k_neighbors"),
        emission=old.emission,
        data_pool_bps=old.data_pool_bps,
        slash_cap_bps=old.slash_cap_bps,
        anchor_cid=storage.add(live.anchor_csv),
        # The static hold-out is still committed: the report shows its values beside the live ones.
        validation_commitment=save_holdout(live.validation_csv),
        notes=f"epoch {LIVE_EPOCH}: a drifting world, scored live on outcomes after the metamodel is fixed",
        extra=old.extra,
        # Four features: two of them within 2% of a spread (the default rule, set for 10+ features)
        # happens by chance between independent rows here; a copy keeps all four that close.
        near_copy={"feature_share": 1.0},
        scoring="live",
        resolution_blocks=RESOLUTION_BLOCKS,
        min_resolved_rows=MIN_RESOLVED_ROWS,
        max_extensions=1,
        meta_learner="stake_weighted",
        outcome_reporter=outcome.cast["reporter"].address,
    ).validate()
    recipe_bytes = recipe.to_json()
    draft = retrain(dao, storage.add(recipe_bytes), recipe_bytes, note="Pay epoch 3 for future performance.")
    votes = {"provider 0": 1, "provider 1": 1, "provider 4": 1, "provider 6": 1, "builder 0": 1}
    tally = _pass_proposal(dao, params, outcome, draft, "provider 4", votes)
    console.print(_proposal_table(dao, draft, tally))
    console.print(f"[dim]{draft.actions[0].summary}[/dim]")
    if dao.settlement.epochs(LIVE_EPOCH).params_hash != keccak(recipe_bytes):
        raise RuntimeError(f"the executed proposal did not open epoch {LIVE_EPOCH} with the live recipe")


def stage_contribute_live(console, dao, storage, outcome: Outcome, live) -> None:
    from dao.holders.contribute import contribute

    outcome.epoch_roles[LIVE_EPOCH] = {name: role for name, (_, _, role, _) in LIVE_CAST.items()}
    table = Table(title=f"Epoch {LIVE_EPOCH}: contributions to the live-scored epoch")
    for column in ("id", "contributor", "role", "kind", "stake (ETH)", "CID"):
        table.add_column(column)
    for name, (kind, artifact, role, stake) in LIVE_CAST.items():
        content = live.provider_csvs[artifact] if kind == "data" else live.model_specs[artifact]
        registered = contribute(dao, storage, kind, content, stake, outcome.cast[name])
        outcome.contribution_ids[(LIVE_EPOCH, name)] = registered.id
        table.add_row(str(registered.id), name, role, kind, f"{stake / ETHER:g}", registered.cid)
    console.print(table)


def stage_run_live_epoch(console, dao, storage, params, outcome: Outcome, live, operator_key) -> None:
    """Commit the metamodel, answer paid predictions with it, let the reporter post outcomes, then
    value every contribution on exactly the rows posted after the commitment."""
    from ape import chain

    from dao.epoch.pipeline import run_epoch
    from dao.epoch.valuation import EpochError
    from dao.outcomes.chain import OutcomeError, live_state, post_outcomes

    operator, reporter = resolve_account(OPERATOR), outcome.cast["reporter"]

    def say(line: str) -> None:
        outcome.live_notes.append(line)
        console.print(line)

    _advance(params.contribution_period)  # the contribution window closes
    try:  # rows that already exist could be known to the model: the board takes none before it is fixed
        post_outcomes(dao, storage, reporter, LIVE_EPOCH, live.past_csv)
    except OutcomeError as refused:
        say(f"look-ahead refused: {refused}")
    else:
        raise RuntimeError("outcome rows posted before the metamodel commitment were accepted")
    committed = run_epoch(dao, storage, operator, LIVE_EPOCH, operator_key=bytes(operator_key))
    say(committed.note)
    # Paid predictions during the period are answered by the committed metamodel.
    stage_revenue(console, dao, storage, outcome, rounds=1, rows_csv=live.validation_csv)
    for rows in live.outcome_csvs:
        posted = post_outcomes(dao, storage, reporter, LIVE_EPOCH, rows)
        say(f"outcome reporter posted {posted.n_rows} rows at block {posted.block} ({posted.cid})")
    try:
        run_epoch(dao, storage, operator, LIVE_EPOCH, operator_key=bytes(operator_key))
    except EpochError as early:  # the period is not over: the operator is told how long to wait
        say(str(early))
    else:
        raise RuntimeError("the live epoch was valued before its resolution period ended")
    _advance(blocks=max(live_state(dao, LIVE_EPOCH).resolution_end - chain.blocks.height, 0))
    run = run_epoch(dao, storage, operator, LIVE_EPOCH, operator_key=bytes(operator_key))
    _print_valuation(console, dao, outcome, LIVE_EPOCH, run, scored_on="live")
    console.print(static_vs_live_table(run.report, outcome))


def static_vs_live_table(report, outcome: Outcome) -> Table:
    """Each contribution's value on the static hold-out beside its value live (the one paid)."""
    live = report.live
    label_of = {f"#{cid}": name for (e, name), cid in outcome.contribution_ids.items() if e == report.epoch}
    roles = outcome.roles_in(report.epoch)
    slashed = {f"#{cid}" for cid in report.slashes}
    table = Table(
        title=f"Epoch {report.epoch}: static (hold-out from the training period) vs live (outcomes posted "
        f"after block {live['commitment_block']}, {live['accepted_rows']} rows)"
    )
    for column in ("contribution", "contributor", "role", "static", "live (paid)", "slashed"):
        table.add_column(column, justify="right" if column in ("static", "live (paid)") else "left")
    for game, published in (("data", report.data_values), ("model", report.model_values)):
        live_values = {p["name"]: p["value"] for p in published["players"]}
        for player in live["static"][game]:
            name = label_of.get(player["name"], "?")
            table.add_row(
                player["name"],
                name,
                roles.get(name, "?"),
                f"{player['value']:+.4f}",
                f"{live_values[player['name']]:+.4f}",
                "yes" if player["name"] in slashed else "-",
            )
    table.caption = (
        f"metamodel ({live['meta_learner']}) log-loss: static {-live['static']['metamodel_score']:.4f}, "
        f"live {-report.metamodel_score:.4f}"
    )
    return table


def stage_verify(console, dao, storage, outcome: Outcome, operator_key) -> None:
    from dao.epoch.verify import verify_epoch

    for epoch in sorted(outcome.reports):
        result = verify_epoch(dao, storage, epoch, bytes(operator_key))
        outcome.verified[epoch] = result.match
        verdict = "matches byte for byte" if result.match else f"DIFFERS in {len(result.differences)} entries"
        console.print(f"dao verify {epoch}: report {result.report_cid} recomputed: {verdict}")


def cast_of(roles: dict) -> dict:
    from ape import accounts

    names = [*roles, "client 0", "client 1", "reporter"]
    return {name: accounts.test_accounts[2 + index] for index, name in enumerate(names)}


def play(
    network: str = "test", console: Console | None = None, out_dir: Path | None = Path("out")
) -> Outcome:
    """The whole story; returns what happened."""
    from dao.data.sealing import load_or_create_operator_key
    from dao.paths import state_dir
    from dao.storage import get_storage

    console = console or Console()
    started = time.monotonic()
    storage = get_storage()
    operator_key = load_or_create_operator_key(state_dir() / "operator.key")
    artifacts = build_demo_artifacts()
    outcome = Outcome(roles={**artifacts.roles, "client 0": "client", "client 1": "client"})
    contributors = list(artifacts.roles)
    with connected(network) as choice:
        outcome.cast = cast_of(artifacts.roles)
        console.rule("[bold]1. The DAO is deployed, handed to governance, and epoch 1 opens")
        dao, params = stage_deploy(console, storage, choice, operator_key)
        outcome.dao = dao
        console.rule("[bold]2. Data providers and model builders contribute with a stake")
        stage_contribute(console, dao, storage, outcome, 1, contributors)
        console.rule("[bold]3. The operator runs epoch 1: metamodel, Shapley values, report committed")
        stage_run_epoch(console, dao, storage, params, outcome, 1, operator_key)
        console.rule("[bold]4. The challenge window passes: final; shares claimed, slashes executed")
        stage_settle(console, dao, storage, params, outcome, 1)
        console.rule("[bold]5. Clients pay for predictions; holders claim dividends")
        stage_revenue(console, dao, storage, outcome)
        console.rule("[bold]6. Holders vote to retrain with a new recipe")
        stage_governance(console, dao, storage, params, outcome)
        console.rule("[bold]7. Epoch 2 runs under the new recipe")
        stage_contribute(console, dao, storage, outcome, 2, contributors)
        stage_run_epoch(console, dao, storage, params, outcome, 2, operator_key)
        stage_settle(console, dao, storage, params, outcome, 2)
        stage_revenue(console, dao, storage, outcome, rounds=1)
        console.rule("[bold]8. Holders vote a live-scored epoch 3: paid for what the future shows")
        live = build_live_artifacts(rows=400, posts=4)
        stage_open_live_epoch(console, dao, storage, params, outcome, live)
        stage_contribute_live(console, dao, storage, outcome, live)
        console.rule("[bold]9. The metamodel is committed, outcomes arrive, and the epoch is valued live")
        stage_run_live_epoch(console, dao, storage, params, outcome, live, operator_key)
        stage_settle(console, dao, storage, params, outcome, LIVE_EPOCH)
        stage_revenue(console, dao, storage, outcome, rounds=1, rows_csv=live.validation_csv)
        console.rule("[bold]10. Anyone can check the payouts: dao verify")
        stage_verify(console, dao, storage, outcome, operator_key)
        if out_dir is not None:
            from demo.report_html import write_report

            page = write_report(out_dir, outcome)
            console.print(f"report with plots: {page}")
    outcome.seconds = time.monotonic() - started
    return outcome


@click.command()
@click.option("--network", default="test", show_default=True, help="test (in-process) or node (local node).")
@click.option("--out", "out_dir", default="out", show_default=True, type=click.Path(path_type=Path))
def main(network: str, out_dir: Path) -> None:
    """Play the Metamodel DAO story end to end."""
    from ape.logging import logger

    logger.set_level("WARNING")  # one line per transaction would drown the tables
    console = Console() if Console().is_terminal else Console(width=120)  # logs read better wide
    outcome = play(network, console, out_dir)
    console.print(f"[green]demo finished in {outcome.seconds:.1f} s[/green]")


if __name__ == "__main__":
    main()
