"""The lifecycle commands: contribute, epoch run|finalize|show, verify, predict, serve, status."""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from dao.accounts import OPERATOR, resolve_account
from dao.cli_chain import network_option

ETHER = 10**18
console = Console()


def account_option(default: str, help_text: str):
    return click.option("--account", "account_alias", default=default, show_default=True, help=help_text)


def _eth(wei: int | str) -> str:
    return f"{int(wei) / ETHER:,.6f}".rstrip("0").rstrip(".")


def _shares(wei: int | str) -> str:
    return f"{int(wei) / ETHER:,.2f}"


def _short(address: str) -> str:
    return f"{address[:6]}…{address[-4:]}"


@contextmanager
def _dao(network: str):
    """Connect, load the recorded deployment and the storage backend."""
    from dao.chain import DAO, connected
    from dao.storage import get_storage

    with connected(network):
        yield DAO.load(), get_storage()


def _parse_eth(text: str) -> int:
    from decimal import Decimal, InvalidOperation

    try:
        value = Decimal(text)
    except InvalidOperation:
        raise click.BadParameter(f"{text!r} is not an amount of ETH") from None
    if value <= 0:
        raise click.BadParameter("the stake must be positive")
    return int(value * ETHER)


@click.group("contribute")
def contribute_group() -> None:
    """Register a data set or a model spec for the open epoch, with a stake."""


def _contribute(kind: str, file: Path, stake: str, network: str, account_alias: str, private: bool) -> None:
    from dao.contribute import contribute

    content = file.read_bytes()
    with _dao(network) as (dao, storage):
        registered = contribute(
            dao, storage, kind, content, _parse_eth(stake), resolve_account(account_alias), private
        )
    click.echo(
        f"contribution {registered.id} registered for epoch {registered.epoch}: {kind} {registered.cid}"
        f"{' (sealed to the operator)' if registered.sealed else ''}, stake {_eth(registered.stake)} ETH, "
        f"tx {registered.tx_hash}"
    )


@contribute_group.command("data")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--stake", default="0.1", show_default=True, help="Stake in ETH.")
@click.option("--private", is_flag=True, help="Seal the data set to the operator's public key.")
@network_option
@account_option("TEST::2", "Contributor account alias.")
def contribute_data(file: Path, stake: str, private: bool, network: str, account_alias: str) -> None:
    """Validate FILE (CSV or Parquet) against the epoch's schema, upload it and register it."""
    _contribute("data", file, stake, network, account_alias, private)


@contribute_group.command("model")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--stake", default="0.1", show_default=True, help="Stake in ETH.")
@network_option
@account_option("TEST::2", "Contributor account alias.")
def contribute_model(file: Path, stake: str, network: str, account_alias: str) -> None:
    """Validate the model spec FILE against the allow-list, upload it and register it."""
    _contribute("model", file, stake, network, account_alias, False)


@click.group("epoch")
def epoch_group() -> None:
    """Run, finalize and inspect epochs."""


def _operator_key() -> bytes | None:
    from dao.paths import state_dir

    path = state_dir() / "operator.key"
    return path.read_bytes() if path.is_file() else None


def compute_options(command):
    """`--jobs N` local worker processes, or `--scheduler tcp://...` a Dask cluster (same report)."""
    command = click.option(
        "--scheduler",
        default=None,
        help="A Dask scheduler address (default: $DAO_DASK_SCHEDULER); trainings run on its workers.",
    )(command)
    return click.option(
        "--jobs", type=click.IntRange(min=-1), default=None, help="Local worker processes (-1: every core)."
    )(command)


@epoch_group.command("run")
@click.option("--epoch", type=int, default=None, help="The epoch (default: the current one).")
@click.option(
    "--validation",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="The hold-out set (default: the one kept under the recipe's commitment in .dao/holdout).",
)
@compute_options
@network_option
@account_option(OPERATOR, "Operator account alias.")
def epoch_run(
    epoch: int | None,
    validation: Path | None,
    jobs: int | None,
    scheduler: str | None,
    network: str,
    account_alias: str,
) -> None:
    """Value the epoch's contributions, publish the report and commit it with the bond (resumable)."""
    from dao.compute import compute_backend
    from dao.pipeline import run_epoch

    with _dao(network) as (dao, storage), compute_backend(jobs, scheduler) as n_jobs:
        run = run_epoch(
            dao,
            storage,
            resolve_account(account_alias),
            epoch,
            validation.read_bytes() if validation else None,
            _operator_key(),
            n_jobs=n_jobs,
        )
    _print_report(run.report, run.report_cid)
    if run.committed_now:
        resumed = " (valuation resumed from the previous run)" if run.resumed else ""
        click.echo(f"epoch {run.epoch} committed: report {run.report_cid}, tx {run.tx_hash}{resumed}")
    else:
        click.echo(f"epoch {run.epoch} was already committed with report {run.report_cid}; nothing sent")
    timings = ", ".join(f"{stage} {seconds:.1f} s" for stage, seconds in run.stages.items())
    if timings:
        click.echo(f"stages: {timings}")


