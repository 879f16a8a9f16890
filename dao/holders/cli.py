"""`dao contribute data|model` and `dao status`: what contributors and holders run."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from dao.chain.accounts import resolve_account
from dao.chain.options import account_option, dao_session, network_option, parse_eth
from dao.chain.units import format_eth, format_shares, short_address

console = Console()


@click.group("contribute")
def contribute_group() -> None:
    """Register a data set or a model spec for the open epoch, with a stake."""


def _contribute(kind: str, file: Path, stake: str, network: str, account_alias: str, private: bool) -> None:
    from dao.holders.contribute import contribute

    content = file.read_bytes()
    with dao_session(network) as (dao, storage):
        registered = contribute(
            dao, storage, kind, content, parse_eth(stake), resolve_account(account_alias), private
        )
    click.echo(
        f"contribution {registered.id} registered for epoch {registered.epoch}: {kind} {registered.cid}"
        f"{' (sealed to the operator)' if registered.sealed else ''}, "
        f"stake {format_eth(registered.stake)} ETH, "
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


@click.command("status")
@click.option("--json", "as_json", is_flag=True)
@network_option
def status_command(as_json: bool, network: str) -> None:
    """The epoch, contributions, stakes, supply, top holders, revenue and pending dividends."""
    from dao.holders.status import dao_status

    with dao_session(network) as (dao, _):
        status = dao_status(dao)
    if as_json:
        click.echo(json.dumps(status, indent=2))
        return
    epoch = status["epoch"]
    click.echo(f"{status['network']} at block {status['block']}: epoch {epoch['number']} {epoch['status']}")
    c = status["contributions"]
    click.echo(
        f"contributions: {c['this_epoch']} this epoch ({format_eth(c['this_epoch_stake_wei'])} ETH staked), "
        f"{c['all_epochs']} in all; {format_eth(c['staked_wei'])} ETH at stake, "
        f"{format_eth(c['slashed_wei'])} ETH slashed"
    )
    s, r = status["shares"], status["revenue"]
    table = Table(title=f"{format_shares(s['supply_wei'])} shares held by {s['holders']} accounts")
    table.add_column("holder")
    table.add_column("shares", justify="right")
    table.add_column("ownership", justify="right")
    for holder in s["top_holders"]:
        table.add_row(
            short_address(holder["address"]),
            format_shares(holder["balance_wei"]),
            f"{holder['fraction']:.1%}",
        )
    console.print(table)
    click.echo(
        f"revenue distributed: {format_eth(r['distributed_eth_wei'])} ETH and "
        f"{format_shares(r['distributed_token_wei'])} tokens; "
        f"pending dividends {format_eth(r['pending_dividends_eth_wei'])} ETH; "
        f"{r['prediction_requests']} prediction requests at {format_eth(r['prediction_price_wei'])} ETH"
    )
