"""`ape run dividends --network ...`: what each account can claim (unclaimed shares and dividends)."""

import json

import click
from ape.cli import ConnectedProviderCommand

from dao.chain.units import ETHER


@click.command(cls=ConnectedProviderCommand)
@click.option("--address", "addresses", multiple=True, help="Only these addresses (default: every holder).")
@click.option("--json", "as_json", is_flag=True)
def cli(addresses, as_json):
    """List claimable shares and dividends per account."""
    from dao.chain.bindings import DAO
    from dao.errors import errors_as_exit
    from dao.holders.claims import accounts_with_claims, claimable
    from dao.holders.status import holders
    from dao.storage import get_storage

    with errors_as_exit():
        dao, storage = DAO.load(), get_storage()
        targets = list(addresses) or sorted(set(holders(dao)) | set(accounts_with_claims(dao, storage)))
        owed = [claimable(dao, storage, address) for address in targets]
    if as_json:
        rows = [
            {
                "address": o.account,
                "shares_wei": {str(e): str(a) for e, a in o.shares.items()},
                "eth_wei": str(o.eth),
                "token_wei": str(o.token),
            }
            for o in owed
        ]
        click.echo(json.dumps(rows, indent=2))
        return
    click.echo(f"{'account':44} {'unclaimed shares':>18} {'ETH':>12} {'tokens':>12}")
    for o in owed:
        shares = sum(o.shares.values()) / ETHER
        click.echo(f"{o.account:44} {shares:>18,.4f} {o.eth / ETHER:>12.6f} {o.token / ETHER:>12.6f}")