@epoch_group.command("finalize")
@click.option("--epoch", type=int, default=None, help="The epoch (default: the current one).")
@network_option
@account_option(OPERATOR, "Any account: finalizing is permissionless.")
def epoch_finalize(epoch: int | None, network: str, account_alias: str) -> None:
    """Finalize a committed epoch once its challenge window has passed, then execute its slashes."""
    from dao.pipeline import execute_slashes, finalize_epoch

    with _dao(network) as (dao, storage):
        number = epoch or int(dao.settlement.current_epoch())
        sender = resolve_account(account_alias)
        tx = finalize_epoch(dao, sender, number)
        slashed = execute_slashes(dao, storage, sender, number)
    click.echo(f"epoch {number} is final (tx {tx})" if tx else f"epoch {number} was already final")
    for contribution_id, amount in slashed:
        click.echo(f"slashed contribution #{contribution_id}: {_eth(amount)} ETH to the share holders")


def _print_report(report, report_cid: str) -> None:
    allocation = report.allocation
    table = Table(title=f"Epoch {report.epoch} report {report_cid}")
    for column in ("player", "game", "owner", "value", "95% joint interval", "evaluations"):
        table.add_column(column, justify="right" if column in ("value", "evaluations") else "left")
    owners = {f"#{c['id']}": c["contributor"] for c in report.inputs.get("contributions", [])}
    for game, values in (("data", report.data_values), ("model", report.model_values)):
        for player in values["players"]:
            owner = owners.get(player["name"])
            table.add_row(
                player["name"],
                game,
                _short(owner) if owner else "-",
                f"{player['value']:+.4f}",
                f"[{player['ci_low']:+.4f}, {player['ci_high']:+.4f}]",
                str(values["evaluations"]),
            )
    console.print(table)
    mints = Table(title="Shares allocated and stakes slashed")
    mints.add_column("account / contribution")
    mints.add_column("shares", justify="right")
    for account, amount in allocation.items():
        mints.add_row(account, _shares(amount))
    for contribution, amount in report.slashes.items():
        mints.add_row(f"slash contribution #{contribution}", f"{_eth(amount)} ETH")
    console.print(mints)
    for contribution, reason in report.rejected.items():
        console.print(f"rejected contribution #{contribution}: {reason}")
    console.print(f"metamodel validation score {report.metamodel_score:+.4f}")


@epoch_group.command("show")
@click.argument("epoch", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print the report document itself.")
@network_option
def epoch_show(epoch: int, as_json: bool, network: str) -> None:
    """Print epoch EPOCH's committed report as tables (or the report JSON)."""
    from dao.epoch import EpochError
    from valuation.report import ValuationReport

    with _dao(network) as (dao, storage):
        cid = dao.settlement.epochs(epoch).report_cid
        if not cid:
            raise EpochError(f"epoch {epoch} has no committed report")
        data = storage.get(cid)
    if as_json:
        sys.stdout.buffer.write(data + b"\n")
        return
    _print_report(ValuationReport.from_json(data), cid)


@click.command("verify")
@click.argument("epoch", type=int)
@click.option("--json", "as_json", is_flag=True)
@compute_options
@network_option
def verify_command(epoch: int, as_json: bool, jobs: int | None, scheduler: str | None, network: str) -> None:
    """Recompute epoch EPOCH's report from its inputs; exit 0 on a byte-for-byte match, 1 otherwise."""
    from dao.compute import compute_backend
    from dao.verify import verify_epoch

    with _dao(network) as (dao, storage), compute_backend(jobs, scheduler) as n_jobs:
        result = verify_epoch(dao, storage, epoch, _operator_key(), n_jobs=n_jobs)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "epoch": epoch,
                    "report_cid": result.report_cid,
                    "match": result.match,
                    "differences": [
                        {"path": p, "committed": c, "recomputed": r} for p, c, r in result.differences
                    ],
                    "version_warnings": result.version_warnings,
                },
                default=str,
            )
        )
    elif result.match:
        click.echo(f"epoch {epoch}: the report {result.report_cid} matches the recomputation byte for byte")
    else:
        click.echo(f"epoch {epoch}: the report {result.report_cid} does NOT match the recomputation")
        table = Table(title="Differences")
        for column in ("entry", "committed", "recomputed"):
            table.add_column(column)
        for path, committed, recomputed in result.differences[:50]:
            table.add_row(path, str(committed), str(recomputed))
        console.print(table)
        if len(result.differences) > 50:
            click.echo(f"… and {len(result.differences) - 50} more")
        click.echo(
            f"to dispute it during the challenge window: ape run challenge {epoch} "
            "--reason 'dao verify mismatch' --network ... --account ..."
        )
    for warning in result.version_warnings:
        click.echo(f"warning: library version differs ({warning}); byte identity needs the same versions")
    sys.exit(0 if result.match else 1)


