"""`dao outcomes post FILE`: the outcome reporter posts a live epoch's outcome rows."""

from __future__ import annotations

from pathlib import Path

import click

from dao.chain.options import dao_session, network_option
from dao.chain.units import format_eth


@click.group("outcomes")
def outcomes_group() -> None:
    """Outcome rows of live-scored epochs (the outcome reporter's job)."""


@outcomes_group.command("post")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--epoch", type=int, required=True, help="The live epoch the rows resolve.")
@network_option
@click.option("--account", "account_alias", required=True, help="The epoch's outcome reporter (ape alias).")
def outcomes_post(file: Path, epoch: int, network: str, account_alias: str) -> None:
    """Store FILE (CSV or Parquet in the epoch's schema, features and realised target) and post its CID."""
    from dao.chain.accounts import resolve_account
    from dao.outcomes.chain import post_outcomes

    data = file.read_bytes()
    with dao_session(network) as (dao, storage):
        posted = post_outcomes(dao, storage, resolve_account(account_alias), epoch, data, file.name)
    bond = f", reporter bond {format_eth(posted.bond)} ETH" if posted.bond else ""
    click.echo(
        f"post {posted.post_id}: {posted.n_rows} outcome rows for epoch {posted.epoch} at block "
        f"{posted.block}: {posted.cid}{bond}, tx {posted.tx_hash}"
    )
