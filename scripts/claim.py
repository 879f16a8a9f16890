"""`ape run claim --account ALIAS --network ...`: claim shares of every final epoch, then dividends."""

import click
from ape.cli import ConnectedProviderCommand

from dao.chain.accounts import signing_account_option
from dao.chain.units import ETHER


@click.command(cls=ConnectedProviderCommand)
@signing_account_option()
def cli(account):
    """Claim the account's shares (Merkle proofs from each final epoch's report) and its dividends."""
    from dao.chain.bindings import DAO
    from dao.errors import errors_as_exit
    from dao.holders.claims import claim_everything
    from dao.storage import get_storage

    with errors_as_exit():
        claimed = claim_everything(DAO.load(), get_storage(), account)
    for epoch, amount in claimed.shares.items():
        click.echo(f"claimed {amount / ETHER:,.6f} shares of epoch {epoch}")
    if claimed.eth or claimed.token:
        click.echo(f"claimed dividends: {claimed.eth / ETHER:.6f} ETH and {claimed.token / ETHER:.6f} tokens")
    if claimed.token_deferred:
        click.echo(
            f"the revenue token refused {claimed.token_deferred / ETHER:.6f} tokens (paused or blocked): "
            "still owed, claim again later"
        )
    if not claimed.shares and not (claimed.eth or claimed.token or claimed.token_deferred):
        click.echo(f"{account.address} has nothing to claim")
    for tx in claimed.tx_hashes:
        click.echo(f"tx {tx}")
