"""`dao predict` and `dao serve`: clients buy predictions, the operator answers them."""

from __future__ import annotations

from pathlib import Path

import click

from dao.chain.accounts import OPERATOR, resolve_account
from dao.chain.options import account_option, dao_session, network_option
from dao.chain.units import format_eth


@click.command("predict")
@click.argument("input_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--pay", is_flag=True, help="Confirm paying the market's current price.")
@network_option
@account_option("TEST::16", "Client account alias.")
def predict_command(input_file: Path, pay: bool, network: str, account_alias: str) -> None:
    """Buy predictions for INPUT_FILE (CSV with the features); the operator's `dao serve` answers."""
    from dao.market.predictions import feature_matrix, request_prediction

    with dao_session(network) as (dao, storage):
        content = input_file.read_bytes()
        if not pay:
            rows = len(feature_matrix(dao, storage, content))
            price = int(dao.market.price())
            click.echo(f"{rows} rows would cost {format_eth(price)} ETH: rerun with --pay to buy")
            return
        requested = request_prediction(dao, storage, content, resolve_account(account_alias))
    click.echo(
        f"request {requested.id}: {requested.rows} rows at {requested.input_cid}, "
        f"paid {format_eth(requested.fee)} ETH (tx {requested.tx_hash}); "
        "the answer's CID appears with `dao serve` on the operator's side"
    )


@click.command("serve")
@network_option
@account_option(OPERATOR, "Operator account alias.")
def serve_command(network: str, account_alias: str) -> None:
    """Answer every open prediction request with the latest final metamodel (fees become dividends).

    A request whose input cannot be used is refused on-chain: its client is refunded at once."""
    from dao.market.predictions import Refused, serve_requests
    from dao.paths import state_dir

    skipped: list = []
    with dao_session(network) as (dao, storage):
        # Requests are found from events after this cursor, instead of reading every request ever made.
        cursor = state_dir() / "serve" / f"{dao.deployment.chain_id}-{dao.market.address}.json"
        operator = resolve_account(account_alias)
        answered = serve_requests(dao, storage, operator, cursor_file=cursor, skipped=skipped)
    for item in answered:
        click.echo(f"request {item.id}: {item.rows} predictions at {item.output_cid} (tx {item.tx_hash})")
    for item in skipped:
        if isinstance(item, Refused):
            click.echo(
                f"request {item.id} refused ({item.code.label}): {item.reason}; "
                f"its fee went back to the client (tx {item.tx_hash})"
            )
        else:
            click.echo(f"request {item.id} skipped: {item.reason}")
    if not answered and not skipped:
        click.echo("no open requests")