@click.command("predict")
@click.argument("input_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--pay", is_flag=True, help="Confirm paying the market's current price.")
@network_option
@account_option("TEST::16", "Client account alias.")
def predict_command(input_file: Path, pay: bool, network: str, account_alias: str) -> None:
    """Buy predictions for INPUT_FILE (CSV with the features); the operator's `dao serve` answers."""
    from dao.predictions import feature_matrix, request_prediction

    with _dao(network) as (dao, storage):
        content = input_file.read_bytes()
        if not pay:
            rows = len(feature_matrix(dao, storage, content))
            price = int(dao.market.price())
            click.echo(f"{rows} rows would cost {_eth(price)} ETH: rerun with --pay to buy")
            return
        requested = request_prediction(dao, storage, content, resolve_account(account_alias))
    click.echo(
        f"request {requested.id}: {requested.rows} rows at {requested.input_cid}, paid {_eth(requested.fee)} "
        f"ETH (tx {requested.tx_hash}); the answer's CID appears with `dao serve` on the operator's side"
    )


@click.command("serve")
@network_option
@account_option(OPERATOR, "Operator account alias.")
def serve_command(network: str, account_alias: str) -> None:
    """Answer every open prediction request with the latest final metamodel (fees become dividends)."""
    from dao.predictions import serve_requests

    with _dao(network) as (dao, storage):
        answered = serve_requests(dao, storage, resolve_account(account_alias))
    for item in answered:
        click.echo(f"request {item.id}: {item.rows} predictions at {item.output_cid} (tx {item.tx_hash})")
    if not answered:
        click.echo("no open requests")


@click.command("status")
@click.option("--json", "as_json", is_flag=True)
@network_option
def status_command(as_json: bool, network: str) -> None:
    """The epoch, contributions, stakes, supply, top holders, revenue and pending dividends."""
    from dao.status import dao_status

    with _dao(network) as (dao, _):
        status = dao_status(dao)
    if as_json:
        click.echo(json.dumps(status, indent=2))
        return
    epoch = status["epoch"]
    click.echo(f"{status['network']} at block {status['block']}: epoch {epoch['number']} {epoch['status']}")
    c = status["contributions"]
    click.echo(
        f"contributions: {c['this_epoch']} this epoch ({_eth(c['this_epoch_stake_wei'])} ETH staked), "
        f"{c['all_epochs']} in all; {_eth(c['staked_wei'])} ETH at stake, "
        f"{_eth(c['slashed_wei'])} ETH slashed"
    )
    s, r = status["shares"], status["revenue"]
    table = Table(title=f"{_shares(s['supply_wei'])} shares held by {s['holders']} accounts")
    table.add_column("holder")
    table.add_column("shares", justify="right")
    table.add_column("ownership", justify="right")
    for holder in s["top_holders"]:
        table.add_row(_short(holder["address"]), _shares(holder["balance_wei"]), f"{holder['fraction']:.1%}")
    console.print(table)
    click.echo(
        f"revenue distributed: {_eth(r['distributed_eth_wei'])} ETH and "
        f"{_shares(r['distributed_token_wei'])} tokens; "
        f"pending dividends {_eth(r['pending_dividends_eth_wei'])} ETH; "
        f"{r['prediction_requests']} prediction requests at {_eth(r['prediction_price_wei'])} ETH"
    )
